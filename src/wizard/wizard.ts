/** The guided questions of `init`; returns plain answers, never calls AWS. */
import type { RawSettings } from "../spec/validate.js";

export interface WizardContext {
  cwd: string;
  /** Answers given as flags: those questions are not asked. */
  given: RawSettings;
}

export async function runWizard(prefilled: RawSettings, _context: WizardContext): Promise<RawSettings> {
  return prefilled;
}
