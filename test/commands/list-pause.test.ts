/** Finding jobs (`list`, and commands without --name) and turning schedules off and on (`pause`, `resume`). */
import { DescribeRuleCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { cliIn, json, setUpJob, tempDir, type StatusDoc } from "../helpers/job.js";

const aws = useLocalAws();

beforeEach(async () => {
  await aws.reset();
});

describe("support-job list", () => {
  it("lists every job in the region with its schedule, state, last outcome, next run and alerts", async () => {
    const [cleanup] = await Promise.all([setUpJob(aws, "nightly-cleanup"), setUpJob(aws, "weekly-report")]);
    await aws.proxy.builds.createHistory("nightly-cleanup", [{ status: "FAILED", startTime: new Date(Date.now() - 2 * 3_600_000) }]);
    expect((await cleanup.cli(["pause"])).code).toBe(0);

    const run = await cliIn(aws, tempDir())(["list"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("2 jobs in us-east-1:");
    expect(lines[2]).toMatch(
      /^ {2}nightly-cleanup {2}cron\(0 3 \* \* \? \*\) · at 03:00 every day \(UTC\) {2}DISABLED {2}✘ failed 2h ago {2}paused +email confirmed, no missed-run alarm$/,
    );
    expect(lines[3]).toMatch(
      /^ {2}weekly-report {4}cron\(0 3 \* \* \? \*\) · at 03:00 every day \(UTC\) {2}ENABLED {3}no runs yet +\d{4}-\d\d-\d\d 03:00 UTC \(in \d+h\) {2}email confirmed, no missed-run alarm$/,
    );

    // Outside the jobs' folder, support-job.json cannot say whether an absent missed-run alarm was turned off: "no alarm".
    const doc = json<{ region: string; jobs: Record<string, unknown>[] }>((await cliIn(aws, tempDir())(["list", "--json"])).stdout);
    expect(doc.region).toBe("us-east-1");
    expect(doc.jobs).toMatchObject([
      {
        name: "nightly-cleanup",
        schedule: { expression: "cron(0 3 * * ? *)", state: "DISABLED" },
        lastRun: { status: "FAILED", number: 1 },
        nextRun: null,
        alerts: { email: "ops@example.com", subscription: "confirmed", chatWebhooks: 0, missedRunAlarm: "no alarm" },
      },
      { name: "weekly-report", schedule: { state: "ENABLED" }, lastRun: null, nextRun: expect.stringMatching(/T03:00:00\.000Z$/) },
    ]);
  });

  it("lists a job whose CodeBuild project was deleted by hand apart, with both ways out, and never a rule that is not tagged for a job", async () => {
    const { DeleteProjectCommand } = await import("@aws-sdk/client-codebuild");
    const { PutRuleCommand } = await import("@aws-sdk/client-eventbridge");
    await Promise.all([setUpJob(aws, "nightly-cleanup"), setUpJob(aws, "weekly-report")]);
    await aws.clients.codebuild.send(new DeleteProjectCommand({ name: "weekly-report" }));
    // Someone else's rule that only looks like ours (no support-job:job tag).
    await aws.clients.events.send(new PutRuleCommand({ Name: "support-job-lookalike-alerts", ScheduleExpression: "rate(1 day)" }));

    const run = await cliIn(aws, tempDir())(["list"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^1 job in us-east-1:\n/);
    expect(run.stdout).toMatch(
      /A job has no CodeBuild project in us-east-1 but other resources left \(deleted by hand\?\):\n {2}weekly-report {2}restore it: support-job init --name weekly-report · remove the rest: support-job destroy --name weekly-report/,
    );
    expect(run.stdout).not.toMatch(/lookalike/);

    const doc = json<{ jobs: { name: string }[]; leftBehind: { name: string; restore: string; remove: string }[] }>(
      (await cliIn(aws, tempDir())(["list", "--json"])).stdout,
    );
    expect(doc.jobs.map((j) => j.name)).toEqual(["nightly-cleanup"]);
    expect(doc.leftBehind).toEqual([
      { name: "weekly-report", restore: "support-job init --name weekly-report", remove: "support-job destroy --name weekly-report" },
    ]);
  });

  it("says how to start when there is no job, and leaves projects without the job tag out", async () => {
    const { CreateProjectCommand } = await import("@aws-sdk/client-codebuild");
    await aws.clients.codebuild.send(
      new CreateProjectCommand({
        name: "someone-elses",
        source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_SMALL" },
        serviceRole: "arn:aws:iam::123456789012:role/other",
      }),
    );
    const run = await cliIn(aws, tempDir())(["list"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("No support-job jobs in us-east-1. Create one with `support-job init`.\n");
  });

  it("without --name or support-job.json, several jobs are an input error that lists them", async () => {
    await Promise.all([setUpJob(aws, "nightly-cleanup"), setUpJob(aws, "weekly-report")]);
    const run = await cliIn(aws, tempDir())(["status"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("2 jobs in us-east-1: nightly-cleanup, weekly-report; say which one (example: --name nightly-cleanup)");
  });
});

describe("support-job pause / resume", () => {
  it("disables and enables the schedule rule, keeps its target, and status shows it", async () => {
    const job = await setUpJob(aws, "nightly-cleanup");
    const rule = () => aws.clients.events.send(new DescribeRuleCommand({ Name: "support-job-nightly-cleanup-schedule" }));

    const paused = await job.cli(["pause"]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain("Paused: the schedule of job nightly-cleanup (cron(0 3 * * ? *)) starts no runs until `support-job resume`.");
    expect((await rule()).State).toBe("DISABLED");
    const targets = await aws.clients.events.send(new ListTargetsByRuleCommand({ Rule: "support-job-nightly-cleanup-schedule" }));
    expect(targets.Targets).toHaveLength(1);

    const status = await job.cli(["status", "--json"]);
    expect(json<StatusDoc>(status.stdout).schedule).toMatchObject({ state: "DISABLED", nextRuns: [] });
    expect((await job.cli(["status"])).stdout).toContain("DISABLED (paused: `support-job resume` turns it back on)");

    aws.proxy.resetCalls();
    const again = await job.cli(["pause"]);
    expect(again.stdout).toContain("Already paused");
    expect(aws.proxy.writes()).toEqual([]);

    const resumed = await job.cli(["resume"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Resumed: job nightly-cleanup runs at 03:00 every day \(UTC\) again\.\n {2}Next run: \d{4}-\d\d-\d\d 03:00 UTC\./);
    expect((await rule()).State).toBe("ENABLED");
  });

  it("pauses a time-zone schedule (EventBridge Scheduler) without changing anything else about it", async () => {
    const job = await setUpJob(aws, "weekday-report", ["--timezone", "Europe/Paris"]);
    const read = () => aws.clients.scheduler.send(new GetScheduleCommand({ Name: "support-job-weekday-report", GroupName: "support-job-weekday-report" }));
    const before = await read();
    expect((await job.cli(["pause"])).code).toBe(0);
    const after = await read();
    expect(after.State).toBe("DISABLED");
    const { State: _s1, LastModificationDate: _m1, $metadata: _d1, ...kept } = before;
    const { State: _s2, LastModificationDate: _m2, $metadata: _d2, ...now } = after;
    expect(now).toEqual(kept);
    expect(json<StatusDoc>((await job.cli(["status", "--json"])).stdout).schedule).toMatchObject({
      kind: "scheduler",
      timezone: "Europe/Paris",
      state: "DISABLED",
    });
    expect((await job.cli(["resume"])).code).toBe(0);
    expect((await read()).State).toBe("ENABLED");
  });
});
