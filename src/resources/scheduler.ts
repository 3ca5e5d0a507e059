/**
 * Time-zone schedules: an EventBridge Scheduler schedule (DST-aware) in a schedule group of the job's own.
 * Schedules cannot be tagged; the group is, and a schedule in our group is ours.
 */
import type { Clients } from "../aws/clients.js";
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateScheduleCommand,
  type GetScheduleCommandOutput,
  type UpdateScheduleCommandInput,
} from "@aws-sdk/client-scheduler";
import { isAlreadyExists, orMissing } from "../aws/errors.js";
import { canonical, objectChanges } from "./compare.js";
import {
  absentStep,
  conflictStep,
  createStep,
  fieldChanges,
  isForeign,
  named,
  readScope,
  removalStep,
  tagValue,
  thenIfFound,
  type JobRef,
  type Owned,
  type ReadScope,
  type Resource,
  type ScheduleState,
  type StepContext,
} from "./types.js";
import type { SchedulerScheduleSpec } from "../desired/job.js";
import { TAG_KEY } from "../desired/names.js";
import { waitForRolePropagation } from "../aws/propagation.js";

export type GroupState = Owned;

const GROUP = "schedule group";

/** The job's schedule group (undefined: none), asked once per read of the job: the schedule's read needs it too. */
function groupOf(ref: JobRef, scheduler: Clients["scheduler"], scope: ReadScope = readScope()) {
  return scope.once(`scheduler.GetScheduleGroup ${ref.names.scheduleGroup}`, () =>
    orMissing(scheduler.send(new GetScheduleGroupCommand({ Name: ref.names.scheduleGroup }))),
  );
}

export const scheduleGroupResource: Resource<GroupState> = {
  ...named("scheduleGroup", GROUP),
  async read(ref, { scheduler }, scope = readScope()) {
    // Its tags once it is found: most jobs have a schedule rule, not a group.
    const got = await thenIfFound(scope, "scheduleGroup", groupOf(ref, scheduler, scope), () =>
      orMissing(scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ref.arns.scheduleGroup }))),
    );
    return got && { owner: tagValue(got[1]?.Tags) };
  },
  plan(spec, current, { adopt }) {
    const name = spec.names.scheduleGroup;
    const base = { key: "scheduleGroup" as const, label: GROUP, name, arn: spec.arns.scheduleGroup, notes: [], after: [] };
    if (!spec.scheduleGroup) {
      if (!current || current.owner !== spec.job) return absentStep("scheduleGroup", GROUP, name);
      // Deleting a group deletes the schedules in it: only once the rule that replaces them exists.
      return {
        ...base,
        action: "delete",
        changes: [],
        after: ["schedule", "scheduleRule"],
        apply: (ctx) => deleteScheduleGroup(ctx.clients.scheduler, name).then(() => undefined),
      };
    }
    if (!current)
      return createStep(base, async (ctx) => {
        try {
          await ctx.clients.scheduler.send(new CreateScheduleGroupCommand({ Name: name, Tags: spec.tags }));
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
        }
        ctx.exists();
      });
    if (isForeign(current.owner, spec.job, adopt)) return conflictStep("scheduleGroup", GROUP, name, current.owner, spec.job);
    if (current.owner === spec.job) return { ...base, action: "unchanged", changes: [] };
    return {
      ...base,
      action: "update",
      changes: [{ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job }],
      apply: async (ctx) => {
        ctx.exists();
        await ctx.clients.scheduler.send(new TagResourceCommand({ ResourceArn: spec.arns.scheduleGroup, Tags: spec.tags }));
      },
    };
  },
  deleteAt: { stage: 2, run: ({ scheduler }, ref) => deleteScheduleGroup(scheduler, ref.names.scheduleGroup) },
};

/** What GetSchedule found (its on/off state is a `ScheduleState`). */
export type CurrentSchedule = GetScheduleCommandOutput;

const SCHEDULE = "time-zone schedule";
const SCHEDULER = "EventBridge Scheduler" as const;

export const scheduleResource: Resource<CurrentSchedule> = {
  ...named("schedule", SCHEDULE),
  async read(ref, { scheduler }, scope = readScope()) {
    // A schedule lives in its group (deleting the group deletes it): no group, no schedule to ask for.
    const got = await thenIfFound(scope, "schedule", groupOf(ref, scheduler, scope), () =>
      orMissing(scheduler.send(new GetScheduleCommand({ Name: ref.names.schedule, GroupName: ref.names.scheduleGroup }))),
    );
    return got?.[1];
  },
  plan(spec, current, { paused }) {
    const want = spec.schedule;
    const name = spec.names.schedule;
    const base = {
      key: "schedule" as const,
      label: SCHEDULE,
      name,
      arn: spec.arns.schedule,
      notes: [],
      after: ["scheduleGroup" as const, "schedulerRole" as const],
    };
    if (!want) {
      if (!current) return absentStep("schedule", SCHEDULE, name);
      // The new rule starts the job before the old schedule goes, so no run is missed in between.
      return {
        ...base,
        action: "delete",
        changes: [],
        after: ["scheduleRule"],
        apply: (ctx) => deleteSchedule(ctx.clients.scheduler, name, spec.names.scheduleGroup).then(() => undefined),
      };
    }
    // A schedule replacing a paused rule starts paused: moving time zones never resumes a job.
    if (!current)
      return {
        ...base,
        action: "create",
        changes: [],
        notes: paused ? ["created paused, like the schedule it replaces (support-job resume turns it on)"] : [],
        apply: (ctx) => putSchedule(ctx, want, paused ? "DISABLED" : "ENABLED", true),
      };
    const { changes, compare: cmp } = fieldChanges();
    cmp("schedule", current.ScheduleExpression, want.expression);
    cmp("time zone", current.ScheduleExpressionTimezone ?? "UTC", want.timezone);
    cmp("description", current.Description, want.description);
    cmp("flexible window", current.FlexibleTimeWindow?.Mode, "OFF");
    const haveTarget = { Arn: current.Target?.Arn, RoleArn: current.Target?.RoleArn, Input: current.Target?.Input, RetryPolicy: current.Target?.RetryPolicy };
    if (canonical(haveTarget) !== canonical(want.target)) changes.push(...objectChanges("target", haveTarget, want.target));
    if (changes.length === 0) return { ...base, action: "unchanged", changes };
    // UpdateSchedule replaces the whole schedule: keep its state, so a paused job stays paused.
    return { ...base, action: "update", changes, apply: (ctx) => putSchedule(ctx, want, current.State === "DISABLED" ? "DISABLED" : "ENABLED", false) };
  },
  // A schedule cannot be tagged: it is the job's when its group is.
  remove(_current, ref, read) {
    const { schedule, scheduleGroup } = ref.names;
    const owner = (read.get("scheduleGroup") as GroupState | undefined)?.owner;
    return [
      removalStep(ref.job, owner, {
        key: "schedule",
        label: "schedule",
        name: `${scheduleGroup}/${schedule}`,
        details: [],
        stage: 1,
        run: ({ scheduler }) => deleteSchedule(scheduler, schedule, scheduleGroup).then(() => undefined),
      }),
    ];
  },
};

async function putSchedule(ctx: StepContext, want: SchedulerScheduleSpec, State: "ENABLED" | "DISABLED", create: boolean): Promise<void> {
  const input = {
    Name: want.name,
    GroupName: want.group,
    ScheduleExpression: want.expression,
    ScheduleExpressionTimezone: want.timezone,
    Description: want.description,
    State,
    FlexibleTimeWindow: { Mode: "OFF" as const },
    Target: want.target,
  };
  if (!create) {
    ctx.exists();
    await waitForRolePropagation(SCHEDULER, ctx, () => ctx.clients.scheduler.send(new UpdateScheduleCommand(input)));
    return;
  }
  try {
    await waitForRolePropagation(SCHEDULER, ctx, () => ctx.clients.scheduler.send(new CreateScheduleCommand(input)));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    await waitForRolePropagation(SCHEDULER, ctx, () => ctx.clients.scheduler.send(new UpdateScheduleCommand(input)));
  }
  ctx.exists();
}

/** pause / resume: UpdateSchedule replaces the whole schedule, so it is sent back as it was read, its state aside. */
export async function setScheduleState(scheduler: Clients["scheduler"], current: CurrentSchedule, State: ScheduleState): Promise<void> {
  await scheduler.send(new UpdateScheduleCommand(updateInput(current, State)));
}

/** GetSchedule's answer as an UpdateSchedule request with another state: every field kept, none lost. */
export function updateInput(current: CurrentSchedule, State: ScheduleState): UpdateScheduleCommandInput {
  const input: UpdateScheduleCommandInput = {
    Name: current.Name,
    GroupName: current.GroupName,
    ScheduleExpression: current.ScheduleExpression,
    FlexibleTimeWindow: current.FlexibleTimeWindow ?? { Mode: "OFF" },
    Target: current.Target,
    State,
  };
  if (current.ScheduleExpressionTimezone) input.ScheduleExpressionTimezone = current.ScheduleExpressionTimezone;
  if (current.Description !== undefined) input.Description = current.Description;
  if (current.StartDate) input.StartDate = current.StartDate;
  if (current.EndDate) input.EndDate = current.EndDate;
  if (current.KmsKeyArn) input.KmsKeyArn = current.KmsKeyArn;
  if (current.ActionAfterCompletion) input.ActionAfterCompletion = current.ActionAfterCompletion;
  return input;
}

async function deleteSchedule(scheduler: Clients["scheduler"], Name: string, GroupName: string): Promise<boolean> {
  return (await orMissing(scheduler.send(new DeleteScheduleCommand({ Name, GroupName })))) !== undefined;
}

async function deleteScheduleGroup(scheduler: Clients["scheduler"], Name: string): Promise<boolean> {
  return (await orMissing(scheduler.send(new DeleteScheduleGroupCommand({ Name })))) !== undefined;
}
