/**
 * The start-refused alarm: the fast companion of the missed-run alarm. A CloudWatch metric alarm on the trigger's
 * own count of starts it gave up on (the schedule rule's AWS/Events FailedInvocations, or the Scheduler group's
 * AWS/Scheduler InvocationDroppedCount) ≥ 1 in 5 minutes, emailing the alert topic: a StartBuild that AWS refused
 * (the previous run still going, a new account's build quota of 0) creates no build, and this notices it within
 * minutes instead of after the missed-run alarm's whole window. Missing data is notBreaching, so unlike the
 * missed-run alarm it needs no arming: it is created with the job. The desired alarm is ../desired/missed-run.ts
 * (startRefusedAlarmInput); the reads and writes are the missed-run alarm's (./alarm.ts).
 */
import { TagResourceCommand } from "@aws-sdk/client-cloudwatch";
import { TAG_KEY } from "../desired/names.js";
import { alarmChanges, deleteAlarm, putAlarm, readAlarm, type AlarmState } from "./alarm.js";
import { absentStep, conflictStep, createStep, isForeign, updateOrUnchanged, type Resource } from "./types.js";

const LABEL = "start-refused alarm";

export const startRefusedAlarmResource: Resource<AlarmState> = {
  key: "startRefusedAlarm",
  label: LABEL,
  nameOf: (ref) => ref.names.startRefusedAlarm,
  read: (ref, { cloudwatch }, scope) => readAlarm(cloudwatch, ref, "startRefusedAlarm", scope),
  plan(spec, current, { adopt, paused }) {
    const name = spec.names.startRefusedAlarm;
    const wanted = spec.startRefusedAlarm;
    // A paused job starts nothing: its alarm stays, sending nothing until resume (like the missed-run alarm).
    const want = wanted && paused ? { ...wanted, ActionsEnabled: false } : wanted;
    const base = {
      key: "startRefusedAlarm" as const,
      label: LABEL,
      name,
      arn: spec.arns.startRefusedAlarm,
      notes: [] as string[],
      after: ["alertTopic" as const],
    };
    if (current && isForeign(current.owner, spec.job, adopt)) return conflictStep("startRefusedAlarm", LABEL, name, current.owner, spec.job);
    if (!want) {
      if (!current) return absentStep("startRefusedAlarm", LABEL, name);
      return { ...base, action: "delete", changes: [], after: [], apply: (ctx) => deleteAlarm(ctx.clients.cloudwatch, name).then(() => undefined) };
    }
    const dimension = want.Dimensions[0];
    const watches = `alarm within 5 minutes when ${want.Namespace} ${want.MetricName} (${dimension?.Name ?? ""} ${dimension?.Value ?? ""}) counts a start AWS refused`;
    if (!current) return createStep({ ...base, notes: [watches] }, (ctx) => putAlarm(ctx, want, true));
    const changes = alarmChanges(current.alarm, want);
    if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job });
    return updateOrUnchanged(base, changes, async (ctx) => {
      await putAlarm(ctx, want, false);
      // PutMetricAlarm ignores Tags when the alarm exists already: an adopted alarm is tagged on its own.
      if (current.owner === undefined)
        await ctx.clients.cloudwatch.send(new TagResourceCommand({ ResourceARN: spec.arns.startRefusedAlarm, Tags: [...want.Tags] }));
    });
  },
  // Stage 1 with the rules and the missed-run alarm: nothing reports on the job once it is going.
  deleteAt: { stage: 1, run: ({ cloudwatch }, ref) => deleteAlarm(cloudwatch, ref.names.startRefusedAlarm) },
};
