/** When a schedule fires next: exact for cron, "about" for rate (its phase is set by when the rule was created). */
import { cronWeekday, daysInMonth } from "./calendar.js";
import { parseSchedule, type CronFields, type RateUnit } from "./parse.js";
import { offsetAt, wallClockAt, wallTimeToInstant } from "./timezone.js";

export interface NextRunsOptions {
  readonly from: Date;
  readonly count: number;
  /** IANA name the cron fields are read in; EventBridge rules always use UTC. */
  readonly timezone?: string;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** A rate's unit in milliseconds (gaps.ts measures rates with it too). */
export const UNIT_MS: Readonly<Record<RateUnit, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };
// The largest time a Date can hold.
const MAX_DATE_MS = 8.64e15;

/**
 * The next `count` fire times strictly after `from`.
 *
 * cron fields are wall-clock time in `timezone`, following EventBridge Scheduler's daylight-saving rules: a time
 * that a spring-forward change skips does not run that day, and a time that a fall-back change repeats runs once,
 * at its first occurrence.
 *
 * rate: from + k × rate, k = 1…count. A day is 24 hours, as Scheduler counts it, whatever the clocks do.
 */
export function nextRuns(expression: string, options: NextRunsOptions): Date[] {
  const fromMs = options.from.getTime();
  if (Number.isNaN(fromMs)) throw new RangeError("nextRuns needs a valid from date");
  if (!Number.isInteger(options.count) || options.count < 0) {
    throw new RangeError(`nextRuns needs a count of 0 or more, got ${options.count}`);
  }
  const schedule = parseSchedule(expression);
  const timeZone = options.timezone ?? "UTC";
  // Validate the zone up front, so a rate schedule with a bad zone fails the same way a cron one does.
  wallClockAt(fromMs, timeZone);
  if (options.count === 0) return [];

  if (schedule.kind === "rate") {
    const stepMs = schedule.value * UNIT_MS[schedule.unit];
    const runs: Date[] = [];
    for (let k = 1; k <= options.count; k++) {
      const ms = fromMs + k * stepMs;
      if (ms > MAX_DATE_MS) break;
      runs.push(new Date(ms));
    }
    return runs;
  }
  return nextCronRuns(schedule.fields, fromMs, options.count, timeZone);
}

function nextCronRuns(fields: CronFields, fromMs: number, count: number, timeZone: string): Date[] {
  const runs: Date[] = [];
  // Start a day before from's local date: around a fall-back change, times on the previous local day can still be
  // later than from, and anything earlier is filtered out below.
  const fromWall = wallClockAt(fromMs, timeZone);
  const start = new Date(Date.UTC(fromWall.year, fromWall.month - 1, fromWall.day - 1));
  const startYear = start.getUTCFullYear();
  const startMonth = start.getUTCMonth() + 1;
  const startDay = start.getUTCDate();

  // A wall time w happens at w − offset, so with offsets ≥ lowestOffset every w ≤ from + lowestOffset happens at
  // or before from. Checking that numerically skips the Intl calls for most of the first two days.
  const nearbyOffsets = [fromMs - 2 * DAY_MS, fromMs, fromMs + 2 * DAY_MS].map((ms) => offsetAt(ms, timeZone));
  const lowestOffset = Math.min(...nearbyOffsets) - HOUR_MS;
  const notAfterFrom = fromMs + lowestOffset;

  for (const year of fields.years) {
    if (year < startYear) continue;
    for (const month of fields.months) {
      if (year === startYear && month < startMonth) continue;
      for (const day of matchingDays(fields, year, month)) {
        if (year === startYear && month === startMonth && day < startDay) continue;
        for (const hour of fields.hours) {
          for (const minute of fields.minutes) {
            const wallMs = Date.UTC(year, month - 1, day, hour, minute);
            if (wallMs <= notAfterFrom) continue;
            const instant = wallTimeToInstant(wallMs, timeZone);
            if (instant === undefined || instant <= fromMs) continue;
            runs.push(new Date(instant));
            if (runs.length === count) return runs;
          }
        }
      }
    }
  }
  return runs;
}

/** The days of one month that the day-of-month / day-of-week pair selects, ascending. */
export function matchingDays(fields: CronFields, year: number, month: number): number[] {
  const lastDay = daysInMonth(year, month);
  const dom = fields.daysOfMonth;
  switch (dom.kind) {
    case "days":
      return dom.days.filter((day) => day <= lastDay);
    case "last":
      return [lastDay];
    case "lastWeekday": {
      const weekday = cronWeekday(year, month, lastDay);
      return [weekday === 7 ? lastDay - 1 : weekday === 1 ? lastDay - 2 : lastDay];
    }
    case "nearestWeekday":
      return nearestWeekday(year, month, dom.day, lastDay);
    case "any":
      break;
  }

  const dow = fields.daysOfWeek;
  switch (dow.kind) {
    case "any":
      return range(1, lastDay);
    case "days": {
      const wanted = new Set(dow.days);
      return range(1, lastDay).filter((day) => wanted.has(cronWeekday(year, month, day)));
    }
    case "last": {
      const shift = (cronWeekday(year, month, lastDay) - dow.day + 7) % 7;
      return [lastDay - shift];
    }
    case "nth": {
      const first = 1 + ((dow.day - cronWeekday(year, month, 1) + 7) % 7);
      const day = first + 7 * (dow.nth - 1);
      return day <= lastDay ? [day] : [];
    }
  }
}

/**
 * Quartz's nW: the weekday nearest day n without leaving the month (1W on a Saturday is Monday the 3rd).
 * The AWS console's preview skips months that have no day n (31W in April), so this does too.
 */
function nearestWeekday(year: number, month: number, day: number, lastDay: number): number[] {
  if (day > lastDay) return [];
  const weekday = cronWeekday(year, month, day);
  if (weekday === 7) return [day === 1 ? 3 : day - 1];
  if (weekday === 1) return [day === lastDay ? day - 2 : day + 1];
  return [day];
}

function range(from: number, to: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value++) values.push(value);
  return values;
}
