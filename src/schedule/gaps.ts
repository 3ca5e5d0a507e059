/**
 * How far apart a schedule's runs can be, for the missed-run alarm: the longest and shortest gap between two
 * consecutive runs, and when the first run is due.
 *
 * rate(N unit): every gap is the interval (a day is 24 hours, as EventBridge counts it).
 * cron: runs are wall-clock times in the job's zone, so the gaps are measured over the next 366 days (every DST
 * change of the coming year included, as nextRuns fires them: a skipped time does not run, a repeated one runs once).
 * A minutely cron has 527,040 runs in that span, so instead of listing them this walks the run days: on a day
 * whose UTC offset does not change, the gaps inside the day are the wall-clock gaps between the day's times
 * (computed once), so only the day's first and last run need a zone lookup; days with an offset change, and the
 * partial days at both ends, are enumerated exactly.
 */
import { cronWeekday } from "./calendar.js";
import { DAY_MS, HOUR_MS, MINUTE_MS, nextRuns, matchingDays, UNIT_MS } from "./next-runs.js";
import { parseSchedule, type CronFields } from "./parse.js";
import { offsetAt, wallClockAt, wallTimeToInstant } from "./timezone.js";

export interface ScheduleGaps {
  /** Longest time between two consecutive runs, in seconds; undefined when fewer than two runs fall in the horizon. */
  readonly longestGapSeconds: number | undefined;
  /** Shortest time between two consecutive runs, in seconds; undefined like longestGapSeconds. */
  readonly shortestGapSeconds: number | undefined;
  /** The run that closes the (first) longest gap: "Monday 07:00" after a weekday job's weekend. */
  readonly longestGapEndsAt: Date | undefined;
  /** True when every gap is the same length (rate, daily cron in UTC): one window fits every run exactly. */
  readonly regular: boolean;
  /** The span the gaps were measured over, in seconds (the whole year ahead for cron). */
  readonly horizonSeconds: number;
}

export interface ScheduleGapsOptions {
  /** Measure the runs strictly after this instant. */
  readonly from: Date;
  /** IANA zone the cron fields are read in; EventBridge rules use UTC. */
  readonly timezone?: string;
  /** How far ahead to look for cron schedules, in days; a year plus a day covers every DST change once. */
  readonly horizonDays?: number;
}

const DEFAULT_GAP_HORIZON_DAYS = 366;

/**
 * A command asks for the same schedule's gaps several times within a few milliseconds (settings validation, the
 * desired alarm, status's timeliness): a cron's year of runs is worked out once per minute. A cron's runs fall on
 * whole minutes, so two instants of the same minute see the same runs but for one at that minute's very start.
 */
const recentGaps = new Map<string, ScheduleGaps>();
const MAX_RECENT_GAPS = 32;

export function scheduleGaps(expression: string, options: ScheduleGapsOptions): ScheduleGaps {
  const fromMs = options.from.getTime();
  if (Number.isNaN(fromMs)) throw new RangeError("scheduleGaps needs a valid from date");
  const key = [expression, options.timezone ?? "UTC", options.horizonDays ?? DEFAULT_GAP_HORIZON_DAYS, Math.floor(fromMs / 60_000)].join("\n");
  const known = recentGaps.get(key);
  if (known) return known;
  const gaps = computeGaps(expression, fromMs, options);
  if (recentGaps.size >= MAX_RECENT_GAPS) recentGaps.clear();
  recentGaps.set(key, gaps);
  return gaps;
}

function computeGaps(expression: string, fromMs: number, options: ScheduleGapsOptions): ScheduleGaps {
  const timeZone = options.timezone ?? "UTC";
  wallClockAt(fromMs, timeZone); // validates the zone, for rate schedules too
  const schedule = parseSchedule(expression);
  const horizonDays = options.horizonDays ?? DEFAULT_GAP_HORIZON_DAYS;
  const horizonMs = horizonDays * DAY_MS;

  if (schedule.kind === "rate") {
    const seconds = (schedule.value * UNIT_MS[schedule.unit]) / 1000;
    return {
      longestGapSeconds: seconds,
      shortestGapSeconds: seconds,
      longestGapEndsAt: new Date(fromMs + 2 * seconds * 1000),
      regular: true,
      horizonSeconds: horizonMs / 1000,
    };
  }
  return cronGaps(schedule.fields, fromMs, fromMs + horizonMs, timeZone);
}

/** When the first run after `since` is due (a rate schedule's phase is set when it is created, so since + rate). */
export function firstDueTime(expression: string, since: Date, timezone = "UTC"): Date | undefined {
  return nextRuns(expression, { from: since, count: 1, timezone })[0];
}

class GapTracker {
  longest = 0;
  shortest = Number.POSITIVE_INFINITY;
  longestEndsAt: number | undefined;
  lastRun: number | undefined;

  /** A run at `ms`, later than every run seen so far. */
  run(ms: number): void {
    if (this.lastRun !== undefined) this.gap(ms - this.lastRun, ms);
    this.lastRun = ms;
  }

  gap(ms: number, endsAt: number): void {
    if (ms > this.longest) {
      this.longest = ms;
      this.longestEndsAt = endsAt;
    }
    if (ms < this.shortest) this.shortest = ms;
  }
}

function cronGaps(fields: CronFields, fromMs: number, endMs: number, timeZone: string): ScheduleGaps {
  // Minutes after local midnight at which the schedule fires, ascending (hours and minutes come sorted).
  const times = fields.hours.flatMap((hour) => fields.minutes.map((minute) => hour * 60 + minute));
  const firstTime = times[0] ?? 0;
  const lastTime = times[times.length - 1] ?? 0;
  let widestInDay = 0;
  let widestEndsAt = 0;
  let narrowestInDay = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    const gap = ((times[i] ?? 0) - (times[i - 1] ?? 0)) * MINUTE_MS;
    if (gap > widestInDay) {
      widestInDay = gap;
      widestEndsAt = times[i] ?? 0;
    }
    narrowestInDay = Math.min(narrowestInDay, gap);
  }

  const tracker = new GapTracker();
  const fromWall = wallClockAt(fromMs, timeZone);
  // A day earlier than from's local date: around a fall-back change its times can still come after from.
  const startWallMs = Date.UTC(fromWall.year, fromWall.month - 1, fromWall.day - 1);
  const startYear = new Date(startWallMs).getUTCFullYear();

  scan: for (const year of fields.years) {
    if (year < startYear) continue;
    for (const month of fields.months) {
      if (Date.UTC(year, month, 1) <= startWallMs) continue;
      for (const day of matchingDays(fields, year, month)) {
        const midnightWall = Date.UTC(year, month - 1, day);
        if (midnightWall < startWallMs) continue;
        // Every instant of this local day is after endMs: done (zones lie within UTC-12..UTC+14).
        if (midnightWall - 14 * HOUR_MS > endMs) break scan;
        const dayStart = wallTimeToInstant(midnightWall, timeZone);
        const nextDayStart = wallTimeToInstant(midnightWall + DAY_MS, timeZone);
        const steady =
          dayStart !== undefined &&
          nextDayStart !== undefined &&
          nextDayStart - dayStart === DAY_MS &&
          dayStart + firstTime * MINUTE_MS > fromMs &&
          dayStart + lastTime * MINUTE_MS <= endMs;
        if (steady) {
          tracker.run(dayStart + firstTime * MINUTE_MS);
          if (times.length > 1) {
            tracker.gap(widestInDay, dayStart + widestEndsAt * MINUTE_MS);
            tracker.gap(narrowestInDay, dayStart + lastTime * MINUTE_MS);
            tracker.lastRun = dayStart + lastTime * MINUTE_MS;
          }
          continue;
        }
        // An offset change, or a day cut by from or the horizon: every time, exactly.
        const toInstant = dayConverter(midnightWall, timeZone);
        let previous = Number.NEGATIVE_INFINITY;
        for (const minutes of times) {
          const instant = toInstant(midnightWall + minutes * MINUTE_MS);
          if (instant === undefined || instant <= fromMs || instant > endMs || instant <= previous) continue;
          previous = instant;
          tracker.run(instant);
        }
      }
    }
  }

  const found = tracker.longest > 0;
  return {
    longestGapSeconds: found ? tracker.longest / 1000 : undefined,
    shortestGapSeconds: found ? tracker.shortest / 1000 : undefined,
    longestGapEndsAt: found && tracker.longestEndsAt !== undefined ? new Date(tracker.longestEndsAt) : undefined,
    regular: found && tracker.longest === tracker.shortest,
    horizonSeconds: (endMs - fromMs) / 1000,
  };
}

/** "Monday 07:00" in the job's zone, for sentences about the longest gap. */
export function weekdayAndTime(date: Date, timeZone: string): string {
  const wall = wallClockAt(date.getTime(), timeZone);
  const names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const weekday = names[cronWeekday(wall.year, wall.month, wall.day) - 1] ?? "";
  return `${weekday} ${String(wall.hour).padStart(2, "0")}:${String(wall.minute).padStart(2, "0")}`;
}

/**
 * Wall time → instant for the times of one local day, with two zone lookups and a binary search for the offset
 * change instead of three lookups a time (a minutely cron has 1,440 times a day). Same rule as wallTimeToInstant:
 * a skipped time has no instant, a repeated one its first. Assumes at most one offset change within the day.
 */
function dayConverter(midnightWall: number, timeZone: string): (wallMs: number) => number | undefined {
  let low = midnightWall - 14 * HOUR_MS;
  let high = midnightWall + DAY_MS + 12 * HOUR_MS;
  const before = offsetAt(low, timeZone);
  const after = offsetAt(high, timeZone);
  if (before === after) return (wallMs) => wallMs - before;
  // The first instant (to the second) at which the offset is `after`.
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (offsetAt(middle, timeZone) === before) low = middle;
    else high = middle;
  }
  const change = high;
  return (wallMs) => {
    const early = wallMs - before;
    const late = wallMs - after;
    const candidates = [early < change ? early : undefined, late >= change ? late : undefined];
    const valid = candidates.filter((instant): instant is number => instant !== undefined);
    return valid.length === 0 ? undefined : Math.min(...valid);
  };
}
