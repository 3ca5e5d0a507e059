// What the reliability suites share: the job they set up, a clean child environment, the CLI run, and how an
// error is expected to look (one line, no stack).
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreatePolicyCommand } from "@aws-sdk/client-iam";
import { awsEnv, type AwsClients } from "../../tools/local-aws/env.js";
import { runCli, type CliOptions, type CliResult } from "../helpers/cli.js";
import { ACCOUNT, INIT_FLAGS, REGION } from "../helpers/constants.js";

export { ACCOUNT, JOB, REGION } from "../helpers/constants.js";

/** A policy the team already has, attached with --policy-arn (moto ships no AWS managed policies by default). */
const TEAM_POLICY_NAME = "team-reports-read";
export const TEAM_POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/${TEAM_POLICY_NAME}`;

/** The job's own permissions, as a user would write them in policy.json. */
export const JOB_POLICY_DOCUMENT = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "ReadReports", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"] },
    { Sid: "CleanSessions", Effect: "Allow", Action: "dynamodb:DeleteItem", Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/sessions` },
  ],
};

/** The flags of a job that uses every kind of resource init can make (UTC: an EventBridge rule). */
export const FULL_FLAGS = [...INIT_FLAGS, "--policy-file", "policy.json", "--policy-arn", TEAM_POLICY_ARN];

/** The same job on a time-zone schedule (EventBridge Scheduler: its own role, group and schedule). */
export const ZONED_FLAGS = [...FULL_FLAGS, "--schedule", "cron(0 7 ? * MON-FRI *)", "--timezone", "Europe/Paris"];

/** A fresh working directory holding policy.json. */
export function workdir(prefix = "support-job-reliability-"): string {
  const cwd = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(cwd, "policy.json"), `${JSON.stringify(JOB_POLICY_DOCUMENT, null, 2)}\n`);
  return cwd;
}

/** Creates the team's managed policy that --policy-arn attaches (after every moto reset). */
export async function createTeamPolicy(aws: Pick<AwsClients, "iam">): Promise<void> {
  await aws.iam.send(
    new CreatePolicyCommand({
      PolicyName: TEAM_POLICY_NAME,
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-shared/*" }],
      }),
    }),
  );
}

/**
 * The child's environment exactly: every AWS_* variable of this process that `env` does not set is removed,
 * so a developer's own profile or session token can never leak into (or rescue) a test.
 */
export function isolated(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of Object.keys(process.env)) if (name.startsWith("AWS_") && !(name in env)) out[name] = undefined;
  return out;
}

export function envFor(endpoint: string): Record<string, string | undefined> {
  return isolated(awsEnv(endpoint));
}

export function cli(args: string[], options: CliOptions & { env: Record<string, string | undefined> }): Promise<CliResult> {
  return runCli(args, { ...options, env: isolated(options.env) });
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** The reason a failed command gives: its last line on stderr. */
export function reasonLine(stderr: string): string {
  return lines(stderr).at(-1) ?? "";
}

/** Lines that look like a JavaScript stack frame. */
export function stackLines(text: string): string[] {
  return text.split("\n").filter((l) => /^\s{4}at /.test(l));
}

/** A one-line failure report for a table row, so one assertion shows every broken case at once. */
export function describeRun(run: CliResult): string {
  return `exit ${String(run.code)}\n--- stderr ---\n${run.stderr}--- stdout ---\n${run.stdout}`;
}
