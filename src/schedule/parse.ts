/**
 * Parse and validate EventBridge schedule expressions (rules and EventBridge Scheduler share the syntax).
 * Strict on purpose: an expression accepted here should not come back from PutRule/CreateSchedule as a
 * ValidationException, and every rejection names the field and what to write instead.
 */
import { MONTH_ABBREVIATIONS, WEEKDAY_ABBREVIATIONS } from "./calendar.js";

export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
}

export type RateUnit = "minute" | "hour" | "day";

export interface RateSchedule {
  readonly kind: "rate";
  readonly value: number;
  readonly unit: RateUnit;
}

type DayOfMonthRule =
  | { readonly kind: "any" }
  | { readonly kind: "days"; readonly days: readonly number[] }
  | { readonly kind: "last" }
  | { readonly kind: "lastWeekday" }
  | { readonly kind: "nearestWeekday"; readonly day: number };

/** Weekday numbers are EventBridge's: 1 = Sunday … 7 = Saturday. */
type DayOfWeekRule =
  | { readonly kind: "any" }
  | { readonly kind: "days"; readonly days: readonly number[] }
  | { readonly kind: "last"; readonly day: number }
  | { readonly kind: "nth"; readonly day: number; readonly nth: number };

/** The fields expanded to sorted, de-duplicated value lists. */
export interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: DayOfMonthRule;
  readonly months: readonly number[];
  readonly daysOfWeek: DayOfWeekRule;
  readonly years: readonly number[];
}

interface CronSchedule {
  readonly kind: "cron";
  /** The raw field texts, as written. */
  readonly minutes: string;
  readonly hours: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
  readonly year: string;
  readonly fields: CronFields;
}

export type ParsedSchedule = RateSchedule | CronSchedule;

const MAX_EXPRESSION_LENGTH = 256;
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

const FORMS_HINT = "use rate(...), e.g. rate(1 day), or cron(...), e.g. cron(0 12 * * ? *)";

export function parseSchedule(expression: string): ParsedSchedule {
  if (typeof expression !== "string") {
    throw new ScheduleError(`the schedule expression must be text; ${FORMS_HINT}`);
  }
  const text = expression.trim();
  if (text === "") throw new ScheduleError(`the schedule expression is empty; ${FORMS_HINT}`);
  const fail = (problem: string): never => {
    throw new ScheduleError(`${shorten(text)}: ${problem}`);
  };
  if (text.length > MAX_EXPRESSION_LENGTH) {
    fail(`the expression is ${text.length} characters long; EventBridge allows at most ${MAX_EXPRESSION_LENGTH}`);
  }

  const keyword = text.slice(0, 5);
  const lowerKeyword = keyword.toLowerCase();
  if (lowerKeyword === "rate(" || lowerKeyword === "cron(") {
    if (keyword !== lowerKeyword) fail(`write ${lowerKeyword}...) in lower case`);
    if (!text.endsWith(")")) fail(`${lowerKeyword}...) is missing its closing parenthesis`);
    const body = text.slice(5, -1);
    return lowerKeyword === "rate(" ? parseRate(body, fail) : parseCron(body, fail);
  }
  if (/^at\s*\(/i.test(text)) fail(`one-time at(...) schedules are not supported for a recurring job; ${FORMS_HINT}`);
  if (looksLikeBareCronFields(text)) fail("wrap cron fields in cron(...), e.g. cron(0 12 * * ? *)");
  return fail(`not a schedule expression; ${FORMS_HINT}`);
}

/** For prompt validators: undefined when the expression is valid, else the one-sentence problem. */
export function scheduleProblem(expression: string): string | undefined {
  return problemOf(() => parseSchedule(expression));
}

/** Undefined when `check` passes, else the sentence of the ScheduleError it throws (any other error is thrown on). */
export function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof ScheduleError) return error.message;
    throw error;
  }
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function looksLikeBareCronFields(text: string): boolean {
  return /^[\w*?,/#-]+(\s+[\w*?,/#-]+){4,5}$/.test(text);
}

// ---------------------------------------------------------------------------------------------------------------
// rate(value unit)

const RATE_UNITS: Readonly<Record<string, { unit: RateUnit; plural: boolean }>> = {
  minute: { unit: "minute", plural: false },
  minutes: { unit: "minute", plural: true },
  hour: { unit: "hour", plural: false },
  hours: { unit: "hour", plural: true },
  day: { unit: "day", plural: false },
  days: { unit: "day", plural: true },
};

function parseRate(body: string, fail: (problem: string) => never): RateSchedule {
  const match = /^(\S+) (\S+)$/.exec(body);
  if (!match) return fail("write rate(value unit) with one space between them, e.g. rate(5 minutes)");
  const valueText = match[1] ?? "";
  const unitText = match[2] ?? "";

  if (!/^\d+$/.test(valueText)) fail(`the value must be a whole number of at least 1, got ${valueText}`);
  const value = Number(valueText);
  if (value === 0) fail("the value must be at least 1, got 0; e.g. rate(1 day)");
  if (valueText.startsWith("0")) fail(`write the value without leading zeros, e.g. rate(${value} ${unitText})`);
  if (!Number.isSafeInteger(value)) fail(`the value ${valueText} is too large`);

  const known = RATE_UNITS[unitText];
  if (!known) {
    const lower = unitText.toLowerCase();
    const inLowerCase = RATE_UNITS[lower];
    if (inLowerCase) fail(`write the unit in lower case, e.g. rate(${value} ${lower})`);
    if (/^(s|secs?|seconds?)$/.test(lower)) {
      fail("nothing faster than once a minute is allowed; the unit must be minute(s), hour(s) or day(s)");
    }
    if (/^weeks?$/.test(lower)) {
      fail(`the unit must be minute(s), hour(s) or day(s); for weeks use days, e.g. rate(${value * 7} days)`);
    }
    return fail(`the unit must be minute, minutes, hour, hours, day or days, got ${unitText}`);
  }
  const singular = known.unit;
  if (value === 1 && known.plural) fail(`a rate of 1 takes the singular unit, e.g. rate(1 ${singular})`);
  if (value > 1 && !known.plural) fail(`a rate above 1 takes the plural unit, e.g. rate(${value} ${singular}s)`);
  return { kind: "rate", value, unit: singular };
}

// ---------------------------------------------------------------------------------------------------------------
// cron(minutes hours day-of-month month day-of-week year)

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Longest digit string accepted, so "07" passes and "007" does not. */
  readonly digits: number;
  /** Upper-case names; names[0] stands for min. */
  readonly names?: readonly string[];
  readonly allowed: string;
  /** Quartz, which EventBridge's syntax follows, rejects increments wider than the field. */
  readonly maxStep: number;
}

const MINUTES: FieldSpec = { label: "minutes", min: 0, max: 59, digits: 2, allowed: "0–59", maxStep: 59 };
const HOURS: FieldSpec = { label: "hours", min: 0, max: 23, digits: 2, allowed: "0–23", maxStep: 23 };
const DAY_OF_MONTH: FieldSpec = { label: "day-of-month", min: 1, max: 31, digits: 2, allowed: "1–31", maxStep: 31 };
const MONTH: FieldSpec = {
  label: "month",
  min: 1,
  max: 12,
  digits: 2,
  names: MONTH_ABBREVIATIONS,
  allowed: "1–12 or JAN–DEC",
  maxStep: 12,
};
const DAY_OF_WEEK: FieldSpec = {
  label: "day-of-week",
  min: 1,
  max: 7,
  digits: 1,
  names: WEEKDAY_ABBREVIATIONS,
  allowed: "1–7 (1 = Sunday) or SUN–SAT",
  maxStep: 7,
};
const YEAR: FieldSpec = {
  label: "year",
  min: MIN_YEAR,
  max: MAX_YEAR,
  digits: 4,
  allowed: `${MIN_YEAR}–${MAX_YEAR}`,
  maxStep: MAX_YEAR - MIN_YEAR,
};

const FIELD_NAMES = "minutes hours day-of-month month day-of-week year";

function parseCron(body: string, fail: (problem: string) => never): CronSchedule {
  if (body.trim() === "") fail(`a cron expression needs 6 fields (${FIELD_NAMES}), got none`);
  if (body !== body.trim()) fail("remove the spaces just inside the parentheses");
  if (/\s/.test(body.replace(/ /g, "")) || body.includes("  ")) fail("separate the 6 fields with single spaces");

  const parts = body.split(" ");
  if (parts.length !== 6) {
    const hint =
      parts.length === 5
        ? "; EventBridge cron adds a year field and needs ? in day-of-month or day-of-week, e.g. cron(0 12 * * ? *)"
        : ", e.g. cron(0 12 * * ? *)";
    fail(`a cron expression needs 6 fields (${FIELD_NAMES}), got ${parts.length}${hint}`);
  }
  const [minutesText = "", hoursText = "", domText = "", monthText = "", dowText = "", yearText = ""] = parts;

  const minutes = parseListField(MINUTES, minutesText, fail);
  const hours = parseListField(HOURS, hoursText, fail);
  const daysOfMonth = parseDayOfMonth(domText, fail);
  const months = parseListField(MONTH, monthText, fail);
  const daysOfWeek = parseDayOfWeek(dowText, fail);
  const years = parseListField(YEAR, yearText, fail);

  if (daysOfMonth.kind === "any" && daysOfWeek.kind === "any") {
    fail(`day-of-month and day-of-week cannot both be ?; give one of them a value, ` + `e.g. cron(${minutesText} ${hoursText} * ${monthText} ? ${yearText})`);
  }
  if (daysOfMonth.kind !== "any" && daysOfWeek.kind !== "any") {
    const example =
      domText === "*" && dowText !== "*"
        ? `cron(${minutesText} ${hoursText} ? ${monthText} ${dowText} ${yearText})`
        : `cron(${minutesText} ${hoursText} ${domText} ${monthText} ? ${yearText})`;
    fail(`one of day-of-month and day-of-week must be ?, e.g. ${example}`);
  }

  return {
    kind: "cron",
    minutes: minutesText,
    hours: hoursText,
    dayOfMonth: domText,
    month: monthText,
    dayOfWeek: dowText,
    year: yearText,
    fields: { minutes, hours, daysOfMonth, months, daysOfWeek, years },
  };
}

function parseDayOfMonth(text: string, fail: (problem: string) => never): DayOfMonthRule {
  if (text === "?") return { kind: "any" };
  const upper = text.toUpperCase();
  if (/[LW]/.test(upper)) {
    if (upper === "L") return { kind: "last" };
    if (upper === "LW") return { kind: "lastWeekday" };
    const nearest = /^(\d{1,2})W$/.exec(upper);
    if (nearest) {
      const day = Number(nearest[1]);
      if (day < 1 || day > 31) fail(`day-of-month W needs a day 1–31 before it, e.g. 15W; got ${text}`);
      return { kind: "nearestWeekday", day };
    }
    if (/^L-\d+$/.test(upper)) fail(`day-of-month takes L or LW without an offset, got ${text}`);
    return fail(`day-of-month L and W must stand alone, as L, LW or a day like 15W; got ${text}`);
  }
  return { kind: "days", days: parseListField(DAY_OF_MONTH, text, fail) };
}

function parseDayOfWeek(text: string, fail: (problem: string) => never): DayOfWeekRule {
  if (text === "?") return { kind: "any" };
  const upper = text.toUpperCase();
  if (upper.includes("#")) {
    if (upper.includes(",")) fail(`day-of-week allows a single # expression, got ${text}`);
    const match = /^([^#]+)#(\d+)$/.exec(upper);
    if (!match) {
      return fail(`day-of-week # takes a weekday and a week number 1–5, e.g. 2#1 for the first Monday; got ${text}`);
    }
    const day = parseValue(DAY_OF_WEEK, match[1] ?? "", fail);
    const nth = Number(match[2]);
    if (nth < 1 || nth > 5) fail(`day-of-week # takes a week number 1–5, e.g. 2#1 for the first Monday; got ${text}`);
    return { kind: "nth", day, nth };
  }
  // No weekday abbreviation contains an L, so any L here is the "last" wildcard.
  if (upper.includes("L")) {
    if (upper === "L") return { kind: "days", days: [7] };
    const match = /^([^L]+)L$/.exec(upper);
    if (!match || match[1]?.includes(",") || match[1]?.includes("-") || match[1]?.includes("/")) {
      return fail(`day-of-week L must stand alone, as L or a weekday like 6L (the last Friday); got ${text}`);
    }
    return { kind: "last", day: parseValue(DAY_OF_WEEK, match[1] ?? "", fail) };
  }
  return { kind: "days", days: parseListField(DAY_OF_WEEK, text, fail) };
}

/** The `, - * /` part of the grammar, common to every field. */
function parseListField(spec: FieldSpec, text: string, fail: (problem: string) => never): number[] {
  if (text === "?" || (text.includes("?") && spec !== DAY_OF_MONTH && spec !== DAY_OF_WEEK)) {
    fail(`${spec.label} cannot be ?; ? is only allowed in day-of-month and day-of-week`);
  }
  if (text.includes("?")) fail(`${spec.label} ? must stand alone, got ${text}`);

  const values = new Set<number>();
  for (const item of text.split(",")) {
    if (item === "") fail(`${spec.label} has an empty item in ${text}`);
    const pieces = item.split("/");
    if (pieces.length > 2) fail(`${spec.label} has more than one / in ${item}`);
    const base = pieces[0] ?? "";
    const stepText = pieces[1];

    let low: number;
    let high: number;
    if (base === "*") {
      low = spec.min;
      high = spec.max;
    } else if (base.includes("-")) {
      const ends = base.split("-");
      const [lowText = "", highText = ""] = ends;
      if (ends.length !== 2 || lowText === "" || highText === "") {
        return fail(`${spec.label} range ${base} must look like low-high, e.g. ${exampleRange(spec)}`);
      }
      low = parseValue(spec, lowText, fail);
      high = parseValue(spec, highText, fail);
      if (low > high) {
        const useNames = spec.names !== undefined && !/^\d+$/.test(lowText);
        const top = useNames ? (spec.names?.[spec.max - spec.min] ?? String(spec.max)) : String(spec.max);
        const bottom = useNames ? (spec.names?.[0] ?? String(spec.min)) : String(spec.min);
        const split = `${lowText}-${top},${bottom}-${highText}`;
        fail(`${spec.label} range ${base} runs backwards; split it in two, e.g. ${split}`);
      }
    } else {
      low = parseValue(spec, base, fail);
      // Quartz reads "a/b" as "from a to the end of the field, every b".
      high = stepText === undefined ? low : spec.max;
    }

    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) fail(`${spec.label} step must be a whole number, got ${stepText}`);
      step = Number(stepText);
      if (step < 1 || step > spec.maxStep) fail(`${spec.label} step must be 1–${spec.maxStep}, got ${stepText}`);
    }
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function parseValue(spec: FieldSpec, token: string, fail: (problem: string) => never): number {
  const upper = token.toUpperCase();
  const nameIndex = spec.names?.indexOf(upper) ?? -1;
  if (nameIndex >= 0) return spec.min + nameIndex;
  if (/^\d+$/.test(token) && token.length <= spec.digits) {
    const value = Number(token);
    if (value >= spec.min && value <= spec.max) return value;
  }
  const misplaced = misplacedWildcard(spec, upper);
  if (misplaced) fail(misplaced);
  const shown = /^\d+$/.test(token) ? token : JSON.stringify(token);
  return fail(`${spec.label} must be ${spec.allowed}, got ${shown}`);
}

function misplacedWildcard(spec: FieldSpec, upper: string): string | undefined {
  if (upper.includes("#") && spec !== DAY_OF_WEEK) {
    return `${spec.label} cannot use #; # is only allowed in day-of-week`;
  }
  if (upper.includes("W") && spec !== DAY_OF_MONTH) {
    return `${spec.label} cannot use W; W is only allowed in day-of-month`;
  }
  if (upper.includes("L") && spec !== DAY_OF_MONTH && spec !== DAY_OF_WEEK) {
    return `${spec.label} cannot use L; L is only allowed in day-of-month and day-of-week`;
  }
  return undefined;
}

function exampleRange(spec: FieldSpec): string {
  if (spec.names) return `${spec.names[1] ?? ""}-${spec.names[4] ?? ""}`;
  return `${spec.min + 1}-${spec.min + 5}`;
}
