import { describe, expect, it } from "vitest";
import { firstDueTime, scheduleGaps, weekdayAndTime } from "../../../src/schedule/gaps.js";
import { nextRuns } from "../../../src/schedule/index.js";

const HOUR = 3600;
const DAY = 24 * HOUR;
// A Monday, a year that takes in the 2027 spring-forward (28 March) and fall-back (31 October) weekends in Europe.
const FROM = new Date("2026-11-30T06:00:00Z");

const gaps = (expression: string, timezone = "UTC", from = FROM, horizonDays?: number) =>
  scheduleGaps(expression, { from, timezone, ...(horizonDays === undefined ? {} : { horizonDays }) });

/** The same gaps, by listing every run with nextRuns: the slow reference the day walk must agree with. */
function gapsByListing(expression: string, timezone: string, from: Date, horizonDays: number, atLeast: number) {
  const end = from.getTime() + horizonDays * DAY * 1000;
  const listed = nextRuns(expression, { from, count: atLeast, timezone });
  // The listing must reach past the horizon, or it would compare fewer runs.
  expect(listed.at(-1)!.getTime()).toBeGreaterThan(end);
  const runs = listed.filter((run) => run.getTime() <= end);
  let longest = 0;
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i]!.getTime() - runs[i - 1]!.getTime()) / 1000;
    longest = Math.max(longest, gap);
    shortest = Math.min(shortest, gap);
  }
  return { longest, shortest };
}

describe("the longest gap between two runs of a schedule", () => {
  it("is the interval for a rate schedule", () => {
    expect(gaps("rate(1 hour)")).toMatchObject({ longestGapSeconds: HOUR, shortestGapSeconds: HOUR, regular: true });
    expect(gaps("rate(1 day)")).toMatchObject({ longestGapSeconds: DAY, regular: true });
    expect(gaps("rate(8 days)").longestGapSeconds).toBe(8 * DAY);
    expect(gaps("rate(5 minutes)", "Europe/Paris").longestGapSeconds).toBe(300);
  });

  it("is 24 hours for a daily cron in UTC, every day of the year", () => {
    expect(gaps("cron(0 3 * * ? *)")).toMatchObject({ longestGapSeconds: DAY, shortestGapSeconds: DAY, regular: true });
  });

  it("is 25 hours for a daily cron in Europe/Paris: the fall-back night is an hour longer", () => {
    const result = gaps("cron(0 3 * * ? *)", "Europe/Paris");
    expect(result.longestGapSeconds).toBe(25 * HOUR);
    expect(result.shortestGapSeconds).toBe(23 * HOUR);
    expect(result.regular).toBe(false);
    expect(result.longestGapEndsAt?.toISOString()).toBe("2027-10-31T02:00:00.000Z");
  });

  it("is the weekend, 73 hours in the fall-back week, for a Monday–Friday job in Europe/Paris", () => {
    const result = gaps("cron(0 7 ? * MON-FRI *)", "Europe/Paris");
    expect(result.longestGapSeconds).toBe(73 * HOUR);
    expect(result.shortestGapSeconds).toBe(24 * HOUR);
    expect(weekdayAndTime(result.longestGapEndsAt!, "Europe/Paris")).toBe("Monday 07:00");
  });

  it("is 72 hours for the same job when the horizon holds no DST change", () => {
    expect(gaps("cron(0 7 ? * MON-FRI *)", "Europe/Paris", FROM, 60).longestGapSeconds).toBe(72 * HOUR);
  });

  it("counts a day whose time the spring-forward change skips as a missed day (02:30 in Paris)", () => {
    expect(gaps("cron(30 2 * * ? *)", "Europe/Paris").longestGapSeconds).toBe(47 * HOUR);
  });

  it("counts a repeated fall-back hour once, as EventBridge Scheduler does (hourly in Paris)", () => {
    expect(gaps("cron(0 * * * ? *)", "Europe/Paris").longestGapSeconds).toBe(2 * HOUR);
    expect(gaps("cron(0 * * * ? *)").longestGapSeconds).toBe(HOUR);
  });

  it("is a month for a monthly cron", () => {
    expect(gaps("cron(0 3 1 * ? *)").longestGapSeconds).toBe(31 * DAY);
  });

  it("has no gap when fewer than two runs are ahead", () => {
    expect(gaps("cron(0 3 1 1 ? 2026)")).toMatchObject({ longestGapSeconds: undefined, regular: false });
  });

  it("walks a minutely cron's year of 527,040 runs in well under a second", () => {
    const started = performance.now();
    const result = gaps("cron(* * * * ? *)", "Europe/Paris");
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result.longestGapSeconds).toBe(61 * 60);
    expect(result.shortestGapSeconds).toBe(60);
  });

  // The last number is how many runs to list: a few more than the 20 days hold.
  it.each<[string, string, string, number]>([
    ["cron(0 7 ? * MON-FRI *)", "Europe/Paris", "2027-03-20T00:00:00Z", 16],
    ["cron(0 7 ? * MON-FRI *)", "Europe/Paris", "2027-10-25T00:00:00Z", 16],
    ["cron(*/20 0-3 * * ? *)", "Europe/Paris", "2027-03-25T00:00:00Z", 250],
    ["cron(*/20 0-3 * * ? *)", "Europe/Paris", "2027-10-28T00:00:00Z", 250],
    ["cron(0,30 1,2,22 ? * SUN,MON *)", "America/New_York", "2027-03-10T00:00:00Z", 40],
    ["cron(15 * * * ? *)", "Australia/Lord_Howe", "2027-04-01T00:00:00Z", 490],
    ["cron(0 9,17 L * ? *)", "Asia/Kolkata", "2027-01-15T00:00:00Z", 4],
  ])("agrees with listing every run for %s in %s around %s", (expression, timezone, from, atLeast) => {
    const start = new Date(from);
    const fast = gaps(expression, timezone, start, 20);
    const slow = gapsByListing(expression, timezone, start, 20, atLeast);
    expect({ longest: fast.longestGapSeconds, shortest: fast.shortestGapSeconds }).toEqual(slow);
  });
});

describe("the first due time", () => {
  it("is since + the interval for a rate schedule", () => {
    expect(firstDueTime("rate(1 day)", FROM)?.toISOString()).toBe("2026-12-01T06:00:00.000Z");
  });

  it("is the next matching wall time in the job's zone for cron", () => {
    // Monday 30 November 2026, 07:00 in Paris (UTC+1) is 06:00 UTC: exactly from, so the next is Tuesday's.
    expect(firstDueTime("cron(0 7 ? * MON-FRI *)", FROM, "Europe/Paris")?.toISOString()).toBe("2026-12-01T06:00:00.000Z");
  });

  it("is undefined when the schedule has no run ahead", () => {
    expect(firstDueTime("cron(0 3 1 1 ? 2020)", FROM)).toBeUndefined();
  });
});

describe("asked again within the same minute", () => {
  // Validation, the desired alarm and status each ask for the same schedule's gaps a few milliseconds apart.
  it("works out a cron's year of runs once, and again for another minute, zone or schedule", () => {
    const from = new Date("2026-03-02T10:15:07.000Z");
    const first = scheduleGaps("cron(0 7 ? * MON-FRI *)", { from, timezone: "Europe/Paris" });
    expect(scheduleGaps("cron(0 7 ? * MON-FRI *)", { from: new Date(from.getTime() + 40), timezone: "Europe/Paris" })).toBe(first);
    expect(scheduleGaps("cron(0 7 ? * MON-FRI *)", { from: new Date(from.getTime() + 60_000), timezone: "Europe/Paris" })).not.toBe(first);
    expect(scheduleGaps("cron(0 7 ? * MON-FRI *)", { from, timezone: "UTC" })).not.toBe(first);
    expect(scheduleGaps("cron(0 8 ? * MON-FRI *)", { from, timezone: "Europe/Paris" })).not.toBe(first);
  });
});
