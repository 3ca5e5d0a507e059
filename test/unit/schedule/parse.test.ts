import { describe, expect, it } from "vitest";
import { parseSchedule, ScheduleError, scheduleProblem } from "../../../src/schedule/index.js";

const valid = [
  "rate(1 minute)",
  "rate(5 minutes)",
  "rate(1 hour)",
  "rate(12 hours)",
  "rate(1 day)",
  "rate(7 days)",
  "  rate(5 minutes)  ",
  "\tcron(0 12 * * ? *)\n",
  "cron(0 12 * * ? *)",
  "cron(15 10 ? * 6L 2022-2023)",
  "cron(0 7 ? * MON-FRI *)",
  "cron(0/15 * * * ? *)",
  "cron(*/15 * * * ? *)",
  "cron(0/5 8-17 ? * MON-FRI *)",
  "cron(0 8 1 * ? *)",
  "cron(0 0 L * ? *)",
  "cron(0 0 LW * ? *)",
  "cron(0 9 15W * ? *)",
  "cron(0 9 1W * ? *)",
  "cron(0 12 ? * 2#1 *)",
  "cron(0 12 ? * MON#1 *)",
  "cron(0 12 ? * 6#5 *)",
  "cron(0 12 ? * FRIL *)",
  "cron(0 12 ? * L *)",
  "cron(0 12 1 JAN,APR,JUL,OCT ? *)",
  "cron(0 12 1 jan-mar ? *)",
  "cron(0 12 ? * sun,Sat *)",
  "cron(0 0 1 1 ? 2199)",
  "cron(0 0 1 1 ? 1970)",
  "cron(0 12 * * ? 1999)",
  "cron(0 0 29 2 ? *)",
  "cron(59 23 31 12 ? *)",
  "cron(0 11-23/2 * * ? *)",
  "cron(0 0 1 1-12/3 ? *)",
  "cron(0 12 ? * 1-7/2 *)",
  "cron(0 0 1 1 ? 2025/2)",
  "cron(05 07 * * ? *)",
  "cron(0,15,30,45 * ? * * *)",
  "cron(* * * * ? *)",
  "cron(0 12 ? * 1,7 2026,2028-2030)",
];

describe("valid expressions", () => {
  it.each(valid)("accepts %j", (expression) => {
    expect(scheduleProblem(expression)).toBeUndefined();
    expect(() => parseSchedule(expression)).not.toThrow();
  });
});

// [expression, exact message or a fragment that must appear]
const invalid: Array<[string, string]> = [
  // rate
  ["rate(1 hours)", "rate(1 hours): a rate of 1 takes the singular unit, e.g. rate(1 hour)"],
  ["rate(1 minutes)", "rate(1 minutes): a rate of 1 takes the singular unit, e.g. rate(1 minute)"],
  ["rate(5 minute)", "rate(5 minute): a rate above 1 takes the plural unit, e.g. rate(5 minutes)"],
  ["rate(2 day)", "rate(2 day): a rate above 1 takes the plural unit, e.g. rate(2 days)"],
  ["rate(0 days)", "rate(0 days): the value must be at least 1, got 0; e.g. rate(1 day)"],
  ["rate(+5 minutes)", "rate(+5 minutes): the value must be a whole number of at least 1, got +5"],
  ["rate(-5 minutes)", "got -5"],
  ["rate(1.5 hours)", "rate(1.5 hours): the value must be a whole number of at least 1, got 1.5"],
  ["rate(05 minutes)", "write the value without leading zeros, e.g. rate(5 minutes)"],
  ["rate(2 weeks)", "for weeks use days, e.g. rate(14 days)"],
  ["rate(30 seconds)", "nothing faster than once a minute is allowed"],
  ["rate(5 fortnights)", "the unit must be minute, minutes, hour, hours, day or days, got fortnights"],
  ["rate(5 Minutes)", "write the unit in lower case, e.g. rate(5 minutes)"],
  ["rate(5minutes)", "write rate(value unit) with one space between them"],
  ["rate(5  minutes)", "write rate(value unit) with one space between them"],
  ["rate()", "write rate(value unit)"],
  ["rate(5 minutes", "rate(...) is missing its closing parenthesis"],
  ["RATE(5 minutes)", "write rate(...) in lower case"],
  // cron: field values
  ["cron(0 25 * * ? *)", "cron(0 25 * * ? *): hours must be 0–23, got 25"],
  ["cron(60 * * * ? *)", "cron(60 * * * ? *): minutes must be 0–59, got 60"],
  ["cron(0 0 0 * ? *)", "cron(0 0 0 * ? *): day-of-month must be 1–31, got 0"],
  ["cron(0 0 32 * ? *)", "day-of-month must be 1–31, got 32"],
  ["cron(0 0 1 13 ? *)", "month must be 1–12 or JAN–DEC, got 13"],
  ["cron(0 0 1 JUNE ? *)", 'month must be 1–12 or JAN–DEC, got "JUNE"'],
  ["cron(0 0 ? * 8 *)", "day-of-week must be 1–7 (1 = Sunday) or SUN–SAT, got 8"],
  ["cron(0 0 ? * 0 *)", "day-of-week must be 1–7 (1 = Sunday) or SUN–SAT, got 0"],
  ["cron(0 0 1 1 ? 1969)", "year must be 1970–2199, got 1969"],
  ["cron(0 0 1 1 ? 2200)", "year must be 1970–2199, got 2200"],
  ["cron(007 0 * * ? *)", "minutes must be 0–59, got 007"],
  // cron: shape
  ["cron(bogus)", "cron(bogus): a cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), got 1"],
  ["cron(0 12 * * *)", "needs 6 fields (minutes hours day-of-month month day-of-week year), got 5; EventBridge cron adds a year field"],
  ["cron(0 0 12 * * ? *)", "got 7"],
  ["cron()", "needs 6 fields (minutes hours day-of-month month day-of-week year), got none"],
  ["cron(0  12 * * ? *)", "separate the 6 fields with single spaces"],
  ["cron(0\t12 * * ? *)", "separate the 6 fields with single spaces"],
  ["cron( 0 12 * * ? *)", "remove the spaces just inside the parentheses"],
  // cron: day-of-month / day-of-week pairing
  ["cron(0 12 * * * *)", "cron(0 12 * * * *): one of day-of-month and day-of-week must be ?, e.g. cron(0 12 * * ? *)"],
  ["cron(0 12 * * MON *)", "one of day-of-month and day-of-week must be ?, e.g. cron(0 12 ? * MON *)"],
  ["cron(0 12 1 * MON *)", "one of day-of-month and day-of-week must be ?, e.g. cron(0 12 1 * ? *)"],
  ["cron(0 12 ? * ? *)", "cron(0 12 ? * ? *): day-of-month and day-of-week cannot both be ?"],
  // cron: wildcards in the wrong place
  ["cron(? 12 * * ? *)", "minutes cannot be ?; ? is only allowed in day-of-month and day-of-week"],
  ["cron(0 12 ? ? * *)", "month cannot be ?"],
  ["cron(0 12 ?,1 * ? *)", "day-of-month ? must stand alone"],
  ["cron(L 12 * * ? *)", "minutes cannot use L; L is only allowed in day-of-month and day-of-week"],
  ["cron(0 12 1#2 * ? *)", "day-of-month cannot use #; # is only allowed in day-of-week"],
  ["cron(0 12 ? * 2W *)", "day-of-week cannot use W; W is only allowed in day-of-month"],
  ["cron(0 12 1,L * ? *)", "day-of-month L and W must stand alone, as L, LW or a day like 15W; got 1,L"],
  ["cron(0 12 1-5W * ? *)", "day-of-month L and W must stand alone"],
  ["cron(0 12 32W * ? *)", "day-of-month W needs a day 1–31 before it"],
  ["cron(0 12 L-3 * ? *)", "day-of-month takes L or LW without an offset, got L-3"],
  ["cron(0 12 ? * 2#6 *)", "day-of-week # takes a week number 1–5"],
  ["cron(0 12 ? * 2#0 *)", "day-of-week # takes a week number 1–5"],
  ["cron(0 12 ? * 9#1 *)", "day-of-week must be 1–7 (1 = Sunday) or SUN–SAT, got 9"],
  ["cron(0 12 ? * 3#1,6#3 *)", "day-of-week allows a single # expression, got 3#1,6#3"],
  ["cron(0 12 ? * 6L,2 *)", "day-of-week L must stand alone"],
  ["cron(0 12 ? * 2-6L *)", "day-of-week L must stand alone"],
  // cron: ranges, steps, lists
  ["cron(0 22-2 * * ? *)", "cron(0 22-2 * * ? *): hours range 22-2 runs backwards; split it in two, e.g. 22-23,0-2"],
  ["cron(0 12 ? * FRI-MON *)", "day-of-week range FRI-MON runs backwards; split it in two, e.g. FRI-SAT,SUN-MON"],
  ["cron(0 12 * * ? 2020-)", "year range 2020- must look like low-high"],
  ["cron(0 1-2-3 * * ? *)", "hours range 1-2-3 must look like low-high"],
  ["cron(*/0 * * * ? *)", "minutes step must be 1–59, got 0"],
  ["cron(*/60 * * * ? *)", "cron(*/60 * * * ? *): minutes step must be 1–59, got 60"],
  ["cron(0 */x * * ? *)", "hours step must be a whole number, got x"],
  ["cron(1/2/3 * * * ? *)", "minutes has more than one / in 1/2/3"],
  ["cron(0 12 1,,2 * ? *)", "day-of-month has an empty item in 1,,2"],
  ["cron(0 12 1, * ? *)", "day-of-month has an empty item in 1,"],
  // not a schedule at all
  [
    "at(2026-01-01T00:00:00)",
    "one-time at(...) schedules are not supported for a recurring job; use rate(...), e.g. rate(1 day), or cron(...), e.g. cron(0 12 * * ? *)",
  ],
  ["every day", "every day: not a schedule expression; use rate(...), e.g. rate(1 day), or cron(...), e.g. cron(0 12 * * ? *)"],
  ["0 12 * * ? *", "0 12 * * ? *: wrap cron fields in cron(...), e.g. cron(0 12 * * ? *)"],
  ["", "the schedule expression is empty; use rate(...), e.g. rate(1 day), or cron(...), e.g. cron(0 12 * * ? *)"],
  ["   ", "the schedule expression is empty"],
  ["Cron(0 12 * * ? *)", "write cron(...) in lower case"],
  ["rate (5 minutes)", "not a schedule expression"],
];

describe("invalid expressions", () => {
  it.each(invalid)("rejects %j", (expression, message) => {
    const problem = scheduleProblem(expression);
    expect(problem).toBeDefined();
    expect(problem).toContain(message);
    expect(() => parseSchedule(expression)).toThrow(ScheduleError);
  });

  it("accepts 256 characters and rejects 257, naming the length", () => {
    const atLimit = `cron(${"0,".repeat(119)}0 12 * * ? *)`;
    const overLimit = `cron(${"0,".repeat(119)}00 12 * * ? *)`;
    expect(atLimit).toHaveLength(256);
    expect(scheduleProblem(atLimit)).toBeUndefined();
    expect(scheduleProblem(overLimit)).toMatch(/: the expression is 257 characters long; EventBridge allows at most 256$/);
  });

  it("puts the whole problem in one line", () => {
    for (const [expression] of invalid) expect(scheduleProblem(expression)).not.toContain("\n");
  });
});

describe("parseSchedule", () => {
  it("reads a rate into value and singular unit", () => {
    expect(parseSchedule("rate(5 minutes)")).toEqual({ kind: "rate", value: 5, unit: "minute" });
    expect(parseSchedule("rate(1 day)")).toEqual({ kind: "rate", value: 1, unit: "day" });
  });

  it("keeps the raw cron fields and expands them", () => {
    const schedule = parseSchedule("cron(0/20 8-10 ? jan,Mar MON-FRI 2026-2027)");
    expect(schedule).toMatchObject({
      kind: "cron",
      minutes: "0/20",
      hours: "8-10",
      dayOfMonth: "?",
      month: "jan,Mar",
      dayOfWeek: "MON-FRI",
      year: "2026-2027",
      fields: {
        minutes: [0, 20, 40],
        hours: [8, 9, 10],
        daysOfMonth: { kind: "any" },
        months: [1, 3],
        daysOfWeek: { kind: "days", days: [2, 3, 4, 5, 6] },
        years: [2026, 2027],
      },
    });
  });

  it("reads a/b as 'from a to the end of the field, every b'", () => {
    const schedule = parseSchedule("cron(1/10 * 5/10 * ? *)");
    if (schedule.kind !== "cron") throw new Error("expected cron");
    expect(schedule.fields.minutes).toEqual([1, 11, 21, 31, 41, 51]);
    expect(schedule.fields.daysOfMonth).toEqual({ kind: "days", days: [5, 15, 25] });
  });

  it("reads the special day rules", () => {
    const rule = (expression: string): unknown => {
      const schedule = parseSchedule(expression);
      return schedule.kind === "cron" ? [schedule.fields.daysOfMonth, schedule.fields.daysOfWeek] : undefined;
    };
    expect(rule("cron(0 0 L * ? *)")).toEqual([{ kind: "last" }, { kind: "any" }]);
    expect(rule("cron(0 0 lw * ? *)")).toEqual([{ kind: "lastWeekday" }, { kind: "any" }]);
    expect(rule("cron(0 0 15W * ? *)")).toEqual([{ kind: "nearestWeekday", day: 15 }, { kind: "any" }]);
    expect(rule("cron(0 0 ? * 6L *)")).toEqual([{ kind: "any" }, { kind: "last", day: 6 }]);
    expect(rule("cron(0 0 ? * MON#2 *)")).toEqual([{ kind: "any" }, { kind: "nth", day: 2, nth: 2 }]);
    expect(rule("cron(0 0 ? * L *)")).toEqual([{ kind: "any" }, { kind: "days", days: [7] }]);
  });

  it("throws a ScheduleError whose message is the problem", () => {
    expect(() => parseSchedule("rate(1 hours)")).toThrow(new ScheduleError("rate(1 hours): a rate of 1 takes the singular unit, e.g. rate(1 hour)"));
  });
});
