import { validateSettings, type RawSettings } from "../../../src/settings/validate.js";
import type { ResolvedSettings } from "../../../src/settings/types.js";

export const WHERE = { account: "123456789012", region: "us-east-1", partition: "aws" };

export const BASE_RAW: RawSettings = {
  name: "nightly-cleanup",
  repository: "https://github.com/acme/ops-scripts.git",
  schedule: "cron(0 3 * * ? *)",
  email: "ops@example.com",
};

export function settings(over: RawSettings = {}, cwd = process.cwd()): ResolvedSettings {
  return validateSettings({ ...BASE_RAW, ...over }, cwd);
}
