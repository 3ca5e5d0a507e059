/**
 * The job's schedule, whatever kind it is: read it (expression, time zone, state) and turn it on or off.
 *   - "rule": an EventBridge rule on the default bus (UTC); tagged itself.
 *   - "scheduler": an EventBridge Scheduler schedule in the job's own schedule group (any IANA zone); schedules
 *     cannot be tagged, the group carries the tag.
 * Status, list, pause and resume go through here only, so a new kind is one more case in this file.
 */
import { DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, ListTagsForResourceCommand } from "@aws-sdk/client-eventbridge";
import {
  GetScheduleCommand,
  ListTagsForResourceCommand as ListSchedulerTagsCommand,
  UpdateScheduleCommand,
  type GetScheduleCommandOutput,
  type UpdateScheduleCommandInput,
} from "@aws-sdk/client-scheduler";
import type { Clients } from "../aws/clients.js";
import { partitionOf } from "../plan/plan.js";
import { TAG_KEY, type JobNames } from "../desired/names.js";
import { orMissing } from "../aws/errors.js";
import type { JobState } from "../resources/types.js";
import type { RuleState } from "../resources/rule.js";
import type { CurrentSchedule, GroupState } from "../resources/scheduler.js";

export type ScheduleState = "ENABLED" | "DISABLED";

interface ScheduleBase {
  /** What the user would look for in the console. */
  name: string;
  arn: string;
  expression: string;
  /** IANA zone the expression is read in; rules are always UTC. */
  timezone: string;
  state: ScheduleState;
  /** The `support-job:job` tag (of the rule, or of the schedule's group); read only when asked. */
  owner?: string | undefined;
}

interface RuleSchedule extends ScheduleBase {
  kind: "rule";
}

interface SchedulerSchedule extends ScheduleBase {
  kind: "scheduler";
  group: string;
  /** UpdateSchedule replaces the whole schedule: toggling sends it back as it was read, state aside. */
  definition: GetScheduleCommandOutput;
}

export type JobSchedule = RuleSchedule | SchedulerSchedule;

export interface ReadScheduleOptions {
  /** Also read the tag that says which job owns the schedule. */
  withOwner?: boolean;
}

/** The job's schedule, or undefined when it has none. Both kinds are read at once; a job has one of them. */
export async function readSchedule(clients: Clients, names: JobNames, options: ReadScheduleOptions = {}): Promise<JobSchedule | undefined> {
  const [rule, schedule] = await Promise.all([
    orMissing(clients.events.send(new DescribeRuleCommand({ Name: names.scheduleRule }))),
    orMissing(clients.scheduler.send(new GetScheduleCommand({ Name: names.schedule, GroupName: names.scheduleGroup }))),
  ]);
  // Moving between kinds, init creates the new one before deleting the old: the rule wins only if it is alone.
  if (schedule?.Name) {
    const found: SchedulerSchedule = {
      kind: "scheduler",
      name: schedule.Name,
      group: schedule.GroupName ?? names.scheduleGroup,
      arn: schedule.Arn ?? "",
      expression: schedule.ScheduleExpression ?? "",
      timezone: schedule.ScheduleExpressionTimezone || "UTC",
      state: schedule.State === "DISABLED" ? "DISABLED" : "ENABLED",
      definition: schedule,
    };
    if (options.withOwner) {
      const groupArn = groupArnOf(found.arn, found.group, clients.region);
      const tags = await orMissing(clients.scheduler.send(new ListSchedulerTagsCommand({ ResourceArn: groupArn })));
      found.owner = tags?.Tags?.find((t) => t.Key === TAG_KEY)?.Value;
    }
    return found;
  }
  if (rule?.Name) {
    const found: RuleSchedule = {
      kind: "rule",
      name: rule.Name,
      arn: rule.Arn ?? "",
      expression: rule.ScheduleExpression ?? "",
      timezone: "UTC",
      // EventBridge also has ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, which still fires on schedule.
      state: rule.State === "DISABLED" ? "DISABLED" : "ENABLED",
    };
    if (options.withOwner && found.arn) {
      const tags = await orMissing(clients.events.send(new ListTagsForResourceCommand({ ResourceARN: found.arn })));
      found.owner = tags?.Tags?.find((t) => t.Key === TAG_KEY)?.Value;
    }
    return found;
  }
  return undefined;
}

/**
 * The job's schedule from the resource reads init also makes (rule, time-zone schedule, its group), with its owner.
 * Moving between kinds, init creates the new one before deleting the old: the rule wins only if it is alone.
 */
export function scheduleFrom(current: JobState, names: Pick<JobNames, "scheduleGroup">): JobSchedule | undefined {
  const schedule = current.get("schedule") as CurrentSchedule | undefined;
  const rule = current.get("scheduleRule") as RuleState | undefined;
  if (schedule?.Name)
    return {
      kind: "scheduler",
      name: schedule.Name,
      group: schedule.GroupName ?? names.scheduleGroup,
      arn: schedule.Arn ?? "",
      expression: schedule.ScheduleExpression ?? "",
      timezone: schedule.ScheduleExpressionTimezone || "UTC",
      state: schedule.State === "DISABLED" ? "DISABLED" : "ENABLED",
      definition: schedule,
      owner: (current.get("scheduleGroup") as GroupState | undefined)?.owner,
    };
  if (rule?.rule.Name)
    return {
      kind: "rule",
      name: rule.rule.Name,
      arn: rule.rule.Arn ?? "",
      expression: rule.rule.ScheduleExpression ?? "",
      timezone: "UTC",
      // EventBridge also has ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, which still fires on schedule.
      state: rule.rule.State === "DISABLED" ? "DISABLED" : "ENABLED",
      owner: rule.owner,
    };
  return undefined;
}

/** `arn:aws:scheduler:r:acct:schedule/<group>/<name>` → the group's ARN. */
function groupArnOf(scheduleArn: string, group: string, region: string): string {
  const parts = scheduleArn.split(":");
  const partition = parts[1] || partitionOf(region);
  const account = parts[4] ?? "";
  return `arn:${partition}:scheduler:${parts[3] || region}:${account}:schedule-group/${group}`;
}

/** Turns the schedule on or off; true when that changed something. */
export async function setScheduleEnabled(clients: Clients, schedule: JobSchedule, enabled: boolean): Promise<boolean> {
  const want: ScheduleState = enabled ? "ENABLED" : "DISABLED";
  if (schedule.state === want) return false;
  switch (schedule.kind) {
    case "rule":
      await clients.events.send(enabled ? new EnableRuleCommand({ Name: schedule.name }) : new DisableRuleCommand({ Name: schedule.name }));
      return true;
    case "scheduler":
      await clients.scheduler.send(new UpdateScheduleCommand(updateInput(schedule.definition, want)));
      return true;
  }
}

/** GetSchedule's answer as an UpdateSchedule request with another state: every field kept, none lost. */
export function updateInput(current: GetScheduleCommandOutput, State: ScheduleState): UpdateScheduleCommandInput {
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
