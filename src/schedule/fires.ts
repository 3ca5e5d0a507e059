/**
 * Schedules that parse but never fire: 30 February, a year already past, a time that daylight saving skips every
 * year. EventBridge accepts them and the job silently never runs, so init refuses them with the reason.
 */
import { MONTH_ABBREVIATIONS } from "./calendar.js";
import { matchingDays, nextRuns } from "./next-runs.js";
import { parseSchedule } from "./parse.js";
import { wallClockAt } from "./timezone.js";

// 28 years hold every weekday/leap-year combination of the Gregorian calendar between 1901 and 2099.
const CYCLE_START = 2024;
const CYCLE_YEARS = 28;

/** Why `expression` in `timezone` has no run after `now`, in one sentence with the fix; undefined if it fires. */
export function neverFiresProblem(expression: string, timezone: string, now: Date): string | undefined {
  const schedule = parseSchedule(expression);
  if (schedule.kind === "rate") return undefined;
  if (nextRuns(expression, { from: now, count: 1, timezone }).length > 0) return undefined;
  const { fields } = schedule;
  const text = expression.trim();

  const someDay = fields.months.some((month) =>
    Array.from({ length: CYCLE_YEARS }, (_, i) => CYCLE_START + i).some((year) => matchingDays(fields, year, month).length > 0),
  );
  if (!someDay) {
    const months = fields.months.map((m) => MONTH_ABBREVIATIONS[m - 1] ?? String(m)).join(",");
    return `${text} never fires: no ${months.includes(",") ? "month it names" : months} has the day it names (like 30 February); e.g. L for the last day of the month: cron(${schedule.minutes} ${schedule.hours} L ${schedule.month} ? *)`;
  }

  const thisYear = wallClockAt(now.getTime(), timezone).year;
  const lastYear = Math.max(...fields.years);
  if (lastYear < thisYear)
    return `${text} never fires: its year ${schedule.year} is in the past; use * for every year, e.g. cron(${schedule.minutes} ${schedule.hours} ${schedule.dayOfMonth} ${schedule.month} ${schedule.dayOfWeek} *)`;

  if (timezone !== "UTC" && nextRuns(expression, { from: now, count: 1, timezone: "UTC" }).length > 0)
    return `${text} never fires in ${timezone}: every time it names falls in the hour that daylight saving skips there; pick a time outside it, e.g. an hour later`;

  return `${text} never fires again: its last run is already past; use * for the year, e.g. cron(${schedule.minutes} ${schedule.hours} ${schedule.dayOfMonth} ${schedule.month} ${schedule.dayOfWeek} *)`;
}
