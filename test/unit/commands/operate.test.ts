/**
 * The pure parts of operating a job: summarising builds, rendering runs and status, and the few AWS paths
 * moto cannot show (a pending email subscription, a log read over several pages) with aws-sdk-client-mock.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { Build } from "@aws-sdk/client-codebuild";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientsForMocks } from "../../helpers/mocked-clients.js";
import type { Clients } from "../../../src/aws/clients.js";
import { envOverrides } from "../../../src/commands/run-now.js";
import { parseLimit } from "../../../src/commands/status.js";
import { formatStatus, statusToJson } from "../../../src/ui/status.js";
import { missedRunStatus } from "../../../src/deployed/missed-run.js";
import { parseRunId } from "../../../src/commands/logs.js";
import { InputError, InputErrors } from "../../../src/errors.js";
import { drainLog } from "../../../src/runs/logs.js";
import { watchRun } from "../../../src/runs/watch.js";
import { failureOf, summariseRun, triggerOf } from "../../../src/runs/history.js";
import { updateInput } from "../../../src/resources/scheduler.js";
import { alertStatus, scheduleStatus, type JobStatus } from "../../../src/deployed/status.js";
import { jobNames } from "../../../src/desired/names.js";
import { formatDuration, outcomeLine, renderOutcomeSummary, renderRunTable, runToJson, successRate, timeAgo } from "../../../src/ui/runs.js";
import { initToJson, jobTime, timeInZones } from "../../../src/ui/format.js";
import type { Plan } from "../../../src/resources/types.js";
import { isForeign } from "../../../src/resources/types.js";
import { isRolePropagation } from "../../../src/aws/errors.js";
import { setColor } from "../../../src/ui/style.js";
import { fileAccountNote, otherAccountNote, refuseOtherAccount } from "../../../src/commands/open-job.js";
import { readJobsFile } from "../../../src/settings/file.js";

const NOW = new Date("2026-03-10T12:00:00Z");
const NAMES = jobNames("nightly-cleanup", "us-east-1");
const at = (iso: string) => new Date(iso);

/** BatchGetBuilds' build, trimmed: a run that failed in BUILD. */
const failedBuild: Build = {
  id: "nightly-cleanup:0b6e9c1e-2f1d-4c1a-9a51-3c7f4a3d2e10",
  arn: "arn:aws:codebuild:us-east-1:123456789012:build/nightly-cleanup:0b6e9c1e-2f1d-4c1a-9a51-3c7f4a3d2e10",
  buildNumber: 41,
  startTime: at("2026-03-10T09:00:00Z"),
  endTime: at("2026-03-10T09:01:12Z"),
  currentPhase: "COMPLETED",
  buildStatus: "FAILED",
  buildComplete: true,
  initiator: "rule/support-job-nightly-cleanup-schedule",
  phases: [
    { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED" },
    { phaseType: "PROVISIONING", phaseStatus: "SUCCEEDED", contexts: [{ statusCode: "", message: "" }] },
    {
      phaseType: "BUILD",
      phaseStatus: "FAILED",
      contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: ./support.sh. Reason: exit status 1" }],
    },
    { phaseType: "POST_BUILD", phaseStatus: "SUCCEEDED", contexts: [{ statusCode: "", message: "" }] },
    { phaseType: "COMPLETED" },
  ],
  logs: {
    groupName: "/aws/codebuild/nightly-cleanup",
    streamName: "0b6e9c1e-2f1d-4c1a-9a51-3c7f4a3d2e10",
    deepLink: "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/nightly-cleanup;stream=0b6e9c1e",
  },
};

const runningBuild: Build = {
  id: "nightly-cleanup:5c1d",
  buildNumber: 42,
  startTime: at("2026-03-10T11:58:00Z"),
  currentPhase: "BUILD",
  buildStatus: "IN_PROGRESS",
  buildComplete: false,
  initiator: "alice",
  phases: [{ phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED" }, { phaseType: "BUILD" }],
};

const succeededBuild: Build = {
  ...failedBuild,
  id: "nightly-cleanup:aa",
  buildNumber: 40,
  buildStatus: "SUCCEEDED",
  phases: [],
  startTime: at("2026-03-09T03:00:00Z"),
  endTime: at("2026-03-09T03:00:45Z"),
};

const summarise = (b: Build) => summariseRun(b, { names: NAMES, region: "us-east-1", now: NOW });

beforeAll(() => setColor(false));

describe("durations and relative times", () => {
  it("reads like a person would say them", () => {
    expect([45, 72, 3600 + 180, 86_400 + 4 * 3600].map(formatDuration)).toEqual(["45s", "1m 12s", "1h 3m", "1d 4h"]);
    expect(timeAgo(at("2026-03-10T09:00:00Z"), NOW)).toBe("3h ago");
    expect(timeAgo(at("2026-03-10T11:59:58Z"), NOW)).toBe("just now");
    expect(timeAgo(at("2026-03-08T12:00:00Z"), NOW)).toBe("2d ago");
    expect(timeAgo(at("2026-03-10T12:05:00Z"), NOW)).toBe("in 5m");
  });
});

describe("a run, summarised from BatchGetBuilds", () => {
  it("a failed scheduled run names its failed phase, the reason, and links to its log and console page", () => {
    expect(summarise(failedBuild)).toMatchObject({
      number: 41,
      status: "FAILED",
      trigger: "schedule",
      durationSeconds: 72,
      failedPhase: "BUILD",
      reasonCode: "COMMAND_EXECUTION_ERROR",
      reason: "Error while executing command: ./support.sh. Reason: exit status 1",
      logsUrl: failedBuild.logs?.deepLink,
      consoleUrl: expect.stringContaining("/codesuite/codebuild/123456789012/projects/nightly-cleanup/build/nightly-cleanup%3A0b6e9c1e"),
    });
  });

  it("a running run has no end and counts its duration so far", () => {
    expect(summarise(runningBuild)).toMatchObject({
      status: "IN_PROGRESS",
      complete: false,
      endTime: undefined,
      durationSeconds: 120,
      failedPhase: undefined,
      trigger: "manual",
    });
  });

  it("tells schedule from manual by the initiator", () => {
    expect(triggerOf("rule/support-job-nightly-cleanup-schedule", NAMES)).toBe("schedule");
    expect(triggerOf("support-job-nightly-cleanup-use1-scheduler/4f1c2d", NAMES)).toBe("schedule");
    expect(triggerOf("alice", NAMES)).toBe("manual");
    expect(triggerOf("admin-role/alice@example.com", NAMES)).toBe("manual");
    expect(triggerOf(undefined, NAMES)).toBe("manual");
  });

  it("a run started by the role names of the first releases (no region code) is still a scheduled run", () => {
    expect(triggerOf("support-job-nightly-cleanup-scheduler/4f1c2d", NAMES)).toBe("schedule");
    expect(triggerOf("support-job-nightly-cleanup-start/8a9b", NAMES)).toBe("schedule");
    expect(triggerOf("support-job-other-job-scheduler/4f1c2d", NAMES)).toBe("manual");
  });

  it("a timed-out run reports the phase that timed out; a succeeded one reports none", () => {
    const timedOut = failureOf({
      buildStatus: "TIMED_OUT",
      phases: [{ phaseType: "BUILD", phaseStatus: "TIMED_OUT", contexts: [{ statusCode: "BUILD_TIMED_OUT", message: "Build has timed out. " }] }],
    });
    expect(timedOut).toEqual({ phase: "BUILD", code: "BUILD_TIMED_OUT", message: "Build has timed out." });
    expect(failureOf(succeededBuild)).toEqual({ phase: undefined, code: undefined, message: undefined });
  });
});

describe("the run history", () => {
  it("groups a run with its automatic retries: failed, retried, then the retry that succeeded (autoRetryConfig)", () => {
    const retried = summarise({ ...failedBuild, autoRetryConfig: { autoRetryLimit: 2, autoRetryNumber: 0, nextAutoRetry: "arn:aws:codebuild:x:build/r1" } });
    const retry = summarise({
      ...succeededBuild,
      buildNumber: 42,
      startTime: at("2026-03-10T09:02:00Z"),
      endTime: at("2026-03-10T09:03:00Z"),
      autoRetryConfig: { autoRetryLimit: 2, autoRetryNumber: 1, previousAutoRetry: failedBuild.arn },
    });
    const table = renderRunTable([retry, retried], { now: NOW, timeZone: "UTC" }).split("\n");
    expect(table[1]).toMatch(/^ {2}42 {2}✔ succeeded .* schedule, retry 1 of 2$/);
    expect(table[2]).toMatch(/^ {2}41 {2}✘ failed .* schedule, first attempt, retried$/);
    expect(runToJson(retry)).toMatchObject({ retry: { attempt: 1, of: 2, retried: false, retryOf: failedBuild.arn } });
    expect(runToJson(summarise(succeededBuild))).toMatchObject({ retry: null });
  });

  const runs = [runningBuild, failedBuild, succeededBuild].map(summarise);

  it("one line of outcomes and the success rate of the finished runs", () => {
    expect(outcomeLine(runs)).toBe("●✘✔");
    expect(successRate(runs)).toEqual({ succeeded: 1, finished: 2, percent: 50 });
    expect(renderOutcomeSummary(runs)).toBe("●✘✔  1 of 2 finished runs succeeded (50%)");
  });

  it("a table with number, outcome, start time and age, duration and trigger; a failed run's reason under it", () => {
    expect(renderRunTable(runs, { now: NOW, timeZone: "UTC" }).split("\n")).toEqual([
      "   #  outcome      started                        duration  trigger",
      "  42  ● running    2026-03-10 11:58 UTC (2m ago)  2m 0s…    manual, in BUILD",
      "  41  ✘ failed     2026-03-10 09:00 UTC (3h ago)  1m 12s    schedule",
      "      └ BUILD phase: COMMAND_EXECUTION_ERROR: Error while executing command: ./support.sh. Reason: exit status 1",
      "  40  ✔ succeeded  2026-03-09 03:00 UTC (1d ago)  45s       schedule",
    ]);
  });
});

function status(over: Partial<JobStatus> = {}): JobStatus {
  return {
    name: "nightly-cleanup",
    region: "us-east-1",
    account: "123456789012",
    now: NOW,
    owner: "nightly-cleanup",
    job: {
      repository: "https://github.com/acme/ops.git",
      sourceType: "GITHUB",
      branch: "support-jobs",
      buildspec: "buildspec.yml",
      computeType: "BUILD_GENERAL1_SMALL",
      image: "aws/codebuild/standard:7.0",
      environmentType: "LINUX_CONTAINER",
      timeoutMinutes: 60,
    },
    resources: { project: { label: "CodeBuild project", name: "nightly-cleanup", arn: "arn:aws:codebuild:us-east-1:123456789012:project/nightly-cleanup" } },
    schedule: scheduleStatus(
      {
        kind: "rule",
        name: NAMES.scheduleRule,
        arn: "arn:aws:events:us-east-1:123456789012:rule/x",
        expression: "cron(0 3 * * ? *)",
        timezone: "UTC",
        state: "ENABLED",
      },
      NOW,
    ),
    alerts: alertStatus(
      [{ Protocol: "email", Endpoint: "ops@example.com", SubscriptionArn: "arn:aws:sns:us-east-1:123456789012:support-job-nightly-cleanup-alerts:1" }],
      "arn:aws:sns:us-east-1:123456789012:support-job-nightly-cleanup-alerts",
      "ops@example.com",
    ),
    runs: [failedBuild, succeededBuild].map(summarise),
    moreRuns: false,
    drift: { checked: false, reason: "no support-job.json in this directory, so drift was not checked" },
    missedRun: missedRunStatus({
      schedule: { expression: "cron(0 3 * * ? *)", timezone: "UTC", state: "ENABLED" },
      alarm: undefined,
      builds: [failedBuild, succeededBuild],
      since: new Date("2026-01-01T00:00:00Z"),
      now: NOW,
    }),
    maxParallel: 1,
    retries: 0,
    ...over,
  };
}

describe("the status summary", () => {
  it("says when the job last succeeded, when it is next due, whether it is overdue, and what the missed-run alarm watches", () => {
    const text = formatStatus(status(), { timeZone: "UTC" }).lines.join("\n");
    // Due 2026-03-10 03:00 UTC, grace 2 h 24 min (10% of a day), last success the day before: overdue.
    expect(text).toMatch(/Timeliness {2}last success 1 day \d+ hours? ago, next due 2026-03-11 03:00 UTC, overdue/);
    expect(text).toContain("Missed runs alarm not armed yet");
    expect(text).toMatch(/alarm if no run succeeds within 1 day 2 hours: a missed run is noticed at most 2 hours 24 minutes after it was due/);
    expect(text).toContain("Overlap     one run at a time · no retries");
    const json = statusToJson(status());
    expect(json).toMatchObject({
      lastSuccess: expect.stringMatching(/^2026-03-09T03:0/),
      nextDue: "2026-03-11T03:00:00.000Z",
      missedRun: { state: "overdue", watched: true, reason: null, window: { seconds: 95_040 }, noticedWithin: { seconds: 8640 }, alarm: null },
      maxParallel: 1,
      retries: 0,
    });
    const monthly = missedRunStatus({
      schedule: { expression: "cron(0 3 1 * ? *)", timezone: "UTC", state: "ENABLED" },
      alarm: undefined,
      builds: [],
      since: NOW,
      now: NOW,
    });
    expect(formatStatus(status({ missedRun: monthly }), { timeZone: "UTC" }).lines.join("\n")).toMatch(
      /Missed runs not watched: runs can be 31 days apart; .* so missed runs of this job are not watched/,
    );
  });

  it("shows the job, the schedule in words with its next 3 runs in UTC and local time, alerts and drift", () => {
    const { lines, warnings } = formatStatus(status(), { timeZone: "Europe/Paris" });
    const text = lines.join("\n");
    expect(text).toContain("Source      https://github.com/acme/ops.git@support-jobs · buildspec.yml");
    expect(text).toContain("Compute     BUILD_GENERAL1_SMALL · aws/codebuild/standard:7.0 (LINUX_CONTAINER)");
    expect(text).toContain("Schedule    cron(0 3 * * ? *): at 03:00 every day (UTC) · ENABLED");
    expect(text).toContain("Next runs   2026-03-11 03:00 UTC · 2026-03-11 04:00 CET (in 15h)");
    expect(text).toContain("            2026-03-13 03:00 UTC · 2026-03-13 04:00 CET");
    expect(text).toContain("Alerts      ops@example.com · confirmed");
    expect(text).toContain("Drift       not checked: no support-job.json in this directory");
    expect(text).toContain("Last 2 runs (newest first): ✘✔  1 of 2 finished runs succeeded (50%)");
    expect(warnings).toEqual([]);
  });

  it('a pending email subscription (SubscriptionArn "PendingConfirmation") is shown and warned about', () => {
    const alerts = alertStatus(
      [{ Protocol: "email", Endpoint: "ops@example.com", SubscriptionArn: "PendingConfirmation" }],
      "arn:aws:sns:us-east-1:123456789012:t",
      undefined,
    );
    expect(alerts).toMatchObject({ email: "ops@example.com", subscription: "pending" });
    const { lines, warnings } = formatStatus(status({ alerts }), { timeZone: "UTC" });
    expect(lines.join("\n")).toContain("Alerts      ops@example.com · pending confirmation");
    expect(warnings.join("\n")).toMatch(/ops@example.com has not confirmed the alert subscription.*expires after 2 days/);
    expect(statusToJson(status({ alerts })).alerts).toMatchObject({ email: "ops@example.com", subscription: "pending" });
  });

  it("without support-job.json, the alert address is the one support-job recorded on the topic, not a hand-added subscriber", () => {
    const subs = [
      { Protocol: "email", Endpoint: "someone-else@example.com", SubscriptionArn: "arn:aws:sns:us-east-1:123456789012:t:1" },
      { Protocol: "email", Endpoint: "ops@example.com", SubscriptionArn: "PendingConfirmation" },
    ];
    expect(alertStatus(subs, "arn:t", undefined, ["ops@example.com"])).toMatchObject({
      email: "ops@example.com",
      subscription: "pending",
      others: [{ email: "someone-else@example.com", subscription: "confirmed" }],
    });
    // Recorded, but no longer subscribed: missing, never somebody else's address.
    expect(alertStatus(subs.slice(0, 1), "arn:t", undefined, ["ops@example.com"])).toMatchObject({ email: undefined, subscription: "missing" });
  });

  it("no email subscription at all is 'missing'", () => {
    expect(alertStatus([], "arn:t", "ops@example.com")).toMatchObject({ email: "ops@example.com", subscription: "missing", topicExists: true });
  });

  it("a paused schedule has no next runs", () => {
    const paused = scheduleStatus({ kind: "rule", name: "r", arn: "a", expression: "rate(1 day)", timezone: "UTC", state: "DISABLED" }, NOW);
    expect(paused.nextRuns).toEqual([]);
    expect(formatStatus(status({ schedule: paused }), { timeZone: "UTC" }).lines.join("\n")).toMatch(
      /DISABLED \(paused: `support-job resume`.*\n.*Next runs\s+none while paused/,
    );
  });
});

describe("times in several zones", () => {
  it("shows a time once when the viewer's or the schedule's zone reads the same as UTC (Etc/UTC, a CI machine)", () => {
    const { lines } = formatStatus(status(), { timeZone: "Etc/UTC" });
    expect(lines.join("\n")).toContain("Next runs   2026-03-11 03:00 UTC (in 15h)");
    const zoned = scheduleStatus({ kind: "rule", name: "r", arn: "a", expression: "cron(0 3 * * ? *)", timezone: "Etc/UTC", state: "ENABLED" }, NOW);
    expect(formatStatus(status({ schedule: zoned }), { timeZone: "UTC" }).lines.join("\n")).not.toMatch(/UTC · \S+ \S+ UTC/);
    expect(timeInZones(NOW, ["UTC", "Etc/UTC", "UCT", "Europe/Paris"])).toEqual(["2026-03-10 12:00 UTC", "2026-03-10 13:00 CET"]);
  });

  it("status, list and resume show a run in the job's zone, then UTC, then the viewer's zone", async () => {
    const zoned = scheduleStatus(
      { kind: "rule", name: "r", arn: "a", expression: "cron(30 7 ? * MON-FRI *)", timezone: "Europe/Paris", state: "ENABLED" },
      NOW,
    );
    const inStatus = formatStatus(status({ schedule: zoned }), { timeZone: "America/New_York" }).lines.join("\n");
    expect(inStatus).toContain("Next runs   2026-03-11 07:30 CET · 2026-03-11 06:30 UTC · 2026-03-11 02:30 EDT (in 18h)");
    const { renderJobList } = await import("../../../src/ui/list.js");
    const inList = renderJobList([{ name: "report", schedule: zoned, lastRun: undefined, alerts: undefined }], {
      now: NOW,
      timeZone: "America/New_York",
      region: "us-east-1",
    });
    expect(inList).toContain("2026-03-11 07:30 CET · 2026-03-11 06:30 UTC · 2026-03-11 02:30 EDT");
    expect(jobTime(NOW, "Europe/Paris", "America/New_York")).toBe("2026-03-10 13:00 CET · 2026-03-10 12:00 UTC · 2026-03-10 08:00 EDT");
  });
});

describe("a schedule that never fires again (edited by hand, or saved before init refused it)", () => {
  it("keeps the Next runs row and says why there is none", () => {
    const never = scheduleStatus({ kind: "rule", name: "r", arn: "a", expression: "cron(0 7 30 2 ? *)", timezone: "UTC", state: "ENABLED" }, NOW);
    expect(never.nextRuns).toEqual([]);
    expect(formatStatus(status({ schedule: never }), { timeZone: "UTC" }).lines.join("\n")).toMatch(
      /Next runs\s+none: cron\(0 7 30 2 \? \*\) never fires: no FEB has the day it names/,
    );
  });
});

describe("guards, each held by more than one test", () => {
  it("ownership: another job's resource is never ours, an untagged one only with --adopt", () => {
    expect(isForeign("nightly-cleanup", "nightly-cleanup", false)).toBe(false);
    expect(isForeign("weekly-report", "nightly-cleanup", false)).toBe(true);
    expect(isForeign("weekly-report", "nightly-cleanup", true)).toBe(true);
    expect(isForeign(undefined, "nightly-cleanup", false)).toBe(true);
    expect(isForeign(undefined, "nightly-cleanup", true)).toBe(false);
  });

  it("the IAM-propagation wait retries only the role-not-assumable-yet errors, nothing else", () => {
    const error = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(
      isRolePropagation(error("InvalidInputException", "CodeBuild is not authorized to perform: sts:AssumeRole on arn:aws:iam::123456789012:role/x")),
    ).toBe(true);
    expect(isRolePropagation(error("ValidationException", "The execution role you provide must allow AWS EventBridge Scheduler to assume the role."))).toBe(
      true,
    );
    expect(isRolePropagation(error("ValidationException", "Role arn:aws:iam::1:role/x cannot be assumed by principal scheduler.amazonaws.com."))).toBe(true);
    expect(isRolePropagation(error("InvalidInputException", "Invalid buildspec"))).toBe(false);
    expect(isRolePropagation(error("AccessDeniedException", "User is not authorized to perform: codebuild:CreateProject"))).toBe(false);
    expect(isRolePropagation(error("ValidationException", "Parameter ScheduleExpression is not valid."))).toBe(false);
    expect(isRolePropagation("not an error")).toBe(false);
  });
});

describe("inputs", () => {
  it("--limit is 1 to 100", () => {
    expect(parseLimit(undefined)).toBe(20);
    expect(parseLimit("100")).toBe(100);
    expect(() => parseLimit("0")).toThrow(InputError);
    expect(() => parseLimit("101")).toThrow(/1 to 100/);
    expect(() => parseLimit("ten")).toThrow(InputError);
  });

  it("--env is checked like init's: plain values, Parameter Store and Secrets Manager references; secrets refused in plain text", () => {
    expect(envOverrides(["STAGE=test", "DB_PASSWORD=ssm:/cleanup/db"])).toEqual([
      { name: "STAGE", value: "test", type: "PLAINTEXT" },
      { name: "DB_PASSWORD", value: "/cleanup/db", type: "PARAMETER_STORE" },
    ]);
    expect(() => envOverrides(["API_TOKEN=abc"])).toThrow(/looks like a secret/);
    expect(() => envOverrides(["1X=2", "NOPE"])).toThrow(InputErrors);
    expect(() => envOverrides(["A=1", "A=2"])).toThrow(/more than once/);
  });

  it("a run id is project:uuid, or a bare uuid of the job found the usual way", () => {
    expect(parseRunId("nightly-cleanup:0b6e9c1e")).toEqual({ project: "nightly-cleanup", uuid: "0b6e9c1e" });
    expect(parseRunId("0b6e9c1e")).toEqual({ project: undefined, uuid: "0b6e9c1e" });
  });
});

describe("toggling an EventBridge Scheduler schedule", () => {
  it("sends the whole schedule back (UpdateSchedule replaces it), only the state changed", () => {
    const current = {
      Name: "support-job-weekday-report",
      GroupName: "support-job-weekday-report",
      Arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/support-job-weekday-report/support-job-weekday-report",
      ScheduleExpression: "cron(0 7 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Paris",
      Description: "support-job weekday-report: starts the job on its schedule",
      State: "ENABLED" as const,
      FlexibleTimeWindow: { Mode: "OFF" as const },
      Target: {
        Arn: "arn:aws:scheduler:::aws-sdk:codebuild:startBuild",
        RoleArn: "arn:aws:iam::123456789012:role/x",
        Input: '{"ProjectName":"weekday-report"}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
      $metadata: {},
    };
    const { Arn: _arn, $metadata: _meta, ...rest } = current;
    expect(updateInput(current, "DISABLED")).toEqual({ ...rest, State: "DISABLED" });
  });
});

describe("reading a log over several pages", () => {
  const logs = mockClient(CloudWatchLogsClient);
  let clients: Clients;
  beforeAll(async () => {
    clients = await clientsForMocks();
  });
  afterEach(() => logs.reset());

  it("follows nextForwardToken until it stops changing, and says 'not yet' for a stream that does not exist", async () => {
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ message: "one\n" }, { message: "two\n" }], nextForwardToken: "f/1" })
      .resolvesOnce({ events: [{ message: "three\n" }], nextForwardToken: "f/2" })
      .resolvesOnce({ events: [], nextForwardToken: "f/2" });
    const seen: string[] = [];
    const cursor = { groupName: "/aws/codebuild/nightly-cleanup", streamName: "s" };
    expect(await drainLog(clients, cursor, (e) => seen.push(e.message))).toEqual({ exists: true, events: 3 });
    expect(seen).toEqual(["one\n", "two\n", "three\n"]);
    expect(cursor).toMatchObject({ token: "f/2" });
    const calls = logs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.startFromHead, c.nextToken])).toEqual([
      [true, undefined],
      [true, "f/1"],
      [true, "f/2"],
    ]);

    logs.reset();
    logs.on(GetLogEventsCommand).rejects(Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException" }));
    expect(await drainLog(clients, { groupName: "g", streamName: "s" }, () => undefined)).toEqual({ exists: false, events: 0 });
  });

  it("--follow reads the log once more after the run ends, for lines CloudWatch takes in late", async () => {
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ message: "working\n" }], nextForwardToken: "f/1" })
      .resolvesOnce({ events: [], nextForwardToken: "f/1" })
      .resolvesOnce({ events: [{ message: "last line\n" }], nextForwardToken: "f/2" })
      .resolves({ events: [], nextForwardToken: "f/2" });
    const ended: Build = {
      id: "nightly-cleanup:abc",
      buildStatus: "FAILED",
      buildComplete: true,
      logs: { groupName: "/aws/codebuild/nightly-cleanup", streamName: "abc" },
    };
    const lines: string[] = [];
    await watchRun(clients, ended, { pollMs: 1, signal: new AbortController().signal, onLogLine: (line) => lines.push(line) });
    expect(lines.map((l) => l.trim())).toEqual(["working", "last line"]);
  });
});

describe("support-job list (pure)", () => {
  it("shows the next run in the schedule's zone, then UTC and the viewer's zone", async () => {
    const { renderJobList } = await import("../../../src/ui/list.js");
    const now = new Date("2026-11-26T12:00:00Z");
    const schedule = scheduleStatus(
      { kind: "rule", name: "r", arn: "a", expression: "cron(30 7 ? * MON-FRI *)", timezone: "Europe/Paris", state: "ENABLED" },
      now,
    );
    const text = renderJobList([{ name: "report", schedule, lastRun: undefined, alerts: undefined }], {
      now,
      timeZone: "America/New_York",
      region: "us-east-1",
    });
    expect(text).toContain("2026-11-27 07:30 CET · 2026-11-27 06:30 UTC · 2026-11-27 01:30 EST");
  });
});

describe("init's --json document", () => {
  it("names the job and where it lives, the plan, and whether it was applied (then changed), with the job's status after", () => {
    const plan = { spec: { job: "nightly-cleanup", where: { account: "123456789012", region: "eu-west-1", partition: "aws" } }, steps: [] } as unknown as Plan;
    expect(initToJson(plan, { applied: false })).toEqual({
      job: "nightly-cleanup",
      region: "eu-west-1",
      account: "123456789012",
      plan: [],
      applied: false,
      changed: false,
    });
    expect(initToJson(plan, { applied: true, status: { name: "nightly-cleanup" } })).toEqual({
      job: "nightly-cleanup",
      region: "eu-west-1",
      account: "123456789012",
      plan: [],
      applied: true,
      changed: true,
      status: { name: "nightly-cleanup" },
    });
  });
});

describe("the account support-job.json names (one wording for every command)", () => {
  const job = (account: string | undefined) => ({ name: "nightly-cleanup", config: { name: "nightly-cleanup", account } });

  it("a write command is refused (exit 2) only when the saved account is another; destroy names its way out", () => {
    expect(() => refuseOtherAccount(job(undefined), "123456789012")).not.toThrow();
    expect(() => refuseOtherAccount(job("123456789012"), "123456789012")).not.toThrow();
    expect(() => refuseOtherAccount(job("111111111111"), "123456789012")).toThrow(
      "--profile: support-job.json says job nightly-cleanup lives in account 111111111111, but your credentials are for account 123456789012; use the credentials of account 111111111111 (--profile); nothing was changed (example: --profile <a profile of account 111111111111>)",
    );
    expect(() => refuseOtherAccount(job("111111111111"), "123456789012", "destroy")).toThrow(
      /or pass --account-change to destroy job nightly-cleanup in account 123456789012 instead \(the entry of account 111111111111 stays in support-job.json\)/,
    );
    expect(() => refuseOtherAccount(job("111111111111"), "123456789012")).toThrow(InputError);
  });

  it("a read-only command is told whose job it shows; a file of several jobs names them", () => {
    expect(otherAccountNote(job("123456789012"), "123456789012")).toBeUndefined();
    expect(otherAccountNote(job("111111111111"), "123456789012")).toBe(
      "support-job.json says job nightly-cleanup lives in account 111111111111, but your credentials are for account 123456789012: this is job nightly-cleanup of account 123456789012.",
    );
    const cwd = mkdtempSync(join(tmpdir(), "support-job-accounts-"));
    writeFileSync(
      join(cwd, "support-job.json"),
      JSON.stringify({ version: 2, defaults: { account: "111111111111" }, jobs: { a: {}, b: { account: "222222222222" }, c: { account: "123456789012" } } }),
    );
    expect(fileAccountNote(readJobsFile(cwd), "123456789012")).toBe(
      "support-job.json says jobs a, b live in accounts 111111111111 and 222222222222, but your credentials are for account 123456789012: these are the jobs of account 123456789012.",
    );
    expect(fileAccountNote(readJobsFile(cwd), "111111111111")).toMatch(/^support-job.json says jobs b, c live in accounts 222222222222 and 123456789012/);
    expect(fileAccountNote(undefined, "123456789012")).toBeUndefined();
  });
});
