/** Schedule expressions in plain English, for the wizard's confirmation and for `status`. */
import { monthName, weekdayName } from "./calendar.js";
import { MAX_YEAR, MIN_YEAR, parseSchedule, type CronFields, type RateSchedule } from "./parse.js";

/**
 * "every 5 minutes", "at 07:00 on Monday through Friday (UTC)", "at 03:30 on day 1 of every month (Europe/Paris)".
 * The zone is named whenever the answer depends on it; it defaults to UTC, which is what EventBridge rules use.
 * Throws ScheduleError only for an invalid expression.
 */
export function describeSchedule(expression: string, timezone?: string): string {
  const schedule = parseSchedule(expression);
  if (schedule.kind === "rate") return describeRate(schedule);
  return describeCron(schedule.fields, timezone ?? "UTC");
}

function describeRate({ value, unit }: RateSchedule): string {
  return value === 1 ? `every ${unit}` : `every ${value} ${unit}s`;
}

function describeCron(fields: CronFields, timezone: string): string {
  const time = describeTime(fields.minutes, fields.hours);
  const days = describeDays(fields);
  const allMonths = fields.months.length === 12;
  const allYears = fields.years.length === MAX_YEAR - MIN_YEAR + 1;

  let text = time.text;
  if (days === undefined) {
    if (time.atFixedTimes) text += " every day";
    if (!allMonths) text += ` in ${listMonths(fields.months)}`;
  } else {
    text += ` ${days}`;
  }
  if (!allYears) text += ` in ${listNumbers(fields.years, String)}`;
  // Every minute of every day reads the same in any zone; anything tied to an hour or a date does not.
  const zoneMatters = fields.hours.length < 24 || days !== undefined || !allMonths || !allYears;
  return zoneMatters ? `${text} (${timezone})` : text;
}

interface TimePhrase {
  readonly text: string;
  /** "at 07:00" needs "every day" after it to read well; "every 5 minutes" does not. */
  readonly atFixedTimes: boolean;
}

function describeTime(minutes: readonly number[], hours: readonly number[]): TimePhrase {
  const allMinutes = minutes.length === 60;
  const allHours = hours.length === 24;
  const lastMinute = minutes[minutes.length - 1] ?? 59;
  const minuteStep = stepFromZero(minutes, 60);

  const fewTimes = minutes.length * hours.length <= 6;
  if (fewTimes && hours.length === 1 && !allMinutes) return fixedTimes(minutes, hours);
  if (allMinutes) {
    return { text: allHours ? "every minute" : `every minute ${hourWindows(hours, 59)}`, atFixedTimes: false };
  }
  // Windows read well for one or two blocks of hours; beyond that a list of hours is shorter.
  const fewWindows = runs(hours).length <= 2;
  if (minuteStep !== undefined && (allHours || fewWindows)) {
    const every = `every ${minuteStep} minutes`;
    return { text: allHours ? every : `${every} ${hourWindows(hours, lastMinute)}`, atFixedTimes: false };
  }
  const minuteList = `${minutes.length === 1 ? "minute" : "minutes"} ${listNumbers(minutes, String)}`;
  if (allHours) return { text: `at ${minuteList} of every hour`, atFixedTimes: false };
  if (fewTimes) return fixedTimes(minutes, hours);

  const hourStep = stepFromZero(hours, 24);
  const onlyMinute = minutes.length === 1 ? minutes[0] : undefined;
  if (hourStep !== undefined && onlyMinute !== undefined) {
    const at = onlyMinute === 0 ? "on the hour" : `at minute ${onlyMinute}`;
    return { text: `every ${hourStep} hours ${at}`, atFixedTimes: false };
  }
  if (fewWindows) return { text: `at ${minuteList} of every hour ${hourWindows(hours, 59)}`, atFixedTimes: false };
  return {
    text: `at ${minuteList} past ${hours.length === 1 ? "hour" : "hours"} ${listNumbers(hours, pad2)}`,
    atFixedTimes: false,
  };
}

function fixedTimes(minutes: readonly number[], hours: readonly number[]): TimePhrase {
  const times = hours.flatMap((hour) => minutes.map((minute) => `${pad2(hour)}:${pad2(minute)}`));
  return { text: `at ${joinAnd(times)}`, atFixedTimes: true };
}

/** undefined when every day matches (then months are said separately). */
function describeDays(fields: CronFields): string | undefined {
  const dom = fields.daysOfMonth;
  const dow = fields.daysOfWeek;
  const ofMonths = fields.months.length === 12 ? "of every month" : `of ${listMonths(fields.months)}`;
  const inMonths = fields.months.length === 12 ? "" : ` in ${listMonths(fields.months)}`;

  switch (dom.kind) {
    case "days":
      if (dom.days.length === 31) return undefined;
      return `on ${dom.days.length === 1 ? "day" : "days"} ${listNumbers(dom.days, String)} ${ofMonths}`;
    case "last":
      return `on the last day ${ofMonths}`;
    case "lastWeekday":
      return `on the last weekday ${ofMonths}`;
    case "nearestWeekday":
      return `on the weekday nearest day ${dom.day} ${ofMonths}`;
    case "any":
      break;
  }
  switch (dow.kind) {
    case "any":
      return undefined;
    case "days":
      if (dow.days.length === 7) return undefined;
      return `on ${listNumbers(dow.days, weekdayName)}${inMonths}`;
    case "last":
      return `on the last ${weekdayName(dow.day)} ${ofMonths}`;
    case "nth":
      return `on the ${ORDINALS[dow.nth - 1] ?? `${dow.nth}th`} ${weekdayName(dow.day)} ${ofMonths}`;
  }
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth"] as const;

/** "from 08:00 through 17:55", one window per run of consecutive hours. */
function hourWindows(hours: readonly number[], lastMinute: number): string {
  return runs(hours)
    .map(([first, last]) => `from ${pad2(first)}:00 through ${pad2(last)}:${pad2(lastMinute)}`)
    .join(" and ");
}

/** The step s when values are exactly 0, s, 2s, … filling the field evenly (s > 1). */
function stepFromZero(values: readonly number[], size: number): number | undefined {
  const step = values[1];
  if (values[0] !== 0 || step === undefined || step < 2 || size % step !== 0 || values.length !== size / step) {
    return undefined;
  }
  return values.every((value, index) => value === index * step) ? step : undefined;
}

function listMonths(months: readonly number[]): string {
  return listNumbers(months, monthName);
}

/** "1, 5 and 7", with runs of three or more as "9 through 17". */
function listNumbers(values: readonly number[], render: (value: number) => string): string {
  const items: string[] = [];
  for (const [first, last] of runs(values)) {
    if (last - first >= 2) items.push(`${render(first)} through ${render(last)}`);
    else for (let value = first; value <= last; value++) items.push(render(value));
  }
  return joinAnd(items);
}

function runs(values: readonly number[]): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  for (const value of values) {
    const current = result[result.length - 1];
    if (current && value === current[1] + 1) current[1] = value;
    else result.push([value, value]);
  }
  return result;
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] ?? ""}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}
