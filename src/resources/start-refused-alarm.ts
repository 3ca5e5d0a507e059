/**
 * The start-refused alarm: the fast companion of the missed-run alarm. A CloudWatch metric alarm on the trigger's
 * own count of starts it gave up on (the schedule rule's AWS/Events FailedInvocations, or the Scheduler group's
 * AWS/Scheduler InvocationDroppedCount) ≥ 1 in 5 minutes, emailing the alert topic: a StartBuild that AWS refused
 * (the previous run still going, a new account's build quota of 0) creates no build, and this notices it within
 * minutes instead of after the missed-run alarm's whole window. Missing data is notBreaching, so unlike the
 * missed-run alarm it needs no arming: it is created with the job. The desired alarm is ../desired/missed-run.ts
 * (startRefusedAlarmInput); the resource, reads and writes are the missed-run alarm's (./alarm.ts alarmResource):
 * only what a missing alarm's step is differs.
 */
import { alarmResource, putAlarm } from "./alarm.js";
import { createStep } from "./types.js";

export const startRefusedAlarmResource = alarmResource({
  key: "startRefusedAlarm",
  label: "start-refused alarm",
  wanted: (spec) => spec.startRefusedAlarm,
  missing(_spec, want, _options, base) {
    const dimension = want.Dimensions[0];
    const watches = `alarm within 5 minutes when ${want.Namespace} ${want.MetricName} (${dimension?.Name ?? ""} ${dimension?.Value ?? ""}) counts a start AWS refused`;
    return createStep({ ...base, notes: [watches] }, (ctx) => putAlarm(ctx, want, true));
  },
});
