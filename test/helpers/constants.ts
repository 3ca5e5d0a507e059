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

/**
 * Job JOB as a team would set it up: jobFlags plus a buildspec in a subfolder, a plain variable and a secret from
 * Parameter Store. A test adds its own flags after these (a repeated single-value flag such as --schedule wins).
 */
export const INIT_FLAGS: readonly string[] = jobFlags(JOB, [
  "--buildspec",
  "jobs/cleanup/buildspec.yml",
  "--env",
  "STAGE=prod",
  "--env",
  "DB_PASSWORD=ssm:/cleanup/db-password",
]);
