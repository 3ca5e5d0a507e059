import { describe, expect, it } from "vitest";
import { nextRuns, parseSchedule, ScheduleError } from "../../../src/schedule/index.js";

const iso = (dates: readonly Date[]): string[] => dates.map((date) => date.toISOString().replace(":00.000Z", "Z"));
const runs = (expression: string, from: string, count: number, timezone?: string): string[] =>
  iso(nextRuns(expression, { from: new Date(from), count, ...(timezone ? { timezone } : {}) }));

describe("nextRuns in UTC", () => {
  it.each<[string, string, number, string[]]>([
    ["cron(0 12 * * ? *)", "2026-01-01T12:00:00Z", 3, ["2026-01-02T12:00Z", "2026-01-03T12:00Z", "2026-01-04T12:00Z"]],
    ["cron(0 12 * * ? *)", "2026-01-01T11:59:59.999Z", 1, ["2026-01-01T12:00Z"]],
    ["cron(0/15 * * * ? *)", "2026-01-01T00:07:30Z", 4, ["2026-01-01T00:15Z", "2026-01-01T00:30Z", "2026-01-01T00:45Z", "2026-01-01T01:00Z"]],
    // 2026-01-02 is a Friday.
    ["cron(0 7 ? * MON-FRI *)", "2026-01-02T08:00:00Z", 3, ["2026-01-05T07:00Z", "2026-01-06T07:00Z", "2026-01-07T07:00Z"]],
    ["cron(30 3 1 * ? *)", "2026-11-15T00:00:00Z", 3, ["2026-12-01T03:30Z", "2027-01-01T03:30Z", "2027-02-01T03:30Z"]],
    ["cron(59 23 31 12 ? *)", "2026-06-01T00:00:00Z", 2, ["2026-12-31T23:59Z", "2027-12-31T23:59Z"]],
    ["cron(0 0 1 1-12/3 ? *)", "2026-02-01T00:00:00Z", 3, ["2026-04-01T00:00Z", "2026-07-01T00:00Z", "2026-10-01T00:00Z"]],
    ["cron(0 12 * * ? 2026,2028)", "2026-12-31T13:00:00Z", 1, ["2028-01-01T12:00Z"]],
    ["cron(* * * * ? *)", "2026-01-01T23:58:10Z", 3, ["2026-01-01T23:59Z", "2026-01-02T00:00Z", "2026-01-02T00:01Z"]],
  ])("%s after %s", (expression, from, count, expected) => {
    expect(runs(expression, from, count)).toEqual(expected);
  });

  it("returns nothing when every matching year is past", () => {
    expect(nextRuns("cron(0 12 * * ? 1999)", { from: new Date("2026-01-01T00:00:00Z"), count: 5 })).toEqual([]);
  });

  it("stops at the last possible run", () => {
    expect(runs("cron(0 0 1 1 ? 2199)", "2026-01-01T00:00:00Z", 5)).toEqual(["2199-01-01T00:00Z"]);
  });

  it("returns nothing for a date that never exists", () => {
    expect(nextRuns("cron(0 0 30 2 ? *)", { from: new Date("2026-01-01T00:00:00Z"), count: 3 })).toEqual([]);
  });

  it("returns nothing for count 0", () => {
    expect(nextRuns("cron(* * * * ? *)", { from: new Date("2026-01-01T00:00:00Z"), count: 0 })).toEqual([]);
  });

  it("answers sparse schedules fast", () => {
    const started = performance.now();
    expect(runs("cron(0 0 29 2 ? *)", "2026-01-01T00:00:00Z", 5)).toEqual([
      "2028-02-29T00:00Z",
      "2032-02-29T00:00Z",
      "2036-02-29T00:00Z",
      "2040-02-29T00:00Z",
      "2044-02-29T00:00Z",
    ]);
    expect(runs("cron(0 0 1 1 ? 2199)", "2026-01-01T00:00:00Z", 1)).toEqual(["2199-01-01T00:00Z"]);
    expect(nextRuns("cron(0 0 31 2 ? *)", { from: new Date("2026-01-01T00:00:00Z"), count: 1, timezone: "Europe/Paris" })).toEqual([]);
    expect(
      nextRuns("cron(0 0 ? FEB 1#5 2026-2199)", { from: new Date("2026-01-01T00:00:00Z"), count: 50, timezone: "America/New_York" }).length,
    ).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("matches a minute-by-minute scan for plain fields", () => {
    const expressions = [
      "cron(0/7 */5 * * ? *)",
      "cron(5,35 1-3,22 ? * TUE,THU-SAT *)",
      "cron(0 0/6 1-3,15,28-31 * ? *)",
      "cron(10-20/5 * ? FEB,MAR * *)",
      "cron(0 12 ? * 1-7/3 *)",
    ];
    const from = Date.UTC(2026, 1, 26, 5, 3);
    for (const expression of expressions) {
      const schedule = parseSchedule(expression);
      if (schedule.kind !== "cron") throw new Error("expected cron");
      const { minutes, hours, daysOfMonth, months, daysOfWeek, years } = schedule.fields;
      const expected: Date[] = [];
      for (let ms = from + 60_000; ms < from + 10 * 86_400_000 && expected.length < 40; ms += 60_000) {
        const at = new Date(ms);
        const dayMatches =
          (daysOfMonth.kind === "days" && daysOfMonth.days.includes(at.getUTCDate())) ||
          (daysOfWeek.kind === "days" && daysOfWeek.days.includes(at.getUTCDay() + 1));
        if (
          minutes.includes(at.getUTCMinutes()) &&
          hours.includes(at.getUTCHours()) &&
          months.includes(at.getUTCMonth() + 1) &&
          years.includes(at.getUTCFullYear()) &&
          dayMatches
        ) {
          expected.push(at);
        }
      }
      expect(expected.length, expression).toBeGreaterThan(3);
      expect(nextRuns(expression, { from: new Date(from), count: expected.length }), expression).toEqual(expected);
    }
  });
});

describe("nextRuns with L, W and #", () => {
  it.each<[string, string, number, string[]]>([
    ["cron(0 12 L * ? *)", "2026-01-15T00:00:00Z", 4, ["2026-01-31T12:00Z", "2026-02-28T12:00Z", "2026-03-31T12:00Z", "2026-04-30T12:00Z"]],
    ["cron(0 12 L * ? *)", "2028-02-01T00:00:00Z", 1, ["2028-02-29T12:00Z"]],
    // 2026-01-31 is a Saturday, 2026-02-28 a Saturday, 2026-05-31 a Sunday.
    [
      "cron(0 12 LW * ? *)",
      "2026-01-01T00:00:00Z",
      5,
      ["2026-01-30T12:00Z", "2026-02-27T12:00Z", "2026-03-31T12:00Z", "2026-04-30T12:00Z", "2026-05-29T12:00Z"],
    ],
    // 2026-08-15 is a Saturday (→ Friday 14th), 2026-11-15 a Sunday (→ Monday 16th).
    ["cron(0 12 15W * ? *)", "2026-08-01T00:00:00Z", 4, ["2026-08-14T12:00Z", "2026-09-15T12:00Z", "2026-10-15T12:00Z", "2026-11-16T12:00Z"]],
    // 2026-08-01 is a Saturday: 1W does not go back into July, it moves on to Monday the 3rd.
    ["cron(0 12 1W * ? *)", "2026-07-15T00:00:00Z", 2, ["2026-08-03T12:00Z", "2026-09-01T12:00Z"]],
    // 31W skips months without a 31st; 2027-01-31 is a Sunday, so it runs Friday the 29th.
    ["cron(5 10 31W * ? 2027)", "2026-07-01T00:00:00Z", 4, ["2027-01-29T10:05Z", "2027-03-31T10:05Z", "2027-05-31T10:05Z", "2027-07-30T10:05Z"]],
    ["cron(0 12 ? * 2#1 *)", "2026-01-01T00:00:00Z", 3, ["2026-01-05T12:00Z", "2026-02-02T12:00Z", "2026-03-02T12:00Z"]],
    ["cron(0 12 ? * MON#3 *)", "2026-01-01T00:00:00Z", 2, ["2026-01-19T12:00Z", "2026-02-16T12:00Z"]],
    // A fifth Sunday exists only in some months.
    ["cron(0 12 ? * 1#5 *)", "2026-01-01T00:00:00Z", 4, ["2026-03-29T12:00Z", "2026-05-31T12:00Z", "2026-08-30T12:00Z", "2026-11-29T12:00Z"]],
    ["cron(0 12 ? * 6L *)", "2026-01-01T00:00:00Z", 3, ["2026-01-30T12:00Z", "2026-02-27T12:00Z", "2026-03-27T12:00Z"]],
    ["cron(15 10 ? * 6L 2022-2023)", "2023-11-01T00:00:00Z", 3, ["2023-11-24T10:15Z", "2023-12-29T10:15Z"]],
    // L alone in day-of-week is Saturday.
    ["cron(0 12 ? * L *)", "2026-01-01T00:00:00Z", 2, ["2026-01-03T12:00Z", "2026-01-10T12:00Z"]],
  ])("%s after %s", (expression, from, count, expected) => {
    expect(runs(expression, from, count)).toEqual(expected);
  });
});

describe("nextRuns and leap years", () => {
  it("runs on 29 February only in leap years, skipping 2100", () => {
    expect(runs("cron(0 0 29 2 ? *)", "2096-03-01T00:00:00Z", 2)).toEqual(["2104-02-29T00:00Z", "2108-02-29T00:00Z"]);
  });

  it("treats 2000 as a leap year", () => {
    expect(runs("cron(0 0 L 2 ? *)", "1999-06-01T00:00:00Z", 3)).toEqual(["2000-02-29T00:00Z", "2001-02-28T00:00Z", "2002-02-28T00:00Z"]);
  });
});

describe("nextRuns across daylight-saving changes", () => {
  // Each case has dates on both sides of the change. Spring: a wall time that does not exist is skipped that day.
  // Autumn: a wall time that happens twice runs once, at its first occurrence. Each case asks for as many runs as it lists.
  const changes: Record<string, [name: string, expression: string, from: string, expected: string[]][]> = {
    // Europe/Berlin 2026: 02:00 CET → 03:00 CEST on 29 March; 03:00 CEST → 02:00 CET on 25 October.
    "Europe/Berlin": [
      ["spring, 02:30 skipped", "cron(30 2 * * ? *)", "2026-03-27T12:00:00Z", ["2026-03-28T01:30Z", "2026-03-30T00:30Z", "2026-03-31T00:30Z"]],
      ["spring, 07:00 moves to the new offset", "cron(0 7 * * ? *)", "2026-03-27T12:00:00Z", ["2026-03-28T06:00Z", "2026-03-29T05:00Z", "2026-03-30T05:00Z"]],
      ["autumn, 02:30 once", "cron(30 2 * * ? *)", "2026-10-23T12:00:00Z", ["2026-10-24T00:30Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z"]],
    ],
    // Europe/London 2026: 01:00 GMT → 02:00 BST on 29 March; 02:00 BST → 01:00 GMT on 25 October.
    "Europe/London": [
      ["spring, 01:30 skipped", "cron(30 1 * * ? *)", "2026-03-27T12:00:00Z", ["2026-03-28T01:30Z", "2026-03-30T00:30Z", "2026-03-31T00:30Z"]],
      ["autumn, 01:30 once", "cron(30 1 * * ? *)", "2026-10-24T12:00:00Z", ["2026-10-25T00:30Z", "2026-10-26T01:30Z", "2026-10-27T01:30Z"]],
      [
        "autumn, hourly skips the repeated 01:00",
        "cron(0 * * * ? *)",
        "2026-10-24T22:30:00Z",
        ["2026-10-24T23:00Z", "2026-10-25T00:00Z", "2026-10-25T02:00Z", "2026-10-25T03:00Z"],
      ],
    ],
    // America/New_York 2026: 02:00 EST → 03:00 EDT on 8 March; 02:00 EDT → 01:00 EST on 1 November.
    "America/New_York": [
      ["spring, 02:30 skipped", "cron(30 2 * * ? *)", "2026-03-06T12:00:00Z", ["2026-03-07T07:30Z", "2026-03-09T06:30Z", "2026-03-10T06:30Z"]],
      [
        "spring, every 30 minutes jumps from 01:30 to 03:00",
        "cron(0/30 * * * ? *)",
        "2026-03-08T06:00:00Z",
        ["2026-03-08T06:30Z", "2026-03-08T07:00Z", "2026-03-08T07:30Z"],
      ],
      ["autumn, 01:30 once", "cron(30 1 * * ? *)", "2026-10-30T12:00:00Z", ["2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z"]],
      [
        "autumn, every 30 minutes does not repeat 01:00 and 01:30",
        "cron(0/30 * * * ? *)",
        "2026-11-01T04:45:00Z",
        ["2026-11-01T05:00Z", "2026-11-01T05:30Z", "2026-11-01T07:00Z", "2026-11-01T07:30Z"],
      ],
      ["autumn, from inside the repeated hour", "cron(30 1 * * ? *)", "2026-11-01T06:00:00Z", ["2026-11-02T06:30Z"]],
      ["weekdays at 09:00 across the spring change", "cron(0 9 ? * MON-FRI *)", "2026-03-06T00:00:00Z", ["2026-03-06T14:00Z", "2026-03-09T13:00Z"]],
    ],
    // Australia/Sydney 2026: 03:00 AEDT → 02:00 AEST on 5 April (first Sunday of April);
    // 02:00 AEST → 03:00 AEDT on 4 October (first Sunday of October).
    "Australia/Sydney": [
      ["autumn (April), 02:30 once", "cron(30 2 * * ? *)", "2026-04-03T00:00:00Z", ["2026-04-03T15:30Z", "2026-04-04T15:30Z", "2026-04-05T16:30Z"]],
      ["spring (October), 02:30 skipped", "cron(30 2 * * ? *)", "2026-10-02T00:00:00Z", ["2026-10-02T16:30Z", "2026-10-04T15:30Z", "2026-10-05T15:30Z"]],
      [
        "spring (October), 07:00 moves to the new offset",
        "cron(0 7 * * ? *)",
        "2026-10-02T00:00:00Z",
        ["2026-10-02T21:00Z", "2026-10-03T20:00Z", "2026-10-04T20:00Z"],
      ],
    ],
  };
  const rows = Object.entries(changes).flatMap(([timezone, cases]) => cases.map(([name, ...rest]) => [timezone, name, ...rest] as const));
  it.each(rows)("%s: %s", (timezone, _name, expression, from, expected) => {
    expect(runs(expression, from, expected.length, timezone)).toEqual(expected);
  });

  it("matches a minute-by-minute scan of wall clocks read straight from Intl", () => {
    const cases: Array<[string, string, number]> = [
      ["Europe/Berlin", "cron(0/20 1-3 * * ? *)", Date.UTC(2026, 2, 28, 12)],
      ["Europe/Berlin", "cron(0/20 1-3 * * ? *)", Date.UTC(2026, 9, 24, 12)],
      ["America/New_York", "cron(15,45 0-3 ? * SUN *)", Date.UTC(2026, 2, 7, 12)],
      ["America/New_York", "cron(15,45 0-3 ? * SUN *)", Date.UTC(2026, 9, 31, 12)],
      ["Australia/Sydney", "cron(*/10 2 * * ? *)", Date.UTC(2026, 3, 3, 12)],
      ["Australia/Sydney", "cron(*/10 2 * * ? *)", Date.UTC(2026, 9, 3, 12)],
      // Lord Howe moves its clocks by 30 minutes.
      ["Australia/Lord_Howe", "cron(*/15 1-2 * * ? *)", Date.UTC(2026, 3, 3, 12)],
    ];
    for (const [timezone, expression, from] of cases) {
      const schedule = parseSchedule(expression);
      if (schedule.kind !== "cron") throw new Error("expected cron");
      const { minutes, hours, daysOfMonth, daysOfWeek } = schedule.fields;
      const format = new Intl.DateTimeFormat("en-GB", {
        timeZone: timezone,
        hourCycle: "h23",
        weekday: "short",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
      });
      const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
      const seen = new Set<string>();
      const expected: Date[] = [];
      for (let ms = from - 86_400_000; ms < from + 3 * 86_400_000; ms += 60_000) {
        const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
        const wall = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
        const firstTime = !seen.has(wall);
        seen.add(wall);
        const dayMatches =
          daysOfMonth.kind === "any"
            ? daysOfWeek.kind !== "days" || daysOfWeek.days.includes(weekdays.indexOf(parts.weekday ?? "") + 1)
            : daysOfMonth.kind === "days" && daysOfMonth.days.includes(Number(parts.day));
        if (ms > from && firstTime && dayMatches && minutes.includes(Number(parts.minute)) && hours.includes(Number(parts.hour))) {
          expected.push(new Date(ms));
        }
      }
      const label = `${expression} in ${timezone} from ${new Date(from).toISOString()}`;
      expect(expected.length, label).toBeGreaterThan(2);
      expect(nextRuns(expression, { from: new Date(from), count: expected.length, timezone }), label).toEqual(expected);
    }
  });
});

describe("nextRuns for rate expressions", () => {
  it("adds the rate to from, count times", () => {
    expect(runs("rate(5 minutes)", "2026-01-01T00:02:00Z", 3)).toEqual(["2026-01-01T00:07Z", "2026-01-01T00:12Z", "2026-01-01T00:17Z"]);
    expect(runs("rate(1 hour)", "2026-01-01T00:00:00Z", 2)).toEqual(["2026-01-01T01:00Z", "2026-01-01T02:00Z"]);
  });

  it("counts a day as 24 hours, even across a clock change", () => {
    expect(runs("rate(1 day)", "2026-03-28T12:00:00Z", 2, "Europe/Berlin")).toEqual(["2026-03-29T12:00Z", "2026-03-30T12:00Z"]);
  });
});

describe("nextRuns input checks", () => {
  it("throws ScheduleError for an invalid expression", () => {
    expect(() => nextRuns("rate(1 hours)", { from: new Date(), count: 1 })).toThrow(ScheduleError);
  });

  it("throws ScheduleError for an unknown time zone", () => {
    expect(() => nextRuns("cron(0 12 * * ? *)", { from: new Date(), count: 1, timezone: "Mars/Olympus_Mons" })).toThrow(
      /unknown time zone "Mars\/Olympus_Mons"/,
    );
  });

  it("throws for a bad count or date", () => {
    expect(() => nextRuns("rate(1 day)", { from: new Date(), count: -1 })).toThrow(RangeError);
    expect(() => nextRuns("rate(1 day)", { from: new Date(), count: 1.5 })).toThrow(RangeError);
    expect(() => nextRuns("rate(1 day)", { from: new Date(Number.NaN), count: 1 })).toThrow(RangeError);
  });
});
