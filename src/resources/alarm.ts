/**
 * The missed-run alarm (a dead man's switch): a CloudWatch metric alarm on AWS/CodeBuild SucceededBuilds that
 * emails the alert topic when no run of the job succeeded within the schedule's longest gap plus a grace time.
 * The desired alarm, and why it is shaped so, is ../desired/missed-run.ts. Arming: a new alarm in breaching mode
 * would fire at once, so it is planned only once the job has succeeded once (among the runs init reads) or its
 * first run is overdue (first due + grace, counted from when the project was created); before that the plan says
 * when the next init will arm it.
 */
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import type { Clients } from "../aws/clients.js";
import { orMissing } from "../aws/errors.js";
import { armingDecision, firstDue, type MetricAlarmInput } from "../desired/missed-run.js";
import { TAG_KEY } from "../desired/names.js";
import {
  absentStep,
  conflictStep,
  createStep,
  fieldChanges,
  isForeign,
  updateOrUnchanged,
  named,
  readScope,
  type JobRef,
  type Owned,
  type PlanStep,
  type ReadScope,
  type Resource,
  type StepBase,
  type StepContext,
} from "./types.js";
import type { JobSpec } from "../desired/job.js";

export interface AlarmState extends Owned {
  alarm: MetricAlarm;
}

type AlarmKey = "missedRunAlarm" | "startRefusedAlarm";
type AlarmPlanOptions = Parameters<Resource<AlarmState>["plan"]>[2];

/** What sets one of the job's two alarms apart: everything else (read, conflict, delete, update, removal) is `alarmResource`'s. */
interface AlarmKind {
  key: AlarmKey;
  label: string;
  /** The alarm the settings want (undefined: none); a paused job's is sent with its actions off. */
  wanted(spec: JobSpec): MetricAlarmInput | undefined;
  /** When the job wants no alarm: why, in the plan (with nothing to say and no alarm to delete, the step is left out). */
  unwantedNotes?(spec: JobSpec): string[];
  /** The step for a wanted alarm that is not there yet (its create calls putAlarm(ctx, want, true)). */
  missing(spec: JobSpec, want: MetricAlarmInput, options: AlarmPlanOptions, base: StepBase): PlanStep;
  /** What an update of the alarm says besides its changes. */
  updateNotes?(spec: JobSpec): string[];
}

/** One of the job's two alarms as a resource: one DescribeAlarms read (shared), created, updated, adopted and deleted alike. */
export function alarmResource(kind: AlarmKind): Resource<AlarmState> {
  const { key, label } = kind;
  return {
    ...named(key, label),
    read: (ref, { cloudwatch }, scope) => readAlarm(cloudwatch, ref, key, scope),
    plan(spec, current, options) {
      const name = spec.names[key];
      // A paused job runs nothing on purpose: its alarm keeps watching but sends nothing until resume.
      const wanted = kind.wanted(spec);
      const want = wanted && options.paused ? { ...wanted, ActionsEnabled: false } : wanted;
      const base = { key, label, name, arn: spec.arns[key], notes: [] as string[], after: ["alertTopic" as const] };
      if (current && isForeign(current.owner, spec.job, options.adopt)) return conflictStep(key, label, name, current.owner, spec.job);
      if (!want) {
        const why = kind.unwantedNotes?.(spec) ?? [];
        if (!current) return why.length ? { ...base, action: "unchanged", changes: [], notes: why } : absentStep(key, label, name);
        return {
          ...base,
          action: "delete",
          changes: [],
          notes: why,
          after: [],
          apply: (ctx) => deleteAlarm(ctx.clients.cloudwatch, name).then(() => undefined),
        };
      }
      if (!current) return kind.missing(spec, want, options, base);
      const changes = alarmChanges(current.alarm, want);
      if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job });
      return updateOrUnchanged({ ...base, notes: changes.length ? (kind.updateNotes?.(spec) ?? []) : [] }, changes, async (ctx) => {
        await putAlarm(ctx, want, false);
        // PutMetricAlarm ignores Tags when the alarm exists already: an adopted alarm is tagged on its own.
        if (current.owner === undefined) await ctx.clients.cloudwatch.send(new TagResourceCommand({ ResourceARN: spec.arns[key], Tags: [...want.Tags] }));
      });
    },
    // Stage 1 with the rules: nothing reports on the job once it is going.
    deleteAt: { stage: 1, run: ({ cloudwatch }, ref) => deleteAlarm(cloudwatch, ref.names[key]) },
  };
}

/** What the missed-run alarm watches, in words (nothing when missed runs are not watched). */
const watchSummary = (spec: JobSpec): string[] => (spec.missedRun.watch.watched ? [spec.missedRun.watch.summary] : []);

export const missedRunAlarmResource = alarmResource({
  key: "missedRunAlarm",
  label: "missed-run alarm",
  wanted: (spec) => spec.missedRun.alarm,
  unwantedNotes({ missedRun: { watch } }) {
    return watch.watched ? [] : [`missed runs are not watched: ${watch.reason}${watch.hint ? ` (${watch.hint})` : ""}`];
  },
  missing(spec, want, { since, lastSuccess }, base) {
    const arming = armingDecision({
      firstDue: firstDue(spec.missedRun.expression, since ?? spec.missedRun.now, spec.missedRun.timezone),
      graceSeconds: spec.missedRun.graceSeconds,
      lastSuccess,
      alarmExists: false,
      now: spec.missedRun.now,
      timezone: spec.missedRun.timezone,
    });
    if (!arming.arm) return { ...base, action: "unchanged", changes: [], notes: [`not armed yet: ${arming.reason}`, ...watchSummary(spec)] };
    return createStep({ ...base, notes: watchSummary(spec) }, (ctx) => putAlarm(ctx, want, true));
  },
  updateNotes: watchSummary,
});

/**
 * One of the job's two alarms and its tags, in parallel (one round trip); undefined: no such alarm. One
 * DescribeAlarms names both alarms, made once per read of the job: the second alarm's read shares it.
 */
async function readAlarm(
  cloudwatch: Clients["cloudwatch"],
  ref: JobRef,
  key: "missedRunAlarm" | "startRefusedAlarm",
  scope: ReadScope = readScope(),
): Promise<AlarmState | undefined> {
  const name = ref.names[key];
  const [described, tags] = await Promise.all([
    scope.once("alarms", () =>
      cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [ref.names.missedRunAlarm, ref.names.startRefusedAlarm], AlarmTypes: ["MetricAlarm"] })),
    ),
    orMissing(cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: ref.arns[key] }))),
  ]);
  const alarm = described.MetricAlarms?.find((a) => a.AlarmName === name);
  if (!alarm) return undefined;
  return { alarm, owner: tags?.Tags?.find((t) => t.Key === TAG_KEY)?.Value };
}

function alarmChanges(have: MetricAlarm, want: MetricAlarmInput): ReturnType<typeof fieldChanges>["changes"] {
  const { changes, compare: cmp } = fieldChanges();
  cmp("metric", `${have.Namespace ?? ""} ${have.MetricName ?? ""}`, `${want.Namespace} ${want.MetricName}`);
  cmp("dimensions", (have.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(", "), want.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(", "));
  cmp("statistic", have.Statistic, want.Statistic);
  cmp("period (seconds)", have.Period, want.Period);
  cmp("evaluation periods", have.EvaluationPeriods, want.EvaluationPeriods);
  cmp("datapoints to alarm", have.DatapointsToAlarm ?? have.EvaluationPeriods, want.DatapointsToAlarm);
  cmp("condition", `${have.ComparisonOperator ?? ""} ${have.Threshold ?? ""}`, `${want.ComparisonOperator} ${want.Threshold}`);
  cmp("missing data", have.TreatMissingData ?? "missing", want.TreatMissingData);
  cmp("actions enabled", have.ActionsEnabled ?? true, want.ActionsEnabled);
  cmp("alarm actions", [...(have.AlarmActions ?? [])].sort().join(", "), [...want.AlarmActions].sort().join(", "));
  cmp("OK actions", [...(have.OKActions ?? [])].sort().join(", "), [...want.OKActions].sort().join(", "));
  cmp("description", have.AlarmDescription, want.AlarmDescription);
  return changes;
}

export async function putAlarm(ctx: StepContext, want: MetricAlarmInput, create: boolean): Promise<void> {
  // PutMetricAlarm creates or replaces the whole alarm (its state is kept) and is idempotent: a retry is safe.
  await ctx.clients.cloudwatch.send(
    new PutMetricAlarmCommand({
      ...want,
      AlarmActions: [...want.AlarmActions],
      OKActions: [...want.OKActions],
      Dimensions: want.Dimensions.map((d) => ({ ...d })),
      Tags: want.Tags.map((t) => ({ ...t })),
    }),
  );
  if (create) ctx.exists();
}

/** Removes the alarm (destroy, or the alarm turned off); false when it was not there. */
async function deleteAlarm(cloudwatch: Clients["cloudwatch"], name: string): Promise<boolean> {
  return (await orMissing(cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] })))) !== undefined;
}

/** pause / resume: the alarms of a paused job send nothing (their state still shows in status); all in one call. */
export async function setAlarmActions(cloudwatch: Clients["cloudwatch"], names: readonly string[], enabled: boolean): Promise<void> {
  if (names.length === 0) return;
  const AlarmNames = [...names];
  await cloudwatch.send(enabled ? new EnableAlarmActionsCommand({ AlarmNames }) : new DisableAlarmActionsCommand({ AlarmNames }));
}

/** test-alert: the alarm path end to end, as CloudWatch's own SetAlarmState testing (the next evaluation resets it). */
export async function setAlarmState(
  cloudwatch: Clients["cloudwatch"],
  name: string,
  state: "ALARM" | "OK" | "INSUFFICIENT_DATA",
  reason: string,
): Promise<void> {
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }));
}
