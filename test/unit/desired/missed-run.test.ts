import { describe, expect, it } from "vitest";
import {
  armingDecision,
  firstDue,
  missedRunAlarmInput,
  missedRunAlarmName,
  runTimeliness,
  startRefusedAlarmInput,
  startRefusedAlarmName,
  type StartTrigger,
} from "../../../src/desired/missed-run.js";
import {
  alarmEvaluation,
  defaultGraceSeconds,
  durationInWords,
  evaluationFits,
  isValidPeriod,
  missedRunWatch,
  type MissedRunOptions,
  type MissedRunWatch,
  type UnwatchedMissedRuns,
  type WatchedMissedRuns,
} from "../../../src/settings/missed-run-window.js";
import { InputError } from "../../../src/errors.js";
import { parseDuration } from "../../../src/settings/validate.js";
import { nextRuns } from "../../../src/schedule/index.js";
import { serviceModel } from "../../helpers/botocore.js";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const NOW = new Date("2026-11-30T06:00:00Z");
const TOPIC = "arn:aws:sns:us-east-1:123456789012:support-job-nightly-cleanup-alerts";
const TAGS = [{ Key: "support-job:job", Value: "nightly-cleanup" }];

const watch = (expression: string, extra: Partial<MissedRunOptions> = {}): MissedRunWatch => missedRunWatch({ expression, now: NOW, ...extra });

function watched(expression: string, extra: Partial<MissedRunOptions> = {}): WatchedMissedRuns {
  const result = watch(expression, extra);
  if (!result.watched) throw new Error(`expected ${expression} to be watched: ${result.reason}`);
  return result;
}

/** Every alarm design must be one AWS accepts. */
function withinAwsLimits(w: WatchedMissedRuns): void {
  expect(isValidPeriod(w.period)).toBe(true);
  expect(evaluationFits(w.period, w.evaluationPeriods)).toBe(true);
  expect(w.datapointsToAlarm).toBeLessThanOrEqual(w.evaluationPeriods);
  expect(w.period * w.evaluationPeriods).toBeGreaterThanOrEqual(w.windowSeconds);
}

describe("the missed-run alarm's window", () => {
  it("rate(1 hour): 1 hour + 15 minutes of grace, one 75-minute period", () => {
    const w = watched("rate(1 hour)");
    expect(w).toMatchObject({ windowSeconds: 75 * MINUTE, graceSeconds: 15 * MINUTE, period: 4500, evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(w.loneMissNoticed).toBe(true);
    expect(w.noticedWithinSeconds).toBe(15 * MINUTE);
    withinAwsLimits(w);
  });

  it("rate(1 day): 1 day + 2 h 24 min (10% of the gap)", () => {
    const w = watched("rate(1 day)");
    expect(w).toMatchObject({ graceSeconds: 144 * MINUTE, windowSeconds: DAY + 144 * MINUTE, period: DAY + 144 * MINUTE });
    expect(w.summary).toBe(
      "alarm if no run succeeds within 1 day 2 hours: a missed run is noticed at most 2 hours 24 minutes after it was due (plus the previous run's duration)",
    );
    withinAwsLimits(w);
  });

  it("cron(0 3 * * ? *) in UTC: the same 24-hour gap as rate(1 day)", () => {
    const w = watched("cron(0 3 * * ? *)");
    expect(w).toMatchObject({ longestGapSeconds: DAY, windowSeconds: DAY + 144 * MINUTE, loneMissNoticed: true });
    withinAwsLimits(w);
  });

  it("cron(0 3 * * ? *) in Europe/Paris: the 25-hour fall-back night sets the window", () => {
    const w = watched("cron(0 3 * * ? *)", { timezone: "Europe/Paris" });
    expect(w.longestGapSeconds).toBe(25 * HOUR);
    expect(w.windowSeconds).toBe(25 * HOUR + 150 * MINUTE);
    withinAwsLimits(w);
  });

  it("cron(0 7 ? * MON-FRI *) in Europe/Paris: the weekend gap (73 h in the fall-back week) + grace, and says what that costs", () => {
    const w = watched("cron(0 7 ? * MON-FRI *)", { timezone: "Europe/Paris" });
    expect(w).toMatchObject({ longestGapSeconds: 73 * HOUR, shortestGapSeconds: 24 * HOUR, graceSeconds: 438 * MINUTE });
    expect(w.windowSeconds).toBe(73 * HOUR + 438 * MINUTE);
    expect(w.period).toBe(w.windowSeconds);
    expect(w.loneMissNoticed).toBe(false);
    expect(w.noticedWithinSeconds).toBe(w.windowSeconds - 24 * HOUR);
    expect(w.summary).toContain("(the longest gap (before Monday 07:00) + 7 hours 18 minutes grace)");
    expect(w.summary).toContain("a job that stops is noticed at most 2 days 8 hours after a missed run (plus the previous run's duration)");
    expect(w.summary).toContain("a single missed run between two on-time ones may go unnoticed");
    withinAwsLimits(w);
  });

  it("a shorter --grace narrows the weekday window and the lateness", () => {
    const w = watched("cron(0 7 ? * MON-FRI *)", { timezone: "Europe/Paris", graceSeconds: 30 * MINUTE });
    expect(w.windowSeconds).toBe(73 * HOUR + 30 * MINUTE);
    expect(durationInWords(w.noticedWithinSeconds)).toBe("2 days 1 hour");
  });

  it("a monthly cron is not watched, and says why", () => {
    const w = watch("cron(0 3 1 * ? *)");
    expect(w.watched).toBe(false);
    if (w.watched) return;
    expect(w.reason).toBe(
      "runs can be 31 days apart; with 3 days 2 hours of grace that is over the 7 days a CloudWatch alarm can look back, so missed runs of this job are not watched",
    );
    expect(w.hint).toContain("failed runs still alert");
  });

  it("rate(8 days) is not watched: no grace makes 8 days fit in 7", () => {
    const w = watch("rate(8 days)");
    expect(w).toMatchObject({ watched: false });
    if (!w.watched) expect(w.reason).toMatch(/^runs can be 8 days apart/);
  });

  it("rate(6 days) fits with its default grace; rate(7 days) does not fit with any grace", () => {
    const six = watched("rate(6 days)");
    expect(six.windowSeconds).toBe(6 * DAY + 864 * MINUTE);
    withinAwsLimits(six);
    expect(watch("rate(7 days)").watched).toBe(false);
  });

  it("a schedule whose default grace is too long says a shorter --grace would fit", () => {
    const w = watch("rate(6 days)", { graceSeconds: 2 * DAY });
    expect(w.watched).toBe(false);
    if (!w.watched) expect(w.hint).toBe("a shorter --grace (at most 1 day) would fit");
  });

  it("rate(1 minute): a 16-minute window, under an hour so within the one-day limit", () => {
    const w = watched("rate(1 minute)");
    expect(w).toMatchObject({ windowSeconds: 16 * MINUTE, period: 960, evaluationPeriods: 1 });
    // Runs a minute apart with 15 minutes of grace: only a stop is seen, not one skipped run.
    expect(w.loneMissNoticed).toBe(false);
    withinAwsLimits(w);
  });

  it("is off with --no-missed-run-alarm", () => {
    expect(watch("rate(1 day)", { enabled: false })).toEqual({
      watched: false,
      reason: "the missed-run alarm is turned off (--no-missed-run-alarm)",
    });
  });

  it("a schedule with fewer than two runs ahead is not watched", () => {
    expect(watch("cron(0 3 1 1 ? 2026)").watched).toBe(false);
  });
});

describe("--expect-every", () => {
  it("watches a looser window than the schedule's gap", () => {
    const w = watched("cron(0 7 ? * MON-FRI *)", { timezone: "Europe/Paris", expectEverySeconds: 4 * DAY });
    expect(w).toMatchObject({ basis: "expect-every", windowSeconds: 4 * DAY + 576 * MINUTE });
    expect(w.summary).toContain("--expect-every");
  });

  it("shorter than the longest gap is an input error: it would fire between on-time runs", () => {
    expect(() => watch("cron(0 7 ? * MON-FRI *)", { timezone: "Europe/Paris", expectEverySeconds: DAY })).toThrow(
      new InputError(
        "--expect-every",
        "1 day is shorter than the schedule's longest gap (3 days 1 hour), so the alarm would fire between on-time runs",
        "--expect-every 73h",
      ),
    );
  });

  it("over 7 days with its grace is an input error with the largest value that fits", () => {
    expect(() => watch("rate(1 day)", { expectEverySeconds: 7 * DAY })).toThrow(/--expect-every: 7 days plus 16 hours 48 minutes of grace is over/);
  });
});

describe("the default grace and durations", () => {
  it("is 10% of the gap, at least 15 minutes, in whole minutes", () => {
    expect(defaultGraceSeconds(HOUR)).toBe(15 * MINUTE);
    expect(defaultGraceSeconds(DAY)).toBe(144 * MINUTE);
    expect(defaultGraceSeconds(72 * HOUR)).toBe(432 * MINUTE);
    expect(defaultGraceSeconds(61)).toBe(15 * MINUTE);
  });

  it("parses --grace and --expect-every values and rejects others with the flag and an example", () => {
    expect(parseDuration("--grace", "30m")).toBe(1800);
    expect(parseDuration("--grace", "2h")).toBe(7200);
    expect(parseDuration("--expect-every", "3 days")).toBe(3 * DAY);
    expect(() => parseDuration("--grace", "soon")).toThrow('--grace: "soon" is not a duration; write a number and m, h or d (example: 30m)');
    expect(() => parseDuration("--grace", "90s")).toThrow("--grace: must be a whole number of minutes, at least 1m (example: 30m)");
    expect(() => parseDuration("--grace", "0m")).toThrow(InputError);
  });
});

describe("AWS's limits on the alarm's evaluation", () => {
  it("accepts periods of 10, 20, 30 s and multiples of 60 only", () => {
    expect([10, 20, 30, 60, 120, 4500, 604_800].every(isValidPeriod)).toBe(true);
    expect([0, 5, 45, 90, 61, 1.5, -60].some(isValidPeriod)).toBe(false);
  });

  it("allows period × evaluation periods up to 7 days, and up to 1 day when the period is under an hour", () => {
    expect(evaluationFits(604_800, 1)).toBe(true);
    expect(evaluationFits(604_860, 1)).toBe(false);
    expect(evaluationFits(3600, 168)).toBe(true);
    expect(evaluationFits(3600, 169)).toBe(false);
    expect(evaluationFits(3540, 24)).toBe(true);
    expect(evaluationFits(3540, 25)).toBe(false);
    expect(evaluationFits(60, 1440)).toBe(true);
    expect(evaluationFits(60, 1441)).toBe(false);
  });

  it("gives one whole-minute period for any window that fits, and none for one over 7 days", () => {
    expect(alarmEvaluation(4_501)).toEqual({ period: 4_560, evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(alarmEvaluation(604_800)).toEqual({ period: 604_800, evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(alarmEvaluation(604_801)).toBeUndefined();
  });
});

describe("arming: the alarm never fires before the first run is due", () => {
  const due = new Date("2026-12-01T06:00:00Z");
  const grace = 15 * MINUTE;

  it("waits for a new job until its first run is due + grace", () => {
    const decision = armingDecision({ firstDue: due, graceSeconds: grace, lastSuccess: undefined, alarmExists: false, now: NOW });
    expect(decision).toMatchObject({ arm: false, armAt: new Date("2026-12-01T06:15:00Z") });
    expect(decision.reason).toContain("from 2026-12-01 06:15 UTC (first run due + grace)");
  });

  it("says when, in the job's zone and in UTC", () => {
    const decision = armingDecision({ firstDue: due, graceSeconds: grace, lastSuccess: undefined, alarmExists: false, now: NOW, timezone: "Europe/Paris" });
    expect(decision.reason).toContain("from 2026-12-01 07:15 CET (2026-12-01 06:15 UTC) (first run due + grace)");
  });

  it("says it once for a zone whose time is UTC's (GMT, Etc/UCT, Zulu…), not the same time twice", () => {
    for (const timezone of ["GMT", "Etc/UCT", "Zulu"]) {
      const decision = armingDecision({ firstDue: due, graceSeconds: grace, lastSuccess: undefined, alarmExists: false, now: NOW, timezone });
      expect(decision.reason, timezone).toContain("from 2026-12-01 06:15 UTC (first run due + grace)");
    }
  });

  it("arms once the job has succeeded, even before the first scheduled run", () => {
    expect(armingDecision({ firstDue: due, graceSeconds: grace, lastSuccess: NOW, alarmExists: false, now: NOW }).arm).toBe(true);
  });

  it("arms once the first run is overdue, so a job that never ran is reported", () => {
    const later = new Date("2026-12-01T06:15:00Z");
    expect(armingDecision({ firstDue: due, graceSeconds: grace, lastSuccess: undefined, alarmExists: false, now: later })).toEqual({
      arm: true,
      reason: "the first run is overdue",
    });
  });

  it("keeps an alarm that exists", () => {
    expect(armingDecision({ firstDue: due, graceSeconds: grace, lastSuccess: undefined, alarmExists: true, now: NOW }).arm).toBe(true);
  });

  it("takes the first due time in the job's zone", () => {
    expect(firstDue("cron(0 7 ? * MON-FRI *)", new Date("2026-12-04T07:00:00Z"), "Europe/Paris")?.toISOString()).toBe("2026-12-07T06:00:00.000Z");
  });
});

describe("the PutMetricAlarm request", () => {
  const w = watched("cron(0 7 ? * MON-FRI *)", { timezone: "Europe/Paris" });
  const input = missedRunAlarmInput({ job: "nightly-cleanup", project: "nightly-cleanup", topicArn: TOPIC, watch: w, tags: TAGS });

  it("watches SucceededBuilds of the project, Sum < 1 over the window, missing data breaching, to the alert topic", () => {
    expect(input).toEqual({
      AlarmName: "support-job-nightly-cleanup-missed-run",
      AlarmDescription: expect.any(String),
      ActionsEnabled: true,
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
      Namespace: "AWS/CodeBuild",
      MetricName: "SucceededBuilds",
      Dimensions: [{ Name: "ProjectName", Value: "nightly-cleanup" }],
      Statistic: "Sum",
      Period: w.windowSeconds,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
      Tags: TAGS,
    });
  });

  it("describes the job, what the alarm means and the command to look", () => {
    expect(input.AlarmDescription).toBe(
      "support-job nightly-cleanup: no run of the job succeeded in the last 3 days 8 hours (its schedule allows 3 days 1 hour " +
        "between runs, plus 7 hours 18 minutes of grace). A run was missed, refused by AWS or failed. " +
        "See why: support-job status --name nightly-cleanup",
    );
  });

  it("keeps the description within 1024 characters for the longest job name", () => {
    const job = "j".repeat(150);
    const long = missedRunAlarmInput({ job, project: job, topicArn: TOPIC, watch: w, tags: TAGS });
    expect(long.AlarmDescription.length).toBeLessThanOrEqual(1024);
    expect(long.AlarmDescription).toContain(`support-job status --name ${job}`);
  });

  it("has a fast companion on the trigger's failures, for the rule and for Scheduler", () => {
    const rule = startRefusedAlarmInput({
      job: "nightly-cleanup",
      trigger: { kind: "rule", ruleName: "support-job-nightly-cleanup-schedule" },
      topicArn: TOPIC,
      tags: TAGS,
    });
    expect(rule).toMatchObject({
      Namespace: "AWS/Events",
      MetricName: "FailedInvocations",
      Dimensions: [{ Name: "RuleName", Value: "support-job-nightly-cleanup-schedule" }],
      Period: 300,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
    const scheduler = startRefusedAlarmInput({
      job: "nightly-cleanup",
      trigger: { kind: "scheduler", scheduleGroup: "support-job-nightly-cleanup" },
      topicArn: TOPIC,
      tags: TAGS,
    });
    expect(scheduler).toMatchObject({
      Namespace: "AWS/Scheduler",
      MetricName: "InvocationDroppedCount",
      Dimensions: [{ Name: "ScheduleGroup", Value: "support-job-nightly-cleanup" }],
    });
  });

  it("matches botocore's CloudWatch model: known fields, required ones, enums and lengths", () => {
    const model = serviceModel("cloudwatch", "2010-08-01");
    const shapes = model.shapes;
    const request = shapes["PutMetricAlarmInput"]!;
    for (const alarm of [input, startRefusedAlarmInput({ job: "x", trigger: { kind: "rule", ruleName: "r" }, topicArn: TOPIC, tags: TAGS })]) {
      for (const field of request.required ?? []) expect(alarm, field).toHaveProperty(field);
      for (const [field, value] of Object.entries(alarm)) {
        const member = request.members?.[field];
        expect(member, `${field} is a PutMetricAlarm field`).toBeDefined();
        const shape = shapes[member!.shape]!;
        if (shape.enum) expect(shape.enum, field).toContain(value);
        if (shape.type === "string") {
          expect((value as string).length, field).toBeLessThanOrEqual(shape.max ?? Infinity);
          expect((value as string).length, field).toBeGreaterThanOrEqual(shape.min ?? 0);
        }
        if (shape.type === "integer") expect(value as number, field).toBeGreaterThanOrEqual(shape.min ?? 0);
        if (shape.type === "list") expect((value as unknown[]).length, field).toBeLessThanOrEqual(shape.max ?? Infinity);
      }
      expect(["breaching", "notBreaching", "ignore", "missing"]).toContain(alarm.TreatMissingData);
    }
  });
});

/**
 * A sliding-window metric alarm, evaluated every minute as CloudWatch does by default: data point i sums the
 * successes in [t − (i+1)·period, t − i·period); it is breaching when that sum is < 1; ALARM when at least M of
 * the last N are breaching.
 */
function alarmFiresAt(successes: readonly number[], t: number, period: number, evaluationPeriods: number, datapointsToAlarm: number): boolean {
  let breaching = 0;
  for (let i = 0; i < evaluationPeriods; i++) {
    const from = t - (i + 1) * period * 1000;
    const to = t - i * period * 1000;
    if (!successes.some((s) => s >= from && s < to)) breaching++;
  }
  return breaching >= datapointsToAlarm;
}

describe("the chosen design, simulated minute by minute over DST weeks", () => {
  const expression = "cron(0 7 ? * MON-FRI *)";
  const timezone = "Europe/Paris";
  const w = watched(expression, { timezone });
  // Five weeks around the 2027 fall-back weekend, then five around spring-forward.
  const periods = [new Date("2027-10-11T00:00:00Z"), new Date("2027-03-15T00:00:00Z")];
  // Runs last between 1 minute and the whole grace time, varying from day to day.
  const durationMs = (k: number): number => ((k * 37) % Math.floor(w.graceSeconds / MINUTE - 1)) * 60_000 + 60_000;

  it.each(periods)("never fires while every run succeeds within its grace time (from %s)", (from) => {
    const runs = nextRuns(expression, { from, count: 25, timezone }).map((run) => run.getTime());
    const successes = runs.map((run, k) => run + durationMs(k));
    const firstRun = runs[0]!;
    const lastSuccess = successes.at(-1)!;
    for (let t = firstRun + w.windowSeconds * 1000; t <= lastSuccess; t += 60_000) {
      expect(alarmFiresAt(successes, t, w.period, w.evaluationPeriods, w.datapointsToAlarm), new Date(t).toISOString()).toBe(false);
    }
  });

  it.each(periods)("notices a job that stops within the stated time after its first missed run (from %s)", (from) => {
    const runs = nextRuns(expression, { from, count: 25, timezone }).map((run) => run.getTime());
    for (let stop = 5; stop < runs.length; stop++) {
      const successes = runs.slice(0, stop).map((run, k) => run + durationMs(k));
      const missed = runs[stop]!;
      const bound = missed + (w.noticedWithinSeconds * 1000 + durationMs(stop - 1));
      let firedAt: number | undefined;
      for (let t = missed; t <= bound + 60_000 && firedAt === undefined; t += 60_000) {
        if (alarmFiresAt(successes, t, w.period, w.evaluationPeriods, w.datapointsToAlarm)) firedAt = t;
      }
      expect(firedAt, `stopped before ${new Date(missed).toISOString()}`).toBeDefined();
      expect(firedAt!).toBeLessThanOrEqual(bound + 60_000);
    }
  });

  it("on a regular schedule, notices one skipped run even when the next one succeeds", () => {
    const daily = watched("cron(0 3 * * ? *)");
    expect(daily.loneMissNoticed).toBe(true);
    const runs = nextRuns("cron(0 3 * * ? *)", { from: new Date("2027-01-04T00:00:00Z"), count: 10 }).map((run) => run.getTime());
    const duration = (k: number): number => ((k * 53) % 143) * 60_000 + 60_000;
    for (let skipped = 1; skipped < runs.length - 1; skipped++) {
      const successes = runs.filter((_, k) => k !== skipped).map((run) => run + duration(runs.indexOf(run)));
      const due = runs[skipped]!;
      const bound = due + daily.noticedWithinSeconds * 1000 + duration(skipped - 1) + 60_000;
      let fired = false;
      for (let t = due; t <= bound && !fired; t += 60_000) fired = alarmFiresAt(successes, t, daily.period, 1, 1);
      expect(fired, `skipped ${new Date(due).toISOString()}`).toBe(true);
    }
  });

  it("the rejected M-of-N design (seven day-long periods, alarm on 3 empty) fires while a run is still within its grace", () => {
    const runs = nextRuns(expression, { from: periods[0]!, count: 25, timezone }).map((run) => run.getTime());
    const successes = runs.map((run, k) => run + durationMs(k));
    let falseAlarms = 0;
    for (let t = runs[0]! + 7 * DAY * 1000; t <= successes.at(-1)!; t += 60_000) {
      if (alarmFiresAt(successes, t, DAY, 7, 3)) falseAlarms++;
    }
    expect(falseAlarms).toBeGreaterThan(0);
  });
});

describe("names the integration needs", () => {
  it("names the alarms after the job", () => {
    expect(missedRunAlarmName("nightly-cleanup")).toBe("support-job-nightly-cleanup-missed-run");
    expect(startRefusedAlarmName("nightly-cleanup")).toBe("support-job-nightly-cleanup-start-refused");
    const trigger: StartTrigger = { kind: "rule", ruleName: "r" };
    expect(startRefusedAlarmInput({ job: "j", trigger, topicArn: TOPIC, tags: [] }).AlarmName).toBe("support-job-j-start-refused");
    const off: UnwatchedMissedRuns = { watched: false, reason: "the missed-run alarm is turned off (--no-missed-run-alarm)" };
    expect(watch("rate(1 day)", { enabled: false })).toEqual(off);
  });
});

describe("status: on time, late or overdue", () => {
  const daily = { expression: "cron(0 3 * * ? *)", since: new Date("2026-11-01T00:00:00Z"), graceSeconds: 144 * MINUTE };

  it("is on time when the last due run succeeded", () => {
    const fine = runTimeliness({ ...daily, lastSuccess: new Date("2026-11-30T03:05:00Z"), now: new Date("2026-12-01T01:05:00Z") });
    expect(fine).toMatchObject({ state: "on time", lastDue: new Date("2026-11-30T03:00:00Z"), nextDue: new Date("2026-12-01T03:00:00Z") });
    expect(fine.sentence).toBe("last success 22 hours ago, next due 2026-12-01 03:00 UTC, on time");
  });

  it("is late during the grace after a due run without success, then overdue", () => {
    const last = new Date("2026-11-29T03:05:00Z");
    expect(runTimeliness({ ...daily, lastSuccess: last, now: new Date("2026-11-30T05:23:00Z") }).state).toBe("late");
    expect(runTimeliness({ ...daily, lastSuccess: last, now: new Date("2026-11-30T05:24:00Z") }).state).toBe("overdue");
    expect(runTimeliness({ ...daily, lastSuccess: last, now: new Date("2026-11-30T05:24:00Z") }).sentence).toBe(
      "last success 1 day 2 hours ago, next due 2026-12-01 03:00 UTC, overdue",
    );
  });

  it("waits for the first run of a new job, and counts a rate schedule from its creation", () => {
    const since = new Date("2026-11-30T10:17:00Z");
    const fresh = runTimeliness({
      expression: "rate(1 day)",
      since,
      lastSuccess: undefined,
      graceSeconds: 144 * MINUTE,
      now: new Date("2026-11-30T12:00:00Z"),
    });
    expect(fresh).toMatchObject({ state: "waiting for the first run", lastDue: undefined, nextDue: new Date("2026-12-01T10:17:00Z") });
    const missedFirst = runTimeliness({
      expression: "rate(1 day)",
      since,
      lastSuccess: undefined,
      graceSeconds: 144 * MINUTE,
      now: new Date("2026-12-01T13:00:00Z"),
    });
    expect(missedFirst).toMatchObject({ state: "overdue", lastDue: new Date("2026-12-01T10:17:00Z") });
  });

  it("finds the last due run of a monthly job and of a minutely one", () => {
    const monthly = runTimeliness({
      expression: "cron(0 3 1 * ? *)",
      since: new Date("2026-01-01T00:00:00Z"),
      lastSuccess: undefined,
      graceSeconds: DAY,
      now: new Date("2026-11-30T00:00:00Z"),
    });
    expect(monthly).toMatchObject({ state: "overdue", lastDue: new Date("2026-11-01T03:00:00Z") });
    const minutely = runTimeliness({
      expression: "cron(* * * * ? *)",
      since: new Date("2026-01-01T00:00:00Z"),
      lastSuccess: new Date("2026-11-30T11:59:30Z"),
      graceSeconds: 900,
      now: new Date("2026-11-30T12:00:10Z"),
    });
    expect(minutely).toMatchObject({ state: "late", lastDue: new Date("2026-11-30T12:00:00Z") });
  });

  it("reads cron times in the job's zone", () => {
    const result = runTimeliness({
      expression: "cron(0 7 ? * MON-FRI *)",
      timezone: "Europe/Paris",
      since: new Date("2026-11-01T00:00:00Z"),
      lastSuccess: new Date("2026-11-27T06:03:00Z"),
      graceSeconds: 438 * MINUTE,
      now: new Date("2026-11-29T12:00:00Z"),
    });
    expect(result).toMatchObject({ state: "on time", lastDue: new Date("2026-11-27T06:00:00Z"), nextDue: new Date("2026-11-30T06:00:00Z") });
    expect(result.sentence).toBe("last success 2 days 5 hours ago, next due 2026-11-30 07:00 CET, on time");
  });
});
