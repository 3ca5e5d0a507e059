/** The cost estimate, pure: runs a month from the schedule × the typical run, billed per started minute. */
import { describe, expect, it } from "vitest";
import {
  billedMinutes,
  DEFAULT_RUN_MINUTES,
  estimateText,
  lastMonthCost,
  monthlyEstimate,
  pricePerMinute,
  regionNote,
  runsPerMonth,
  typicalRunMinutes,
} from "../../../src/desired/prices.js";

const FROM = new Date("2027-03-01T00:00:00Z");
const small = { computeType: "BUILD_GENERAL1_SMALL", arch: "x86_64" as const };

describe("runs a month", () => {
  it("counts the next 30 days of a schedule", () => {
    expect(runsPerMonth("cron(0 3 * * ? *)", "UTC", FROM)).toBe(30);
    expect(runsPerMonth("rate(1 hour)", "UTC", FROM)).toBe(720);
    expect(runsPerMonth("rate(1 minute)", "UTC", FROM)).toBe(43_200);
    // Monday to Friday at 07:00 in March 2027 from the 1st (a Monday): 22 weekdays in 30 days.
    expect(runsPerMonth("cron(0 7 ? * MON-FRI *)", "Europe/Paris", FROM)).toBe(22);
  });
});

describe("a run's billed minutes", () => {
  it("rounds every run up to the minute, and takes the median of past runs, or 5 minutes before any", () => {
    expect(billedMinutes(1)).toBe(1);
    expect(billedMinutes(60)).toBe(1);
    expect(billedMinutes(61)).toBe(2);
    expect(typicalRunMinutes([])).toEqual({ minutes: DEFAULT_RUN_MINUTES, fromRuns: 0 });
    expect(typicalRunMinutes([30, 200, 125])).toEqual({ minutes: 3, fromRuns: 3 });
    expect(typicalRunMinutes([60, 180, 600, 10])).toEqual({ minutes: 2, fromRuns: 4 });
  });
});

describe("the monthly estimate", () => {
  it("multiplies runs by the typical run and the size's price, and shows the free tier for small", () => {
    // Daily, no run yet: 30 × 5 min = 150 minutes at $0.005 = $0.75; $0.25 after the 100 free minutes.
    expect(monthlyEstimate(small, 30, [])).toEqual({ runs: 30, minutesPerRun: 5, fromRuns: 0, billedMinutes: 150, usd: 0.75, usdAfterFreeTier: 0.25 });
    // Hourly on medium, runs of 2 min 10 s (3 billed minutes): 720 × 3 = 2,160 minutes at $0.01.
    expect(monthlyEstimate({ computeType: "BUILD_GENERAL1_MEDIUM", arch: "x86_64" }, 720, [130, 130, 130])).toMatchObject({
      billedMinutes: 2160,
      usd: 21.6,
      usdAfterFreeTier: undefined,
    });
    // arm64 small: $0.0034.
    expect(monthlyEstimate({ computeType: "BUILD_GENERAL1_SMALL", arch: "arm64" }, 22, [240])).toMatchObject({
      billedMinutes: 88,
      usd: 0.3,
      usdAfterFreeTier: 0,
    });
  });
  it("has no price for sizes the table lacks (GPU, xlarge), rather than a guess", () => {
    expect(pricePerMinute({ computeType: "BUILD_GENERAL1_XLARGE", arch: "x86_64" })).toBeUndefined();
    expect(pricePerMinute({ computeType: "BUILD_GENERAL1_SMALL", arch: "x86_64", gpu: true })).toBeUndefined();
    expect(monthlyEstimate({ computeType: "BUILD_GENERAL1_LARGE", arch: "x86_64", gpu: true }, 30, []).usd).toBeUndefined();
  });
  it("says the date and source of the prices, and that another region's may differ", () => {
    const text = estimateText(monthlyEstimate(small, 30, []), small, "eu-west-1");
    expect(text).toContain("30 runs a month × 5 min (5 minutes until a first run) = 150 billed minutes at $0.005/min ≈ $0.75 a month");
    expect(text).toContain("https://aws.amazon.com/codebuild/pricing/");
    expect(text).toContain("prices in eu-west-1 may differ");
    expect(regionNote("us-east-1")).toBeUndefined();
  });
});

describe("the last 30 days", () => {
  it("sums the billed minutes of the finished runs that started in the last 30 days", () => {
    const now = new Date("2027-03-31T00:00:00Z");
    const day = 86_400_000;
    const runs = [
      { startTime: new Date(now.getTime() - 1 * day), durationSeconds: 61, inProgress: false },
      { startTime: new Date(now.getTime() - 2 * day), durationSeconds: 300, inProgress: false },
      { startTime: new Date(now.getTime() - 3 * day), durationSeconds: 40, inProgress: true },
      { startTime: new Date(now.getTime() - 40 * day), durationSeconds: 600, inProgress: false },
    ];
    expect(lastMonthCost(small, runs, now)).toEqual({ runs: 2, billedMinutes: 7, usd: 0.04 });
  });
});
