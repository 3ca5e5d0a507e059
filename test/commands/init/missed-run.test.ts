/**
 * Never silent (issue #13): the missed-run alarm, no overlapping runs and retries, set up by `init --yes` against
 * moto through the test proxy and read back with the SDK. CloudWatch alarms are moto's own (JSON 1.0 protocol);
 * concurrentBuildLimit and autoRetryLimit are dropped by moto's CreateProject and kept by the proxy (see
 * tools/local-aws/proxy-codebuild.ts).
 */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeAlarmsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { ACCOUNT, JOB } from "../../helpers/constants.js";

const aws = useLocalAws();
let cwd: string;
const cli = (args: string[]) => runCli(args, { env: { ...aws.env, SUPPORT_JOB_POLL_MS: "20" }, cwd });
const flags = (schedule: string, extra: string[] = []) => [
  "--name",
  JOB,
  "--repo",
  "https://github.com/acme/ops-scripts",
  "--schedule",
  schedule,
  "--email",
  "ops@example.com",
  ...extra,
];
const ALARM = `support-job-${JOB}-missed-run`;
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:support-job-${JOB}-alerts`;

const alarms = async () => (await aws.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }))).MetricAlarms ?? [];

beforeEach(async () => {
  await aws.reset();
  cwd = mkdtempSync(join(tmpdir(), "support-job-missed-run-"));
});

/** A fresh init (no alarm yet), one successful run, then init again: the success arms the alarm. */
async function armedJob(schedule: string, extra: string[] = []): Promise<{ first: string; second: string }> {
  const first = await cli(["init", "--yes", ...flags(schedule, extra)]);
  expect(first.code, first.stderr).toBe(0);
  expect(await alarms()).toEqual([]);
  const run = await cli(["run-now", "--wait"]);
  expect(run.code, run.stderr).toBe(0);
  const second = await cli(["init", "--yes"]);
  expect(second.code, second.stderr).toBe(0);
  return { first: first.stdout, second: second.stdout };
}

describe("the missed-run alarm", () => {
  it.each([
    // Period = longest gap + grace (10% of the gap, at least 15 minutes), one evaluation period.
    { schedule: "rate(1 hour)", zone: "UTC", period: 3600 + 900 },
    { schedule: "rate(1 day)", zone: "UTC", period: 86_400 + 8640 },
    { schedule: "cron(0 3 * * ? *)", zone: "UTC", period: 86_400 + 8640 },
    // The weekend when clocks go back is the longest gap: Friday 07:00 to Monday 07:00 Paris time is 73 hours.
    { schedule: "cron(0 7 ? * MON-FRI *)", zone: "Europe/Paris", period: 73 * 3600 + 26_280 },
  ])(
    "$schedule in $zone: SucceededBuilds Sum < 1 per ProjectName over $period s, armed by the first success",
    async ({ schedule, zone, period }) => {
      const { first, second } = await armedJob(schedule, ["--timezone", zone]);
      // No alarm before the first due time: the plan says when it will be armed.
      expect(first).toMatch(/= unchanged\s+missed-run alarm\s+support-job-nightly-cleanup-missed-run/);
      expect(first).toMatch(/note: not armed yet: armed after the first successful run, or from \d{4}-\d\d-\d\d \d\d:\d\d /);
      expect(second).toMatch(/\+ create\s+missed-run alarm/);
      const [alarm] = await alarms();
      expect(alarm).toMatchObject({
        Namespace: "AWS/CodeBuild",
        MetricName: "SucceededBuilds",
        Dimensions: [{ Name: "ProjectName", Value: JOB }],
        Statistic: "Sum",
        Period: period,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "breaching",
        ActionsEnabled: true,
        AlarmActions: [TOPIC_ARN],
        OKActions: [TOPIC_ARN],
      });
      expect(alarm!.AlarmDescription).toMatch(new RegExp(`^support-job ${JOB}: no run of the job succeeded .* See why: support-job status --name ${JOB}$`));
      const tags = await aws.clients.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm!.AlarmArn }));
      expect(tags.Tags).toContainEqual({ Key: "support-job:job", Value: JOB });

      // The same answers again: nothing to write.
      aws.proxy.resetCalls();
      const again = await cli(["init", "--yes"]);
      expect(again.code, again.stderr).toBe(0);
      expect(aws.proxy.writes()).toEqual([]);
    },
    60_000,
  );

  it.each([
    {
      schedule: "cron(0 3 1 * ? *)",
      why: /runs can be 31 days apart; .* over the 7 days a CloudWatch alarm can look back, so missed runs of this job are not watched/,
    },
    { schedule: "rate(8 days)", why: /runs can be 8 days apart; .* so missed runs of this job are not watched/ },
  ])(
    "$schedule: not watched, and the plan says why (no alarm is faked)",
    async ({ schedule, why }) => {
      const { first, second } = await armedJob(schedule);
      for (const text of [first, second]) expect(text).toMatch(why);
      expect(await alarms()).toEqual([]);
      const status = await cli(["status", "--json"]);
      expect(status.code, status.stderr).toBe(0);
      const doc = JSON.parse(status.stdout) as { missedRun: { watched: boolean; reason?: string } };
      expect(doc.missedRun.watched).toBe(false);
      expect(doc.missedRun.reason).toMatch(why);
    },
    60_000,
  );

  it("--expect-every watches a looser window than the schedule's gap; a too-short one is refused before any AWS call (exit 2)", async () => {
    const short = await cli(["init", "--yes", ...flags("rate(1 day)", ["--expect-every", "12h"])]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--expect-every: 12 hours is shorter than the schedule's longest gap \(1 day\)/);
    expect(aws.proxy.calls).toEqual([]);
    // A daily job that may skip a day without anyone being told.
    await armedJob("rate(1 day)", ["--expect-every", "2d", "--grace", "1h"]);
    const [alarm] = await alarms();
    expect(alarm).toMatchObject({ Period: 2 * 86_400 + 3600, EvaluationPeriods: 1 });
  }, 60_000);

  it("--no-missed-run-alarm deletes the job's alarm; destroy removes it with the rest", async () => {
    await armedJob("rate(1 day)");
    expect(await alarms()).toHaveLength(1);
    const off = await cli(["init", "--yes", "--no-missed-run-alarm"]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/- delete\s+missed-run alarm/);
    expect(await alarms()).toEqual([]);
    const on = await cli(["init", "--yes", "--missed-run-alarm"]);
    expect(on.code, on.stderr).toBe(0);
    expect(await alarms()).toHaveLength(1);
    const gone = await cli(["destroy", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(await alarms()).toEqual([]);
  }, 60_000);
});

describe("pause and resume", () => {
  it("pause turns the alarm's actions off (a paused job runs nothing on purpose), init keeps it so, resume turns them on", async () => {
    await armedJob("rate(1 day)");
    const pause = await cli(["pause"]);
    expect(pause.code, pause.stderr).toBe(0);
    expect((await alarms())[0]?.ActionsEnabled).toBe(false);
    aws.proxy.resetCalls();
    expect((await cli(["init", "--yes"])).code).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
    expect((await cli(["resume"])).code).toBe(0);
    expect((await alarms())[0]?.ActionsEnabled).toBe(true);
  }, 60_000);
});

describe("test-alert", () => {
  it("proves the alarm path too: SetAlarmState to ALARM, then back to the state it was in", async () => {
    await armedJob("rate(1 day)");
    aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    aws.proxy.resetCalls();
    const run = await cli(["test-alert"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Missed-run alarm: ${ALARM} was set to ALARM and back to OK: an "ALARM" email and an "OK" email should arrive too.`);
    expect(aws.proxy.count({ service: "monitoring", action: "SetAlarmState" })).toBe(2);
    // Back where it was, and CloudWatch's record says who put it there.
    expect((await alarms())[0]).toMatchObject({ StateValue: "OK", StateReason: expect.stringContaining("support-job test-alert") });
  }, 60_000);
});

describe("overlap and retries", () => {
  it("--retries: the service role may RetryBuild its own project, the alert rule alerts on the last attempt only, test-alert runs once", async () => {
    expect((await cli(["init", "--yes", ...flags("rate(1 day)", ["--retries", "2"])])).code).toBe(0);
    const role = await aws.clients.iam.send(new GetRolePolicyCommand({ RoleName: `support-job-${JOB}-use1-build`, PolicyName: "support-job-base" }));
    const policy = JSON.parse(decodeURIComponent(role.PolicyDocument!)) as { Statement: { Sid?: string }[] };
    expect(policy.Statement).toContainEqual({
      Sid: "RetryOwnFailedRuns",
      Effect: "Allow",
      Action: ["codebuild:RetryBuild"],
      Resource: [`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOB}`],
    });
    const rule = await aws.clients.events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-alerts` }));
    const pattern = JSON.parse(rule.EventPattern!) as { detail: { $or: unknown[] } };
    expect(pattern.detail.$or).toContainEqual({ "additional-information": { "auto-retry-config": { "auto-retry-number": [{ exists: false }] } } });
    expect(pattern.detail.$or).toContainEqual({ "additional-information": { "auto-retry-config": { "auto-retry-limit": [2], "auto-retry-number": [2] } } });
    aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    expect((await cli(["test-alert"])).code).toBe(0);
    expect(aws.proxy.builds.startRequests.at(-1)?.request).toMatchObject({ autoRetryLimitOverride: 0 });
  }, 60_000);

  it("the project has concurrentBuildLimit 1 and autoRetryLimit 0 by default; --max-parallel and --retries change them, read back", async () => {
    const project = async () => (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects![0]!;
    expect((await cli(["init", "--yes", ...flags("rate(1 day)")])).code).toBe(0);
    expect(await project()).toMatchObject({ concurrentBuildLimit: 1, autoRetryLimit: 0 });
    const changed = await cli(["init", "--yes", "--max-parallel", "3", "--retries", "2"]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/max parallel runs: 1 → 3/);
    expect(changed.stdout).toMatch(/retries: 0 → 2/);
    expect(await project()).toMatchObject({ concurrentBuildLimit: 3, autoRetryLimit: 2 });
    aws.proxy.resetCalls();
    expect((await cli(["init", "--yes"])).code).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
  }, 60_000);

  it.each([
    ["--retries", "11", /--retries: "11" is not a whole number from 0 to 10/],
    ["--max-parallel", "0", /--max-parallel: "0" is not a whole number from 1 to 100/],
    ["--grace", "soon", /--grace: "soon" is not a duration/],
  ])("%s %s is refused before any AWS call (exit 2, one line naming the flag)", async (flag, value, message) => {
    const run = await cli(["init", "--yes", ...flags("rate(1 day)", [flag, value])]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(aws.proxy.calls).toEqual([]);
  });
});
