/** What every test's job and account are called: moto's fixed account, the harness's region, the job's name and flags. */
import { TEST_ACCOUNT, TEST_REGION } from "../../tools/local-aws/account.js";

/** The account moto answers as (GetCallerIdentity). */
export const ACCOUNT = TEST_ACCOUNT;
export const REGION = TEST_REGION;
export const JOB = "nightly-cleanup";
const REPO = "https://github.com/acme/ops-scripts";
const EMAIL = "ops@example.com";

/** The four values init requires, plus a branch, for job `name`. */
export function jobFlags(name: string, extra: string[] = []): string[] {
  return ["--name", name, "--repo", REPO, "--branch", "support-jobs", "--schedule", "cron(0 3 * * ? *)", "--email", EMAIL, ...extra];
}
