/**
 * The missed-run window a job's schedule, `--grace` and `--expect-every` give, checked against CloudWatch's alarm
 * limits, as pure data. Settings validation uses it to refuse a window that cannot be (one line, exit 2); the
 * desired state (desired/missed-run.ts, which explains the alarm's design) builds the alarms from it; status says
 * how late a missed run is noticed from it.
 */
import { InputError } from "../errors.js";
import { scheduleGaps, weekdayAndTime } from "../schedule/gaps.js";

export const MINUTE_SECONDS = 60;
export const HOUR_SECONDS = 3600;
export const DAY_SECONDS = 86_400;
/** PutMetricAlarm: Period × EvaluationPeriods ≤ 7 days, and ≤ 1 day when Period < 1 hour. */
const MAX_EVALUATION_SECONDS = 7 * DAY_SECONDS;
const MAX_SHORT_PERIOD_EVALUATION_SECONDS = DAY_SECONDS;
const MIN_GRACE_SECONDS = 15 * MINUTE_SECONDS;

/** Valid PutMetricAlarm Period values: 10, 20, 30 or any multiple of 60 (botocore's documentation of Period). */
export function isValidPeriod(seconds: number): boolean {
  if (!Number.isInteger(seconds) || seconds <= 0) return false;
  return seconds === 10 || seconds === 20 || seconds === 30 || seconds % 60 === 0;
}

/** AWS's limit on the evaluation range: Period × EvaluationPeriods. */
export function evaluationFits(period: number, evaluationPeriods: number): boolean {
  const total = period * evaluationPeriods;
  return period < HOUR_SECONDS ? total <= MAX_SHORT_PERIOD_EVALUATION_SECONDS : total <= MAX_EVALUATION_SECONDS;
}

/** 10% of the gap, at least 15 minutes, in whole minutes. */
export function defaultGraceSeconds(gapSeconds: number): number {
  return Math.max(MIN_GRACE_SECONDS, Math.ceil((gapSeconds * 0.1) / MINUTE_SECONDS) * MINUTE_SECONDS);
}

/** "2 days 1 hour", "15 minutes": the largest two units, for sentences in the plan and in status. */
export function durationInWords(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds / MINUTE_SECONDS) * MINUTE_SECONDS;
  for (const [unit, size] of [
    ["day", DAY_SECONDS],
    ["hour", HOUR_SECONDS],
    ["minute", MINUTE_SECONDS],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${unit}${count === 1 ? "" : "s"}`);
  }
  return parts.length === 0 ? "under a minute" : parts.slice(0, 2).join(" ");
}

export interface MissedRunOptions {
  /** The job's schedule expression, rate(...) or cron(...). */
  readonly expression: string;
  /** The zone the cron fields are read in; UTC for EventBridge rules. */
  readonly timezone?: string;
  /** `--grace`, in seconds; default 10% of the gap, at least 15 minutes. */
  readonly graceSeconds?: number;
  /** `--expect-every`, in seconds: watch this window instead of the schedule's longest gap. */
  readonly expectEverySeconds?: number;
  /** False with `--no-missed-run-alarm`. */
  readonly enabled?: boolean;
  /** When the plan is made; the gaps are measured over the year after it. */
  readonly now: Date;
}

/** How the alarm evaluates: always one period as long as the window (desired/missed-run.ts's header says why not M-of-N). */
export interface AlarmEvaluation {
  readonly period: number;
  readonly evaluationPeriods: 1;
  readonly datapointsToAlarm: 1;
}

export interface WatchedMissedRuns extends AlarmEvaluation {
  readonly watched: true;
  /** The window in which at least one run must succeed: longest gap (or --expect-every) + grace, whole minutes. */
  readonly windowSeconds: number;
  readonly graceSeconds: number;
  readonly longestGapSeconds: number;
  readonly shortestGapSeconds: number;
  readonly basis: "schedule" | "expect-every";
  /**
   * A job that stopped is noticed at most this long after its first missed run was due, plus the duration of the
   * run before it (the window counts from that run's success).
   */
  readonly noticedWithinSeconds: number;
  /** True when every lone missed run is noticed even if the next one succeeds (regular gaps well over the grace). */
  readonly loneMissNoticed: boolean;
  /** One sentence for the plan and status. */
  readonly summary: string;
}

export interface UnwatchedMissedRuns {
  readonly watched: false;
  readonly reason: string;
  /** What the user can do about it, when anything. */
  readonly hint?: string;
}

export type MissedRunWatch = WatchedMissedRuns | UnwatchedMissedRuns;

export function missedRunWatch(options: MissedRunOptions): MissedRunWatch {
  if (options.enabled === false) {
    return { watched: false, reason: "the missed-run alarm is turned off (--no-missed-run-alarm)" };
  }
  const timezone = options.timezone ?? "UTC";
  const gaps = scheduleGaps(options.expression, { from: options.now, timezone });
  const { longestGapSeconds: longest, shortestGapSeconds: shortest } = gaps;
  if (longest === undefined || shortest === undefined) {
    return {
      watched: false,
      reason: `${options.expression} runs fewer than twice in the coming year, so there is no gap to watch`,
    };
  }
  const expectEvery = options.expectEverySeconds;
  if (expectEvery !== undefined && expectEvery < longest) {
    throw new InputError(
      "--expect-every",
      `${durationInWords(expectEvery)} is shorter than the schedule's longest gap (${durationInWords(longest)}), ` +
        `so the alarm would fire between on-time runs`,
      `--expect-every ${Math.ceil(longest / HOUR_SECONDS)}h`,
    );
  }
  const basisGap = expectEvery ?? longest;
  const grace = options.graceSeconds ?? defaultGraceSeconds(basisGap);
  if (!Number.isInteger(grace) || grace < MINUTE_SECONDS || grace % MINUTE_SECONDS !== 0) {
    throw new InputError("--grace", "must be a whole number of minutes, at least 1m", "--grace 30m");
  }
  const windowSeconds = Math.ceil((basisGap + grace) / MINUTE_SECONDS) * MINUTE_SECONDS;
  const evaluation = alarmEvaluation(windowSeconds);
  if (evaluation === undefined) {
    const gapWords = durationInWords(basisGap);
    if (expectEvery !== undefined) {
      throw new InputError(
        "--expect-every",
        `${gapWords} plus ${durationInWords(grace)} of grace is over CloudWatch's 7-day limit for an alarm window`,
        `--expect-every ${Math.floor((MAX_EVALUATION_SECONDS - grace) / HOUR_SECONDS)}h`,
      );
    }
    const canLoosen = grace > MIN_GRACE_SECONDS && longest + MIN_GRACE_SECONDS <= MAX_EVALUATION_SECONDS;
    return {
      watched: false,
      reason:
        `runs can be ${gapWords} apart; with ${durationInWords(grace)} of grace that is over the 7 days a ` +
        `CloudWatch alarm can look back, so missed runs of this job are not watched`,
      hint: canLoosen
        ? `a shorter --grace (at most ${durationInWords(MAX_EVALUATION_SECONDS - longest)}) would fit`
        : "failed runs still alert; run it more often than weekly to have missed runs watched",
    };
  }

  const noticedWithinSeconds = windowSeconds - shortest;
  // A lone miss leaves at least 2 × gap − grace between two successes; noticed for sure when that exceeds the window.
  const loneMissNoticed = 2 * shortest - grace > windowSeconds;
  const longestAt = gaps.longestGapEndsAt ? ` (before ${weekdayAndTime(gaps.longestGapEndsAt, timezone)})` : "";
  const summary = loneMissNoticed
    ? `alarm if no run succeeds within ${durationInWords(windowSeconds)}: a missed run is noticed ` +
      `at most ${durationInWords(noticedWithinSeconds)} after it was due (plus the previous run's duration)`
    : `alarm if no run succeeds within ${durationInWords(windowSeconds)} ` +
      `(${expectEvery === undefined ? `the longest gap${longestAt}` : "--expect-every"} + ${durationInWords(grace)} grace): ` +
      `a job that stops is noticed at most ${durationInWords(noticedWithinSeconds)} after a missed run ` +
      `(plus the previous run's duration); ` +
      `a single missed run between two on-time ones may go unnoticed`;
  return {
    watched: true,
    windowSeconds,
    graceSeconds: grace,
    longestGapSeconds: longest,
    shortestGapSeconds: shortest,
    basis: expectEvery === undefined ? "schedule" : "expect-every",
    noticedWithinSeconds,
    loneMissNoticed,
    summary,
    ...evaluation,
  };
}

/**
 * The grace time a run has after it was due (the alarm's, and how late status calls a run): the watch's; for a job
 * whose missed runs are not watched, --grace, else the default for the schedule's longest gap (an hour's without one).
 * `options`: those the watch was made from.
 */
export function runGraceSeconds(watch: MissedRunWatch, options: MissedRunOptions): number {
  if (watch.watched) return watch.graceSeconds;
  if (options.graceSeconds !== undefined) return options.graceSeconds;
  const longest = scheduleGaps(options.expression, { from: options.now, timezone: options.timezone ?? "UTC" }).longestGapSeconds;
  return defaultGraceSeconds(longest ?? 3600);
}

/**
 * The one period covering a window, in whole minutes (N = M = 1), which AWS accepts up to 7 days. Splitting it into
 * N periods with M = N would be the same rule with more data points, and M < N is unsafe (desired/missed-run.ts's
 * header). Undefined when the window cannot be evaluated at all.
 */
export function alarmEvaluation(windowSeconds: number): AlarmEvaluation | undefined {
  const period = Math.ceil(windowSeconds / MINUTE_SECONDS) * MINUTE_SECONDS;
  if (!isValidPeriod(period) || !evaluationFits(period, 1)) return undefined;
  return { period, evaluationPeriods: 1, datapointsToAlarm: 1 };
}
