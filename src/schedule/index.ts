export { ScheduleError, parseSchedule, scheduleProblem } from "./parse.js";
export { describeSchedule } from "./describe.js";
export { neverFiresProblem } from "./fires.js";
export { nextRuns } from "./next-runs.js";
export { formatInZone, isValidTimeZone, localTimeZone, suggestTimeZones, wallTimeToInstant, warmUpTimeZones } from "./timezone.js";
export { dailyAt, everyDays, everyHours, everyMinutes, monthlyAt, timeOfDayProblem, weekdaysAt, weeklyAt, type Weekday } from "./presets.js";
