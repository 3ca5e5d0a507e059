/**
 * The missed-run alarm (a dead man's switch), as pure data: from the schedule and the user's options to the
 * CloudWatch alarm that fires when no run of the job succeeded for longer than the schedule allows.
 *
 * Design, and why:
 * - One metric alarm on AWS/CodeBuild SucceededBuilds (Sum, dimension ProjectName) with a single period as long
 *   as the window: the schedule's longest gap between two runs plus the grace time, rounded up to a whole minute.
 *   TreatMissingData breaching turns "no success in the window" into ALARM; the next success turns it back to OK,
 *   so every stop is announced once and every recovery too. A sliding window that long catches a job that stopped
 *   at most window − shortest gap after the first run that did not happen, plus the previous run's duration (the
 *   grace, for a regular schedule). Sliding is CloudWatch's default evaluation window; its newer WallClockWindow
 *   (calendar-aligned periods in a zone) is not in the botocore model installed here, so it is not relied on.
 * - Irregular schedules (Monday–Friday: 24 h gaps, one 72 h weekend gap): a sliding-window alarm is the same rule
 *   at every hour of the week, so any window shorter than 72 h + grace fires every weekend. The alternatives were
 *   weighed and rejected: M-of-N over day-long periods (N = 7, M = empty days + 1) does see a lone missed Tuesday,
 *   but a period boundary falling inside a run's grace time moves a success into its neighbour's period, so it
 *   either fires while a run is still building or must raise M until lone misses go unseen; and it would stay in
 *   ALARM for a week after one miss, hiding the next ones. A 7-day Sum < runs-a-week alarm has the same edge
 *   problem (a week-old success leaves the window before today's arrives) and cannot be padded by the grace time
 *   without passing AWS's 7-day limit. So the window stays longest gap + grace, and `status` says plainly how late
 *   a miss can be noticed (2 days 1 hour for the weekday example with --grace 30m, 2 days 8 hours with the
 *   default grace) and that a lone missed run between two successes in short gaps is not seen by this alarm.
 *   test/desired/missed-run.test.ts simulates both designs minute by minute to back this.
 * - What notices those soonest is a second, cheap alarm ($0.10 a month) on the trigger itself, needing no window: the
 *   EventBridge rule's FailedInvocations (or the Scheduler group's InvocationDroppedCount) ≥ 1 fires within
 *   minutes of a StartBuild that AWS refused (concurrency limit reached, a new account's build quota of 0, a role
 *   that no longer works): the most common causes of a run that never happened. See startRefusedAlarmInput.
 * - Schedules whose window cannot fit AWS's limit (period × evaluation periods ≤ 7 days) are not watched, and the
 *   design says why; `--expect-every` lets the user watch a looser window (at least the longest gap).
 * - Arming: a new alarm in breaching mode looks back over the whole window, before the job existed, and would fire
 *   at once. It is created only once the job has succeeded once or its first run is overdue (first due + grace);
 *   until then the plan says when it will be armed. See armingDecision.
 */
import { firstDueTime } from "../schedule/gaps.js";
import { formatInZone, nextRuns, parseSchedule } from "../schedule/index.js";
import { missedRunAlarmName, startRefusedAlarmName } from "./names.js";
import { DAY_SECONDS, durationInWords, HOUR_SECONDS, MINUTE_SECONDS, type WatchedMissedRuns } from "../settings/missed-run-window.js";

const MAX_ALARM_DESCRIPTION = 1024;
const MAX_ALARM_NAME = 255;

// ---------------------------------------------------------------------------------------------------------------
// Arming

export interface ArmingFacts {
  /** The first scheduled run after the schedule was created or last changed (firstDueTime). */
  readonly firstDue: Date | undefined;
  readonly graceSeconds: number;
  /** The job's last successful run, when one is known. */
  readonly lastSuccess: Date | undefined;
  /** The alarm exists already: keep it, whatever the rest says. */
  readonly alarmExists: boolean;
  readonly now: Date;
  /** The job's zone, to say when it will be armed in the zone its schedule is read in (and UTC). */
  readonly timezone?: string;
}

export type Arming = { readonly arm: true; readonly reason: string } | { readonly arm: false; readonly armAt: Date | undefined; readonly reason: string };

/** When the alarm may be created: never before it could only be wrong (see the header). */
export function armingDecision(facts: ArmingFacts): Arming {
  if (facts.alarmExists) return { arm: true, reason: "the alarm is armed already" };
  if (facts.lastSuccess !== undefined) return { arm: true, reason: "the job has succeeded once" };
  if (facts.firstDue === undefined) {
    return { arm: false, armAt: undefined, reason: "no run is due, so there is nothing to miss yet" };
  }
  const armAt = new Date(facts.firstDue.getTime() + facts.graceSeconds * 1000);
  if (facts.now.getTime() >= armAt.getTime()) {
    return { arm: true, reason: "the first run is overdue" };
  }
  return {
    arm: false,
    armAt,
    reason:
      `armed after the first successful run, or from ${inZoneAndUtc(armAt, facts.timezone)} (first run due + grace) ` +
      `by the next init, so it cannot fire before the job had a chance to run`,
  };
}

/** The time in the job's zone, then in UTC; once when they read the same (UTC, and GMT, Etc/UCT, Zulu and the like). */
function inZoneAndUtc(date: Date, timezone = "UTC"): string {
  const utc = formatInZone(date, "UTC");
  const local = timezone === "UTC" ? utc : formatInZone(date, timezone);
  return local === utc ? utc : `${local} (${utc})`;
}

/** The first run due after `since` in the job's zone (re-exported for the plan, which knows when it set the schedule). */
export function firstDue(expression: string, since: Date, timezone = "UTC"): Date | undefined {
  return firstDueTime(expression, since, timezone);
}

// ---------------------------------------------------------------------------------------------------------------
// PutMetricAlarm

/** The PutMetricAlarm request fields support-job sends (names and types as in @aws-sdk/client-cloudwatch). */
export interface MetricAlarmInput {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly ActionsEnabled: boolean;
  readonly AlarmActions: readonly string[];
  readonly OKActions: readonly string[];
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
  readonly Statistic: "Sum";
  readonly Period: number;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm: number;
  readonly Threshold: number;
  readonly ComparisonOperator: "LessThanThreshold" | "GreaterThanOrEqualToThreshold";
  readonly TreatMissingData: "breaching" | "notBreaching";
  readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
}

export { missedRunAlarmName, startRefusedAlarmName };

export interface MissedRunAlarmFacts {
  readonly job: string;
  /** The CodeBuild project name (the ProjectName dimension). */
  readonly project: string;
  /** The job's alert topic: the alarm and OK actions. */
  readonly topicArn: string;
  readonly watch: WatchedMissedRuns;
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
}

export function missedRunAlarmInput(facts: MissedRunAlarmFacts): MetricAlarmInput {
  const { job, watch } = facts;
  return metricAlarmInput({
    name: missedRunAlarmName(job),
    job,
    description:
      `support-job ${job}: no run of the job succeeded in the last ${durationInWords(watch.windowSeconds)} ` +
      `(its schedule allows ${durationInWords(watch.windowSeconds - watch.graceSeconds)} between runs, plus ` +
      `${durationInWords(watch.graceSeconds)} of grace). A run was missed, refused by AWS or failed.`,
    topicArn: facts.topicArn,
    tags: facts.tags,
    metric: { Namespace: "AWS/CodeBuild", MetricName: "SucceededBuilds", Dimension: { Name: "ProjectName", Value: facts.project } },
    evaluation: { Period: watch.period, EvaluationPeriods: watch.evaluationPeriods, DatapointsToAlarm: watch.datapointsToAlarm },
    fires: { ComparisonOperator: "LessThanThreshold", TreatMissingData: "breaching" },
  });
}

export type StartTrigger = { readonly kind: "rule"; readonly ruleName: string } | { readonly kind: "scheduler"; readonly scheduleGroup: string };

export interface StartRefusedAlarmFacts {
  readonly job: string;
  readonly trigger: StartTrigger;
  readonly topicArn: string;
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
}

/** The start-refused alarm's metric: the trigger's own count of starts it gave up on. */
function startRefusedMetric(trigger: StartTrigger): { Namespace: string; MetricName: string; Dimension: { Name: string; Value: string } } {
  return trigger.kind === "rule"
    ? { Namespace: "AWS/Events", MetricName: "FailedInvocations", Dimension: { Name: "RuleName", Value: trigger.ruleName } }
    : { Namespace: "AWS/Scheduler", MetricName: "InvocationDroppedCount", Dimension: { Name: "ScheduleGroup", Value: trigger.scheduleGroup } };
}

/** The start-refused alarm's single period: a refused start is noticed within about this long. */
const START_REFUSED_PERIOD_SECONDS = 5 * MINUTE_SECONDS;

/**
 * The fast companion alarm: the trigger's own failure count ≥ 1 in 5 minutes. A rule's FailedInvocations counts
 * targets that failed for good (AWS/Events, dimension RuleName, emitted only when non-zero); Scheduler's
 * InvocationDroppedCount counts runs it gave up on after its retry policy (AWS/Scheduler, dimension ScheduleGroup,
 * as AWS CDK's schedule group metrics use; not confirmed against AWS here). No data means nothing failed
 * (notBreaching), so the alarm needs no arming: it is created with the job, and sits in OK until a start fails.
 */
export function startRefusedAlarmInput(facts: StartRefusedAlarmFacts): MetricAlarmInput {
  const { job, trigger } = facts;
  const where = trigger.kind === "rule" ? `its schedule rule ${trigger.ruleName}` : `its time-zone schedule (group ${trigger.scheduleGroup})`;
  return metricAlarmInput({
    name: startRefusedAlarmName(job),
    job,
    description:
      `support-job ${job}: AWS refused to start a scheduled run from ${where} (the previous run still going, the ` +
      `account's CodeBuild build quota, or a role that no longer works), so no run happened.`,
    topicArn: facts.topicArn,
    tags: facts.tags,
    metric: startRefusedMetric(trigger),
    evaluation: { Period: START_REFUSED_PERIOD_SECONDS, EvaluationPeriods: 1, DatapointsToAlarm: 1 },
    fires: { ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching" },
  });
}

interface AlarmShape {
  readonly name: string;
  readonly job: string;
  /** What the alarm means; the command to look is added (and kept within AWS's length). */
  readonly description: string;
  readonly topicArn: string;
  readonly tags: MetricAlarmInput["Tags"];
  readonly metric: { readonly Namespace: string; readonly MetricName: string; readonly Dimension: { readonly Name: string; readonly Value: string } };
  readonly evaluation: Pick<MetricAlarmInput, "Period" | "EvaluationPeriods" | "DatapointsToAlarm">;
  readonly fires: Pick<MetricAlarmInput, "ComparisonOperator" | "TreatMissingData">;
}

/** What every alarm of a job shares: one metric's Sum against 1, ALARM and OK to the job's topic, tagged, a description ending in the command to look. */
function metricAlarmInput(shape: AlarmShape): MetricAlarmInput {
  return {
    AlarmName: checkedName(shape.name),
    AlarmDescription: fitDescription(`${shape.description} See why: support-job status --name ${shape.job}`, shape.job),
    ActionsEnabled: true,
    AlarmActions: [shape.topicArn],
    OKActions: [shape.topicArn],
    Namespace: shape.metric.Namespace,
    MetricName: shape.metric.MetricName,
    Dimensions: [{ ...shape.metric.Dimension }],
    Statistic: "Sum",
    ...shape.evaluation,
    Threshold: 1,
    ...shape.fires,
    Tags: shape.tags,
  };
}

function checkedName(name: string): string {
  if (name.length > MAX_ALARM_NAME) throw new RangeError(`alarm name over ${MAX_ALARM_NAME} characters: ${name}`);
  return name;
}

/** Keep the description within AWS's 1024 characters, always ending with the command to run. */
function fitDescription(description: string, job: string): string {
  if (description.length <= MAX_ALARM_DESCRIPTION) return description;
  const tail = ` See why: support-job status --name ${job}`;
  return `${description.slice(0, MAX_ALARM_DESCRIPTION - tail.length - 1)}…${tail}`.slice(0, MAX_ALARM_DESCRIPTION);
}

// ---------------------------------------------------------------------------------------------------------------
// On time, late, overdue (for status), Healthchecks.io's model: a run is due, then late during its grace, then overdue

type Timeliness = "waiting for the first run" | "on time" | "late" | "overdue";

export interface TimelinessFacts {
  readonly expression: string;
  readonly timezone?: string;
  /** When the schedule was created or last changed: a rate schedule's runs count from it, and nothing is due before. */
  readonly since: Date;
  readonly lastSuccess: Date | undefined;
  readonly graceSeconds: number;
  readonly now: Date;
}

export interface RunTimeliness {
  readonly state: Timeliness;
  /** The latest run due at or before now (after since). */
  readonly lastDue: Date | undefined;
  readonly nextDue: Date | undefined;
  /** "last success 1 day 2 hours ago, next due 2026-12-01 03:00 UTC, on time". */
  readonly sentence: string;
}

const LOOKBACKS_SECONDS = [2 * HOUR_SECONDS, 2 * DAY_SECONDS, 8 * DAY_SECONDS, 35 * DAY_SECONDS, 370 * DAY_SECONDS];

export function runTimeliness(facts: TimelinessFacts): RunTimeliness {
  const timezone = facts.timezone ?? "UTC";
  const now = facts.now.getTime();
  const { lastDue, nextDue } = dueTimes(facts.expression, timezone, facts.since, now);
  let state: Timeliness;
  if (lastDue === undefined) state = facts.lastSuccess === undefined ? "waiting for the first run" : "on time";
  else if (facts.lastSuccess !== undefined && facts.lastSuccess.getTime() >= lastDue.getTime()) state = "on time";
  else state = now < lastDue.getTime() + facts.graceSeconds * 1000 ? "late" : "overdue";
  const parts = [
    facts.lastSuccess === undefined ? "no success yet" : `last success ${durationInWords((now - facts.lastSuccess.getTime()) / 1000)} ago`,
    nextDue === undefined ? "no run due" : `next due ${formatInZone(nextDue, timezone)}`,
    state,
  ];
  return { state, lastDue, nextDue, sentence: parts.join(", ") };
}

function dueTimes(expression: string, timezone: string, since: Date, now: number): { lastDue: Date | undefined; nextDue: Date | undefined } {
  const schedule = parseSchedule(expression);
  if (schedule.kind === "rate") {
    // A rate schedule's phase is set when it is created: runs at since + k × interval.
    const interval = schedule.value * { minute: MINUTE_SECONDS, hour: HOUR_SECONDS, day: DAY_SECONDS }[schedule.unit] * 1000;
    const k = Math.max(0, Math.floor((now - since.getTime()) / interval));
    return {
      lastDue: k >= 1 ? new Date(since.getTime() + k * interval) : undefined,
      nextDue: new Date(since.getTime() + (k + 1) * interval),
    };
  }
  const from = new Date(Math.max(now, since.getTime()));
  return { lastDue: latestCronDue(expression, timezone, since, now), nextDue: nextRuns(expression, { from, count: 1, timezone })[0] };
}

function latestCronDue(expression: string, timezone: string, since: Date, now: number): Date | undefined {
  const sinceMs = since.getTime();
  for (const lookback of LOOKBACKS_SECONDS) {
    const start = Math.max(sinceMs, now - lookback * 1000);
    let from = start;
    let latest: Date | undefined;
    for (;;) {
      const page = nextRuns(expression, { from: new Date(from), count: 256, timezone });
      for (const run of page) if (run.getTime() <= now) latest = run;
      const last = page.at(-1);
      if (last === undefined || last.getTime() > now || page.length < 256) break;
      from = last.getTime();
    }
    if (latest !== undefined || start === sinceMs) return latest;
  }
  return undefined;
}
