/** `support-job status` against moto through the test proxy: the job, its schedule, alerts, drift and run history. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BatchGetProjectsCommand, DeleteProjectCommand, UpdateProjectCommand } from "@aws-sdk/client-codebuild";
import { beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import type { BuildSettings } from "../../tools/local-aws/proxy.js";
import { ACCOUNT, cliIn, json, setUpJob, tempDir, type StatusDoc, type TestJob } from "../helpers/job.js";
import { JOB } from "../helpers/constants.js";

const RULE = `support-job-${JOB}-schedule`;
const HOUR = 3_600_000;

const aws = useLocalAws();
let job: TestJob;

beforeEach(async () => {
  await aws.reset();
  job = await setUpJob(aws, JOB);
});

/** Five runs, oldest first: scheduled success, scheduled failure, manual timeout, manual success, one running now. */
async function history(): Promise<string[]> {
  const now = Date.now();
  const runs: BuildSettings[] = [
    { status: "SUCCEEDED", initiator: `rule/${RULE}`, startTime: new Date(now - 50 * HOUR), endTime: new Date(now - 50 * HOUR + 72_000) },
    {
      status: "FAILED",
      failedPhase: "BUILD",
      reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: ./cleanup.sh. Reason: exit status 3" },
      initiator: `rule/${RULE}`,
      startTime: new Date(now - 26 * HOUR),
      endTime: new Date(now - 26 * HOUR + 45_000),
    },
    { status: "TIMED_OUT", failedPhase: "BUILD", initiator: "alice", startTime: new Date(now - 5 * HOUR), endTime: new Date(now - 4 * HOUR) },
    { status: "SUCCEEDED", initiator: "alice", startTime: new Date(now - 3 * HOUR), endTime: new Date(now - 3 * HOUR + 30_000) },
    { status: "IN_PROGRESS", phase: "BUILD", initiator: `rule/${RULE}`, startTime: new Date(now - 120_000) },
  ];
  return aws.proxy.builds.createHistory(JOB, runs);
}

describe("support-job status", () => {
  it("a job whose project was deleted by hand names what remains and both ways out; destroy then removes it all", async () => {
    await aws.clients.codebuild.send(new DeleteProjectCommand({ name: JOB }));
    const run = await job.cli(["status"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`job ${JOB} in us-east-1 has no CodeBuild project any more`));
    for (const left of [
      `CodeBuild service role support-job-${JOB}-use1-build`,
      `schedule rule ${RULE}`,
      `alert topic support-job-${JOB}-alerts`,
      `alert rule support-job-${JOB}-alerts`,
    ])
      expect(run.stderr).toContain(left);
    expect(run.stderr).toContain(`\`support-job init --name ${JOB}\``);
    expect(run.stderr).toContain(`\`support-job destroy --name ${JOB}\``);
    const destroy = await job.cli(["destroy", "--name", JOB, "--yes"]);
    expect(destroy.code, destroy.stderr).toBe(0);
    // destroy took the job out of support-job.json too: named, it is gone from AWS.
    const after = await job.cli(["status", "--name", JOB]);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/there is no job nightly-cleanup in us-east-1/);
  });

  it("shows the job, its schedule with the next 3 runs, alerts, no drift, and the run history newest first", async () => {
    await history();
    // The job has succeeded: the next init arms its missed-run alarm (until then drift would say it is missing).
    expect((await job.cli(["init", "--yes"])).code).toBe(0);
    const run = await job.cli(["status"]);
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/Timeliness {2}last success 3 hours ago, next due \d{4}-\d\d-\d\d 03:00 UTC, (on time|late)/);
    expect(out).toMatch(/Missed runs alarm (OK|INSUFFICIENT_DATA|ALARM)/);
    expect(out).toContain("Overlap     one run at a time · no retries");
    expect(out).toContain(`Job ${JOB} · us-east-1 · account ${ACCOUNT}`);
    expect(out).toContain("Source      https://github.com/acme/ops-scripts.git@support-jobs · buildspec.yml");
    expect(out).toContain("Compute     BUILD_GENERAL1_SMALL · aws/codebuild/standard:7.0 (LINUX_CONTAINER) · timeout 60 min");
    expect(out).toContain("Schedule    cron(0 3 * * ? *): at 03:00 every day (UTC) · ENABLED");
    expect(out.match(/^ {2}(Next runs| {9}) {3}\d{4}-\d\d-\d\d 03:00 UTC/gm)).toHaveLength(3);
    expect(out).toContain("Alerts      ops@example.com · confirmed");
    expect(out).toContain("Drift       none: AWS matches support-job.json");
    expect(out).toContain("Last 5 runs (newest first): ●✔⏱✘✔  2 of 4 finished runs succeeded (50%)");

    const table = out.slice(out.indexOf("  #  outcome")).split("\n");
    expect(table[1]).toMatch(/^ {2}5 {2}● running {4}\d{4}-\d\d-\d\d \d\d:\d\d UTC \(2m ago\) {2}2m \ds… +schedule, in BUILD$/);
    expect(table[2]).toMatch(/^ {2}4 {2}✔ succeeded .* \(3h ago\) +30s +manual$/);
    expect(table[3]).toMatch(/^ {2}3 {2}⏱ timed out .* \(5h ago\) +1h 0m +manual$/);
    expect(table[4]).toMatch(/└ BUILD phase: BUILD_TIMED_OUT: Build has timed out\.$/);
    expect(table[5]).toMatch(/^ {2}2 {2}✘ failed .* \(1d ago\) +45s +schedule$/);
    expect(table[6]).toContain("└ BUILD phase: COMMAND_EXECUTION_ERROR: Error while executing command: ./cleanup.sh. Reason: exit status 3");
    expect(table[7]).toMatch(/^ {2}1 {2}✔ succeeded .* \(2d ago\) +1m 12s +schedule$/);
  });

  it("--json gives one document with resources, schedule, alerts, runs and drift (docs/status-json.md)", async () => {
    const ids = await history();
    expect((await job.cli(["init", "--yes"])).code).toBe(0);
    const run = await job.cli(["status", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = json<StatusDoc>(run.stdout);
    expect(doc).toMatchObject({
      name: JOB,
      region: "us-east-1",
      account: ACCOUNT,
      resources: {
        project: { name: JOB, arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOB}` },
        serviceRole: { name: `support-job-${JOB}-use1-build`, arn: `arn:aws:iam::${ACCOUNT}:role/support-job-${JOB}-use1-build` },
        schedule: { name: RULE, arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/${RULE}` },
        alertTopic: { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:support-job-${JOB}-alerts` },
        logGroup: { name: `/aws/codebuild/${JOB}` },
      },
      schedule: { kind: "rule", expression: "cron(0 3 * * ? *)", timezone: "UTC", state: "ENABLED", nextRunsApproximate: false },
      alerts: { email: "ops@example.com", subscription: "confirmed" },
      runsSummary: { shown: 5, finished: 4, succeeded: 2, successRate: 50, more: false },
      lastSuccess: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      nextDue: expect.stringMatching(/T03:00:00\.000Z$/),
      missedRun: {
        watched: true,
        reason: null,
        window: { seconds: 95_040, words: "1 day 2 hours" },
        noticedWithin: { seconds: 8640 },
        alarm: { name: `support-job-${JOB}-missed-run` },
      },
      maxParallel: 1,
      retries: 0,
      drift: { checked: true, changes: [] },
    });
    expect(doc.schedule?.nextRuns).toHaveLength(3);
    for (const t of doc.schedule?.nextRuns ?? []) expect(t).toMatch(/T03:00:00\.000Z$/);

    const runs = doc.runs;
    expect(runs.map((r) => r.id)).toEqual([...ids].reverse());
    expect(runs.map((r) => [r.number, r.status, r.trigger])).toEqual([
      [5, "IN_PROGRESS", "schedule"],
      [4, "SUCCEEDED", "manual"],
      [3, "TIMED_OUT", "manual"],
      [2, "FAILED", "schedule"],
      [1, "SUCCEEDED", "schedule"],
    ]);
    expect(runs[0]).toMatchObject({ endTime: null, failedPhase: null, reason: null });
    expect(runs[3]).toMatchObject({
      failedPhase: "BUILD",
      reasonCode: "COMMAND_EXECUTION_ERROR",
      reason: "Error while executing command: ./cleanup.sh. Reason: exit status 3",
      durationSeconds: 45,
      logsUrl: expect.stringContaining(`group=/aws/codebuild/${JOB}`),
      consoleUrl: expect.stringContaining(`/codesuite/codebuild/${ACCOUNT}/projects/${JOB}/build/`),
    });
    expect(Date.parse(runs[3]!.endTime as string) - Date.parse(runs[3]!.startTime as string)).toBe(45_000);
  });

  it("with 300 runs it reads one page of run ids and one BatchGetBuilds, and shows at most --limit", async () => {
    const now = Date.now();
    await aws.proxy.builds.createHistory(
      JOB,
      Array.from({ length: 300 }, (_, i) => ({
        startTime: new Date(now - (300 - i) * HOUR),
        status: i % 7 === 0 ? ("FAILED" as const) : ("SUCCEEDED" as const),
      })),
    );
    for (const limit of [undefined, "100"]) {
      aws.proxy.resetCalls();
      const run = await job.cli(["status", "--json", ...(limit ? ["--limit", limit] : [])]);
      expect(run.code, run.stderr).toBe(0);
      expect(aws.proxy.count({ service: "codebuild", action: "ListBuildsForProject" })).toBe(1);
      expect(aws.proxy.count({ service: "codebuild", action: "BatchGetBuilds" })).toBe(1);
      const doc = json<{ runs: { number: number }[]; runsSummary: { more: boolean } }>(run.stdout);
      const shown = limit ? 100 : 20;
      expect(doc.runs.map((r) => r.number)).toEqual(Array.from({ length: shown }, (_, i) => 300 - i));
      expect(doc.runsSummary.more).toBe(true);
    }
  });

  it("shows drift between support-job.json and AWS, and how to apply it", async () => {
    const file = join(job.cwd, "support-job.json");
    const config = json<{ jobs: Record<string, Record<string, unknown>> }>(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...config, jobs: { [JOB]: { ...config.jobs[JOB], computeType: "BUILD_GENERAL1_MEDIUM" } } }, null, 2));
    const run = await job.cli(["status"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Drift       1 resource differs from support-job.json (`support-job init --yes` applies it):");
    expect(run.stdout).toMatch(/CodeBuild project nightly-cleanup: changed\n\s+compute type: BUILD_GENERAL1_SMALL → BUILD_GENERAL1_MEDIUM/);
    expect(run.stdout).toContain("Runs: none yet.");

    const doc = json<StatusDoc>((await job.cli(["status", "--json"])).stdout);
    expect(doc.drift).toEqual({
      checked: true,
      changes: [
        {
          resource: "project",
          label: "CodeBuild project",
          name: JOB,
          action: "update",
          changes: [{ field: "compute type", from: "BUILD_GENERAL1_SMALL", to: "BUILD_GENERAL1_MEDIUM" }],
          notes: [],
        },
      ],
    });
  });

  it("never prints an env var's value in drift or in init --dry-run, only that it changed", async () => {
    await aws.reset();
    job = await setUpJob(aws, JOB, ["--env", "STAGE=prod"]);
    // Someone edits the project by hand: a password in plaintext, and a new value for STAGE.
    const [project] = (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects ?? [];
    const environment = project!.environment!;
    await aws.clients.codebuild.send(
      new UpdateProjectCommand({
        name: JOB,
        environment: {
          ...environment,
          environmentVariables: [
            { name: "STAGE", value: "hunter2-stage-by-hand", type: "PLAINTEXT" },
            { name: "DB_PASSWORD", value: "hunter2-password-by-hand", type: "PLAINTEXT" },
          ],
        },
      }),
    );
    const runs = [
      await job.cli(["status"]),
      await job.cli(["status", "--json"]),
      await job.cli(["init", "--dry-run"]),
      await job.cli(["init", "--dry-run", "--json"]),
      await job.cli(["status", "--debug"]),
    ];
    for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain("hunter2");
    const [status, statusJson, dryRun] = runs;
    expect(status!.stdout).toMatch(/env STAGE: plaintext value \(hidden\) → a different plaintext value \(hidden\)/);
    expect(status!.stdout).toMatch(/env DB_PASSWORD: plaintext value \(hidden\) → \(removed\)/);
    expect(dryRun!.stdout).toMatch(/env STAGE: plaintext value \(hidden\) → a different plaintext value \(hidden\)/);
    const drift = json<StatusDoc>(statusJson!.stdout).drift as { changes: { changes: { field: string; from: string; to: string }[] }[] };
    expect(drift.changes.flatMap((c) => c.changes).filter((c) => c.field.startsWith("env "))).toEqual([
      { field: "env STAGE", from: "plaintext value (hidden)", to: "a different plaintext value (hidden)" },
      { field: "env DB_PASSWORD", from: "plaintext value (hidden)", to: "(removed)" },
    ]);
  });

  it("without support-job.json finds the only job in the region and says drift was not checked", async () => {
    const elsewhere = cliIn(aws, tempDir());
    const run = await elsewhere(["status"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Job ${JOB} · us-east-1`);
    expect(run.stdout).toContain("Drift       not checked: no support-job.json in this directory");
    expect(json<StatusDoc>((await elsewhere(["status", "--json"])).stdout).drift).toMatchObject({
      checked: false,
      reason: expect.stringContaining("no support-job.json"),
    });
  });

  it("a job that does not exist is an input error that points at `support-job list`", async () => {
    const run = await job.cli(["status", "--name", "no-such-job"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("there is no job no-such-job in us-east-1");
    expect(run.stderr).not.toMatch(/unexpected error/);
  });

  it("a schedule rule deleted outside support-job is shown as missing, warned about, and reported as drift", async () => {
    const { DeleteRuleCommand, RemoveTargetsCommand } = await import("@aws-sdk/client-eventbridge");
    await aws.clients.events.send(new RemoveTargetsCommand({ Rule: RULE, Ids: ["support-job-codebuild"] }));
    await aws.clients.events.send(new DeleteRuleCommand({ Name: RULE }));
    const run = await job.cli(["status"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Schedule    missing: nothing starts the job on a schedule");
    expect(run.stderr).toContain("has no schedule rule");
    expect(run.stdout).toMatch(/schedule rule support-job-nightly-cleanup-schedule: missing/);
  });
});
