/** Schedules that parse but would never fire are refused with the reason; the rest pass. */
import { describe, expect, it } from "vitest";
import { neverFiresProblem } from "../../../src/schedule/index.js";

const NOW = new Date("2026-11-30T06:00:00Z");

describe("schedules that never fire", () => {
  it.each([
    ["cron(0 7 30 2 ? *)", "UTC", /never fires: no FEB has the day it names \(like 30 February\); e\.g\. .*cron\(0 7 L 2 \? \*\)/],
    ["cron(0 7 31 4,6,9,11 ? *)", "UTC", /never fires: no month it names has the day it names/],
    ["cron(0 7 1 1 ? 2020)", "UTC", /never fires: its year 2020 is in the past; .*cron\(0 7 1 1 \? \*\)/],
    ["cron(0 7 1 1 ? 2026)", "UTC", /never fires again: its last run is already past/],
    ["cron(30 2 ? 3 1L *)", "Europe/Paris", /never fires in Europe\/Paris: every time it names falls in the hour that daylight saving skips/],
    ["cron(15 2 ? 3 1#2 *)", "America/New_York", /never fires in America\/New_York: .*daylight saving/],
  ])("%s in %s", (expression, zone, reason) => {
    expect(neverFiresProblem(expression, zone, NOW)).toMatch(reason);
  });

  it.each([
    ["rate(1 day)", "UTC"],
    ["cron(0 7 29 2 ? *)", "UTC"],
    ["cron(30 2 ? 3 1L *)", "UTC"],
    ["cron(30 2 * * ? *)", "Europe/Paris"],
    ["cron(0 7 1 1 ? 2027)", "UTC"],
  ])("%s in %s fires", (expression, zone) => {
    expect(neverFiresProblem(expression, zone, NOW)).toBeUndefined();
  });
});
