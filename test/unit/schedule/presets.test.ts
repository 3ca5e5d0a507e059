import { describe, expect, it } from "vitest";
import {
  dailyAt,
  everyDays,
  everyHours,
  everyMinutes,
  monthlyAt,
  ScheduleError,
  scheduleProblem,
  timeOfDayProblem,
  weekdaysAt,
  weeklyAt,
} from "../../../src/schedule/index.js";

describe("presets", () => {
  it.each<[string, string]>([
    [everyMinutes(1), "rate(1 minute)"],
    [everyMinutes(15), "rate(15 minutes)"],
    [everyHours(1), "rate(1 hour)"],
    [everyHours(4), "rate(4 hours)"],
    [everyDays(1), "rate(1 day)"],
    [everyDays(7), "rate(7 days)"],
    [dailyAt("07:00"), "cron(0 7 * * ? *)"],
    [dailyAt("7:05"), "cron(5 7 * * ? *)"],
    [dailyAt("00:00"), "cron(0 0 * * ? *)"],
    [weekdaysAt("18:30"), "cron(30 18 ? * MON-FRI *)"],
    [weeklyAt("SUN", "23:59"), "cron(59 23 ? * SUN *)"],
    [monthlyAt(1, "03:30"), "cron(30 3 1 * ? *)"],
    [monthlyAt(31, "12:00"), "cron(0 12 31 * ? *)"],
  ])("builds %s", (built, expected) => {
    expect(built).toBe(expected);
    expect(scheduleProblem(built)).toBeUndefined();
  });

  it.each<[string, () => string, string]>([
    ["zero minutes", () => everyMinutes(0), "the number of minutes must be a whole number of at least 1, got 0"],
    ["fractional hours", () => everyHours(1.5), "got 1.5"],
    ["a 12-hour time", () => dailyAt("7pm"), 'the time must be HH:MM on a 24-hour clock, e.g. 07:30; got "7pm"'],
    ["hour 24", () => weekdaysAt("24:00"), 'got "24:00"'],
    ["minute 60", () => dailyAt("12:60"), 'got "12:60"'],
    ["an unknown day", () => weeklyAt("MONDAY" as "MON", "09:00"), 'the day must be one of MON, TUE, WED, THU, FRI, SAT, SUN, got "MONDAY"'],
    ["day of month 0", () => monthlyAt(0, "09:00"), "the day of the month must be a whole number 1–31, got 0"],
    ["day of month 32", () => monthlyAt(32, "09:00"), "got 32"],
  ])("rejects %s", (_name, build, message) => {
    expect(build).toThrow(ScheduleError);
    expect(build).toThrow(message);
  });

  it("validates a time of day for prompts", () => {
    expect(timeOfDayProblem("07:30")).toBeUndefined();
    expect(timeOfDayProblem("7.30")).toBe('the time must be HH:MM on a 24-hour clock, e.g. 07:30; got "7.30"');
  });
});
