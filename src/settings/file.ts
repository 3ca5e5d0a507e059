/** support-job.json: the job's settings in the working directory, so `init --yes` re-applies the same job. */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import type { RawSettings } from "./validate.js";

export const CONFIG_FILE = "support-job.json";

export interface ConfigFile extends RawSettings {
  /** Where the job lives; the account lets a re-run read everything in one round trip. */
  region?: string | undefined;
  account?: string | undefined;
}

const STRING_FIELDS = [
  "name",
  "repository",
  "sourceType",
  "branch",
  "buildspec",
  "schedule",
  "timezone",
  "computeType",
  "arch",
  "image",
  "email",
  "policyFile",
  "permissionsBoundary",
  "region",
  "account",
] as const;
const LIST_FIELDS = ["env", "policyArns", "alertOn"] as const;

/** undefined when there is no file; a corrupt file is an input error and is never overwritten. */
export function readConfig(cwd: string): ConfigFile | undefined {
  const path = join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new InputError(CONFIG_FILE, `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, "check its permissions");
  }
  let data: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new InputError(CONFIG_FILE, `is not valid JSON (${(error as Error).message.replace(/\s+/g, " ")}); fix it or move it away, support-job will not overwrite it`, '{"name": "nightly-cleanup", ...}');
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new InputError(CONFIG_FILE, "must hold a JSON object; fix it or move it away, support-job will not overwrite it", '{"name": "nightly-cleanup", ...}');
  const record = data as Record<string, unknown>;
  const config: ConfigFile = {};
  for (const key of STRING_FIELDS) {
    const v = record[key];
    if (v === undefined) continue;
    if (typeof v !== "string") throw new InputError(`${CONFIG_FILE}: ${key}`, `must be a string, got ${JSON.stringify(v)}`, `"${key}": "..."`);
    config[key] = v;
  }
  for (const key of LIST_FIELDS) {
    const v = record[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      throw new InputError(`${CONFIG_FILE}: ${key}`, "must be a list of strings", `"${key}": ["..."]`);
    config[key] = v as string[];
  }
  const timeout = record.timeout;
  if (timeout !== undefined) {
    if (typeof timeout !== "number" && typeof timeout !== "string") throw new InputError(`${CONFIG_FILE}: timeout`, "must be a number of minutes", '"timeout": 60');
    config.timeout = timeout;
  }
  return config;
}

/** Written only when it changes, atomically (a crash never leaves half a file). */
export function writeConfig(cwd: string, config: ConfigFile): boolean {
  const path = join(cwd, CONFIG_FILE);
  const text = `${JSON.stringify(config, null, 2)}\n`;
  try {
    if (readFileSync(path, "utf8") === text) return false;
  } catch {
    // no file yet
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
  return true;
}
