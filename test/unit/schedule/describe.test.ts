import { describe, expect, it } from "vitest";
import { dailyAt, describeSchedule, everyDays, everyHours, everyMinutes, monthlyAt, ScheduleError, weekdaysAt, weeklyAt } from "../../../src/schedule/index.js";

describe("describeSchedule for the wizard's presets", () => {
  it.each<[string, string | undefined, string]>([
    [everyMinutes(1), undefined, "every minute"],
    [everyMinutes(5), undefined, "every 5 minutes"],
    [everyHours(1), undefined, "every hour"],
    [everyHours(6), "Europe/Paris", "every 6 hours"],
    [everyDays(1), undefined, "every day"],
    [everyDays(3), undefined, "every 3 days"],
    [dailyAt("07:00"), undefined, "at 07:00 every day (UTC)"],
    [dailyAt("23:45"), "America/New_York", "at 23:45 every day (America/New_York)"],
    [weekdaysAt("07:00"), undefined, "at 07:00 on Monday through Friday (UTC)"],
    [weeklyAt("MON", "09:30"), "Europe/Berlin", "at 09:30 on Monday (Europe/Berlin)"],
    [weeklyAt("SUN", "00:00"), undefined, "at 00:00 on Sunday (UTC)"],
    [monthlyAt(1, "03:30"), "Europe/Paris", "at 03:30 on day 1 of every month (Europe/Paris)"],
    [monthlyAt(31, "12:00"), undefined, "at 12:00 on day 31 of every month (UTC)"],
  ])("%s in %s reads %j", (expression, timezone, expected) => {
    expect(describeSchedule(expression, timezone)).toBe(expected);
  });
});

describe("describeSchedule for other expressions", () => {
  it.each<[string, string]>([
    ["cron(0 * * * ? *)", "at minute 0 of every hour"],
    ["cron(15,45 * * * ? *)", "at minutes 15 and 45 of every hour"],
    ["cron(1/10 * * * ? *)", "at minutes 1, 11, 21, 31, 41 and 51 of every hour"],
    ["cron(* * * * ? *)", "every minute"],
    ["cron(0/15 * * * ? *)", "every 15 minutes"],
    ["cron(* 9 * * ? *)", "every minute from 09:00 through 09:59 (UTC)"],
    ["cron(0/10 * ? * MON-FRI *)", "every 10 minutes on Monday through Friday (UTC)"],
    ["cron(0/5 8-17 ? * MON-FRI *)", "every 5 minutes from 08:00 through 17:55 on Monday through Friday (UTC)"],
    ["cron(0 0,6,12,18 * * ? *)", "at 00:00, 06:00, 12:00 and 18:00 every day (UTC)"],
    ["cron(0,30 7 * * ? *)", "at 07:00 and 07:30 every day (UTC)"],
    ["cron(0 */2 * * ? *)", "every 2 hours on the hour (UTC)"],
    ["cron(20 */3 * * ? *)", "every 3 hours at minute 20 (UTC)"],
    ["cron(0,20,40 1,5,9,13 * * ? *)", "at minutes 0, 20 and 40 past hours 01, 05, 09 and 13 (UTC)"],
    ["cron(0,30 9-11 ? * SAT,SUN *)", "every 30 minutes from 09:00 through 11:30 on Sunday and Saturday (UTC)"],
    ["cron(5,10 9-11 * * ? *)", "at 09:05, 09:10, 10:05, 10:10, 11:05 and 11:10 every day (UTC)"],
    ["cron(5,10 9-12 * * ? *)", "at minutes 5 and 10 of every hour from 09:00 through 12:59 (UTC)"],
    ["cron(0/30 9-11 * * ? *)", "every 30 minutes from 09:00 through 11:30 (UTC)"],
    ["cron(0/15 1,5,9,13 * * ? *)", "at minutes 0, 15, 30 and 45 past hours 01, 05, 09 and 13 (UTC)"],
    ["cron(0 8 1,15 * ? *)", "at 08:00 on days 1 and 15 of every month (UTC)"],
    ["cron(0 8 1-7 * ? *)", "at 08:00 on days 1 through 7 of every month (UTC)"],
    ["cron(0 12 * 12 ? *)", "at 12:00 every day in December (UTC)"],
    ["cron(0/30 * * 12 ? *)", "every 30 minutes in December (UTC)"],
    ["cron(0 0 29 2 ? *)", "at 00:00 on day 29 of February (UTC)"],
    ["cron(0 0 L * ? *)", "at 00:00 on the last day of every month (UTC)"],
    ["cron(0 18 LW * ? *)", "at 18:00 on the last weekday of every month (UTC)"],
    ["cron(0 9 15W * ? *)", "at 09:00 on the weekday nearest day 15 of every month (UTC)"],
    ["cron(15 10 ? * 6L 2022-2023)", "at 10:15 on the last Friday of every month in 2022 and 2023 (UTC)"],
    ["cron(0 12 ? JAN,JUL 2#1 *)", "at 12:00 on the first Monday of January and July (UTC)"],
    ["cron(0 12 ? * 5#3 *)", "at 12:00 on the third Thursday of every month (UTC)"],
    ["cron(0 12 ? * L *)", "at 12:00 on Saturday (UTC)"],
    ["cron(0 12 ? * MON,WED,FRI *)", "at 12:00 on Monday, Wednesday and Friday (UTC)"],
    ["cron(0 12 1 JAN-MAR,OCT ? *)", "at 12:00 on day 1 of January through March and October (UTC)"],
    ["cron(0 0 1 1 ? 2199)", "at 00:00 on day 1 of January in 2199 (UTC)"],
    ["cron(0 0 1 1 ? 2026-2030)", "at 00:00 on day 1 of January in 2026 through 2030 (UTC)"],
    ["cron(0 12 ? * * *)", "at 12:00 every day (UTC)"],
  ])("%s reads %j", (expression, expected) => {
    expect(describeSchedule(expression)).toBe(expected);
  });

  it("names the zone it was given", () => {
    expect(describeSchedule("cron(30 2 * * ? *)", "Australia/Sydney")).toBe("at 02:30 every day (Australia/Sydney)");
  });

  it("never names a zone for a rate", () => {
    expect(describeSchedule("rate(2 hours)", "Asia/Tokyo")).toBe("every 2 hours");
  });

  it("throws ScheduleError for an invalid expression", () => {
    expect(() => describeSchedule("cron(0 12 * * *)")).toThrow(ScheduleError);
  });
});
