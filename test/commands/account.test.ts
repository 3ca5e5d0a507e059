/**
 * The account saved in support-job.json (issue #11 item 4), for the commands that operate a job: with credentials
 * for another account, every command that writes refuses before any write, naming both accounts; the read-only
 * ones go on and say whose job they show. moto answers as account 123456789012; the file says 111111111111.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { ACCOUNT, cliIn, savedJob, setUpJob, tempDir, type TestJob } from "../helpers/job.js";
import { JOB } from "../helpers/constants.js";
import type { CliResult } from "../helpers/cli.js";

const OTHER = "111111111111";

const aws = useLocalAws();
let job: TestJob;

beforeEach(async () => {
  await aws.reset();
  job = await setUpJob(aws, JOB);
});

/** support-job.json with job JOB's entry naming `account` (undefined: no account anywhere in the file). */
function saveAccount(account: string | undefined): void {
  const path = join(job.cwd, "support-job.json");
  const doc = JSON.parse(readFileSync(path, "utf8")) as { defaults?: Record<string, unknown>; jobs: Record<string, Record<string, unknown>> };
  if (doc.defaults) delete doc.defaults.account;
  if (account === undefined) delete doc.jobs[JOB]!.account;
  else doc.jobs[JOB]!.account = account;
  writeFileSync(path, JSON.stringify(doc, null, 2));
}

const why = (run: CliResult) => `exit ${run.code}\n${run.stderr}`;
const MISMATCH = new RegExp(`job ${JOB} lives in account ${OTHER}, but your credentials are for account ${ACCOUNT}`);

const projectExists = async () => ((await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects ?? []).length === 1;

const WRITE_COMMANDS = [
  ["destroy", "--yes"],
  ["pause"],
  ["resume"],
  ["run-now"],
  ["test-alert"],
  ["permissions", "try", "--", "node", "-e", ""],
  ["permissions", "done"],
];

describe("with credentials for another account than support-job.json's", () => {
  it.each(WRITE_COMMANDS.map((args) => [args.join(" "), args]))("`%s` refuses (exit 2) before any write, naming both accounts", async (_, args) => {
    saveAccount(OTHER);
    aws.proxy.resetCalls();
    const run = await job.cli(args as string[]);
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(MISMATCH);
    expect(run.stderr).toMatch(new RegExp(`--profile: .*use the credentials of account ${OTHER} \\(--profile\\).*nothing was changed`));
    // One line (a progress line may come before it).
    expect(run.stderr.split("\n").filter((line) => MISMATCH.test(line))).toHaveLength(1);
    expect(aws.proxy.writes()).toEqual([]);
    expect(aws.proxy.count({ service: "sts", action: "GetCallerIdentity" })).toBe(1);
    expect(await projectExists()).toBe(true);
  });

  it("run-now asks who the caller is and never sends StartBuild", async () => {
    saveAccount(OTHER);
    aws.proxy.resetCalls();
    const run = await job.cli(["run-now"]);
    expect(run.code, why(run)).toBe(2);
    expect(aws.proxy.calls.map((c) => `${c.service}:${c.action}`)).toEqual(["sts:GetCallerIdentity"]);
  });

  it("destroy names its way out, --account-change, which deletes the job of the credentials' account and keeps the file's entry", async () => {
    saveAccount(OTHER);
    const refused = await job.cli(["destroy", "--yes"]);
    expect(refused.stderr).toMatch(new RegExp(`pass --account-change to destroy job ${JOB} in account ${ACCOUNT} instead`));
    // --name in the same folder is checked the same way.
    const named = await job.cli(["destroy", "--name", JOB, "--yes"]);
    expect(named.code, why(named)).toBe(2);
    expect(named.stderr).toMatch(MISMATCH);

    const run = await job.cli(["destroy", "--yes", "--account-change"]);
    expect(run.code, why(run)).toBe(0);
    expect(await projectExists()).toBe(false);
    expect(run.stderr).toMatch(new RegExp(`keeps job ${JOB}'s entry: it is about the job in account ${OTHER}`));
    expect(savedJob(job.cwd, JOB)).toMatchObject({ account: OTHER });
  });

  it("status, logs and list go on, and say which account they show", async () => {
    await aws.proxy.builds.createHistory(JOB, [{ status: "SUCCEEDED", startTime: new Date(Date.now() - 3_600_000) }]);
    saveAccount(OTHER);
    aws.proxy.resetCalls();
    const shown = new RegExp(`${MISMATCH.source}: this is job ${JOB} of account ${ACCOUNT}\\.`);
    const status = await job.cli(["status"]);
    expect(status.code, why(status)).toBe(0);
    expect(status.stderr).toMatch(shown);
    expect(status.stdout).toMatch(new RegExp(`account ${ACCOUNT}`));
    const logs = await job.cli(["logs", "--last"]);
    expect(logs.code, why(logs)).toBe(0);
    expect(logs.stderr).toMatch(shown);
    const list = await job.cli(["list"]);
    expect(list.code, why(list)).toBe(0);
    expect(list.stderr).toMatch(new RegExp(`${MISMATCH.source}: these are the jobs of account ${ACCOUNT}\\.`));
    expect(aws.proxy.writes()).toEqual([]);
  });
});

describe("with credentials for the account support-job.json names", () => {
  it("every write command works, and says nothing about accounts", async () => {
    saveAccount(ACCOUNT);
    const runs: CliResult[] = [];
    for (const args of [["pause"], ["resume"], ["run-now"], ["permissions", "try", "--", "node", "-e", ""], ["permissions", "done"]])
      runs.push(await job.cli(args));
    aws.proxy.builds.scriptNext([
      {
        status: "FAILED",
        failedPhase: "BUILD",
        reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: exit 1. Reason: exit status 1" },
      },
    ]);
    runs.push(await job.cli(["test-alert"]));
    runs.push(await job.cli(["destroy", "--yes"]));
    for (const run of runs) {
      expect(run.code, why(run)).toBe(0);
      expect(run.stderr).not.toMatch(/your credentials are for account/);
    }
    expect(await projectExists()).toBe(false);
  });

  it("status and list say nothing about accounts", async () => {
    saveAccount(ACCOUNT);
    for (const args of [["status"], ["list"]]) {
      const run = await job.cli(args);
      expect(run.code, why(run)).toBe(0);
      expect(run.stderr).not.toMatch(/your credentials are for account/);
    }
  });
});

describe("what the check costs run-now (proxy counts)", () => {
  it("with a saved account: GetCallerIdentity, then StartBuild once it answered, 2 round trips; without one: StartBuild alone, 1", async () => {
    saveAccount(ACCOUNT);
    aws.proxy.resetCalls();
    const saved = await job.cli(["run-now"]);
    expect(saved.code, why(saved)).toBe(0);
    expect(aws.proxy.calls.map((c) => `${c.service}:${c.action}`)).toEqual(["sts:GetCallerIdentity", "codebuild:StartBuild"]);
    const [identity, start] = aws.proxy.calls;
    expect(start!.startedAt).toBeGreaterThanOrEqual(identity!.endedAt);
    expect(aws.proxy.maxDepth()).toBe(2);

    saveAccount(undefined);
    aws.proxy.resetCalls();
    const unsaved = await job.cli(["run-now"]);
    expect(unsaved.code, why(unsaved)).toBe(0);
    expect(aws.proxy.calls.map((c) => `${c.service}:${c.action}`)).toEqual(["codebuild:StartBuild"]);
    expect(aws.proxy.maxDepth()).toBe(1);
  });

  it("outside the folder (no support-job.json) nothing is checked: --name alone is run as today", async () => {
    aws.proxy.resetCalls();
    const run = await cliIn(aws, tempDir())(["run-now", "--name", JOB]);
    expect(run.code, why(run)).toBe(0);
    expect(aws.proxy.calls.map((c) => `${c.service}:${c.action}`)).toEqual(["codebuild:StartBuild"]);
  });
});
