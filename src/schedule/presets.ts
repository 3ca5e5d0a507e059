/**
 * The wizard's ready-made schedules. Each returns an expression whose fields are wall-clock time in whatever zone
 * the schedule is evaluated in (UTC for EventBridge rules, ScheduleExpressionTimezone for Scheduler).
 */
import { problemOf, ScheduleError } from "./parse.js";

export type Weekday = "MON" | "TUE" | "WED" | "THU" | "FRI" | "SAT" | "SUN";

const WEEKDAYS: readonly Weekday[] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

export function everyMinutes(n: number): string {
  return rate(n, "minute");
}

export function everyHours(n: number): string {
  return rate(n, "hour");
}

export function everyDays(n: number): string {
  return rate(n, "day");
}

export function dailyAt(hhmm: string): string {
  const { hour, minute } = parseTimeOfDay(hhmm);
  return `cron(${minute} ${hour} * * ? *)`;
}

export function weekdaysAt(hhmm: string): string {
  const { hour, minute } = parseTimeOfDay(hhmm);
  return `cron(${minute} ${hour} ? * MON-FRI *)`;
}

export function weeklyAt(day: Weekday, hhmm: string): string {
  if (!WEEKDAYS.includes(day)) {
    throw new ScheduleError(`the day must be one of ${WEEKDAYS.join(", ")}, got ${JSON.stringify(day)}`);
  }
  const { hour, minute } = parseTimeOfDay(hhmm);
  return `cron(${minute} ${hour} ? * ${day} *)`;
}

/** Days 29–31 are allowed and simply do not run in months without them (describeSchedule says "day 31"). */
export function monthlyAt(dayOfMonth: number, hhmm: string): string {
  if (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 31) {
    throw new ScheduleError(`the day of the month must be a whole number 1–31, got ${dayOfMonth}`);
  }
  const { hour, minute } = parseTimeOfDay(hhmm);
  return `cron(${minute} ${hour} ${dayOfMonth} * ? *)`;
}

/** For prompt validators: undefined when hhmm is a valid 24-hour time, else the problem. */
export function timeOfDayProblem(hhmm: string): string | undefined {
  return problemOf(() => parseTimeOfDay(hhmm));
}

function parseTimeOfDay(hhmm: string): { hour: number; minute: number } {
  const match = /^(\d{1,2}):(\d{2})$/.exec(typeof hhmm === "string" ? hhmm.trim() : "");
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) {
    throw new ScheduleError(`the time must be HH:MM on a 24-hour clock, e.g. 07:30; got ${JSON.stringify(hhmm)}`);
  }
  return { hour, minute };
}

function rate(n: number, unit: "minute" | "hour" | "day"): string {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ScheduleError(`the number of ${unit}s must be a whole number of at least 1, got ${n}`);
  }
  return n === 1 ? `rate(1 ${unit})` : `rate(${n} ${unit}s)`;
}
