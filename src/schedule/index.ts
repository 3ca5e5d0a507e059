export {
  MAX_EXPRESSION_LENGTH,
  ScheduleError,
  parseSchedule,
  scheduleProblem,
  type CronFields,
  type CronSchedule,
  type DayOfMonthRule,
  type DayOfWeekRule,
  type ParsedSchedule,
  type RateSchedule,
  type RateUnit,
} from "./parse.js";
export { describeSchedule } from "./describe.js";
export { neverFiresProblem } from "./fires.js";
export { nextRuns, type NextRunsOptions } from "./next-runs.js";
export { formatInZone, isValidTimeZone, localTimeZone, suggestTimeZones, wallClockAt, wallTimeToInstant, type WallClock } from "./timezone.js";
export { dailyAt, everyDays, everyHours, everyMinutes, monthlyAt, parseTimeOfDay, timeOfDayProblem, weekdaysAt, weeklyAt, type Weekday } from "./presets.js";
