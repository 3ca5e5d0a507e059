/**
 * The managed policies a job names are checked in the read phase, before anything is written, and
 * --permissions-boundary bounds every role support-job creates (kept in support-job.json, drift repaired).
 */
import { CreatePolicyCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { ACCOUNT } from "../../helpers/constants.js";
import { savedJob } from "../../helpers/job.js";

const JOB = "export-reports";
const FLAGS = ["--name", JOB, "--repo", "https://github.com/acme/ops-scripts", "--schedule", "rate(1 day)", "--email", "ops@example.com"];
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/support-job-boundary`;

// AWS managed policies exist in moto only when it loads them at start (the hook below starts it).
process.env.MOTO_IAM_LOAD_MANAGED_POLICIES = "true";
const aws = useLocalAws();
let cwd: string;
const cli = (...args: string[]) => runCli(args, { env: { ...aws.env, SUPPORT_JOB_POLL_MS: "20" }, cwd });
const boundaryOf = async (RoleName: string) => (await aws.clients.iam.send(new GetRoleCommand({ RoleName }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn;

beforeEach(async () => {
  await aws.reset();
  cwd = mkdtempSync(join(tmpdir(), "support-job-policies-"));
});

it.each([
  ["an AWS managed policy that does not exist", "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccesss"],
  ["a customer managed policy that does not exist", "--policy-arn", `arn:aws:iam::${ACCOUNT}:policy/team-reports`],
  ["a permissions boundary that does not exist", "--permissions-boundary", BOUNDARY],
])("init with %s stops with exit 2 naming it, before writing anything", async (_what, flag, arn) => {
  const run = await cli("init", "--yes", ...FLAGS, flag, arn);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toContain(`${flag}: ${arn} does not exist`);
  expect(aws.proxy.writes()).toEqual([]);
  expect(aws.proxy.count({ service: "iam", action: "GetPolicy" })).toBeGreaterThan(0);
});

it("init attaches an AWS managed policy that exists", async () => {
  const run = await cli("init", "--yes", ...FLAGS, "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
  expect(run.code, run.stderr).toBe(0);
});

it("--permissions-boundary bounds every role init and permissions try create, is saved, and is added to roles created without it", async () => {
  await aws.clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: "support-job-boundary",
      PolicyDocument: readFileSync(new URL("../../../docs/permissions-boundary-example.json", import.meta.url), "utf8"),
    }),
  );
  // Created without a boundary first, as before the flag existed.
  expect((await cli("init", "--yes", ...FLAGS)).code).toBe(0);
  expect(await boundaryOf(`support-job-${JOB}-use1-build`)).toBeUndefined();

  const bounded = await cli("init", "--yes", "--dry-run", "--permissions-boundary", BOUNDARY);
  expect(bounded.code, bounded.stderr).toBe(0);
  expect(bounded.stdout).toMatch(/permissions boundary/);
  const applied = await cli("init", "--yes", "--permissions-boundary", BOUNDARY);
  expect(applied.code, applied.stderr).toBe(0);
  expect(aws.proxy.count({ service: "iam", action: "PutRolePermissionsBoundary" })).toBe(2);
  expect(savedJob(cwd).permissionsBoundary).toBe(BOUNDARY);
  for (const role of [`support-job-${JOB}-use1-build`, `support-job-${JOB}-use1-start`]) expect(await boundaryOf(role)).toBe(BOUNDARY);

  // A new role (the time-zone schedule's) is created with it; a re-run changes nothing.
  expect((await cli("init", "--yes", "--timezone", "Europe/Paris")).code).toBe(0);
  expect(await boundaryOf(`support-job-${JOB}-use1-scheduler`)).toBe(BOUNDARY);
  // resetCalls, not reset: reset also forgets the project settings the proxy keeps for moto (concurrentBuildLimit).
  aws.proxy.resetCalls();
  expect((await cli("init", "--yes")).code).toBe(0);
  expect(aws.proxy.writes()).toEqual([]);

  // The try role can do no more than a run.
  const tried = await cli("permissions", "try", "--", "node", "-e", "");
  expect(tried.code, tried.stderr).toBe(0);
  expect(await boundaryOf(`support-job-${JOB}-use1-try`)).toBe(BOUNDARY);
  expect((await cli("permissions", "done")).code).toBe(0);
});
