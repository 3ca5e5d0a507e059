/** docs/operator-policy.json, which the README offers as the permissions to run support-job, covers every call it makes. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalAws, type LocalAws } from "../../tools/local-aws/env.js";
import { runCli } from "../helpers/cli.js";

interface Statement {
  Action: string | string[];
}

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

it("allows every AWS action that init, status, run-now, logs, list, pause, resume, test-alert, permissions and destroy call", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "support-job-operator-"));
  writeFileSync(join(cwd, "policy.json"), JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::reports" }] }));
  const cli = (...args: string[]) => runCli(args, { env: { ...aws.env, SUPPORT_JOB_POLL_MS: "20" }, cwd });
  const flags = ["--name", "audit", "--repo", "https://github.com/acme/ops", "--schedule", "rate(1 day)", "--email", "ops@example.com", "--policy-file", "policy.json"];
  const steps = [
    ["init", "--yes", ...flags],
    ["init", "--yes", "--timezone", "Europe/Rome", "--email", "oncall@example.com"],
    ["init", "--yes", "--timezone", "UTC", "--policy-file", ""],
    ["status"],
    ["list"],
    ["run-now", "--wait"],
    ["logs", "--last"],
    ["pause"],
    ["resume"],
    ["test-alert"],
    ["permissions", "try", "--", "node", "-e", ""],
    ["permissions", "done"],
    ["destroy", "--yes"],
  ];
  for (const args of steps) {
    if (args[0] === "test-alert") aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    const run = await cli(...args);
    expect(run.code, `${args.join(" ")}: ${run.stderr}${run.stdout}`).toBe(0);
  }
  const prefix: Record<string, string> = { codebuild: "codebuild", events: "events", iam: "iam", sns: "sns", sts: "sts", scheduler: "scheduler", logs: "logs" };
  const called = new Set(aws.proxy.calls.map((c) => `${prefix[c.service] ?? c.service}:${c.action}`));
  const policy = JSON.parse(readFileSync(new URL("../../docs/operator-policy.json", import.meta.url), "utf8")) as { Statement: Statement[] };
  const allowed = new Set(policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
  expect([...called].filter((a) => !allowed.has(a)).sort()).toEqual([]);
  expect(called.size).toBeGreaterThan(40);
});
