import { validateSettings, type RawSettings } from "../../../src/settings/validate.js";
import type { ResolvedSettings } from "../../../src/settings/types.js";
import { ACCOUNT, REGION } from "../../helpers/constants.js";

export const WHERE = { account: ACCOUNT, region: REGION, partition: "aws" };

const BASE_RAW: RawSettings = {
  name: "nightly-cleanup",
  repository: "https://github.com/acme/ops-scripts.git",
  schedule: "cron(0 3 * * ? *)",
  email: "ops@example.com",
};

export function settings(over: RawSettings = {}, cwd = process.cwd()): ResolvedSettings {
  return validateSettings({ ...BASE_RAW, ...over }, cwd);
}
