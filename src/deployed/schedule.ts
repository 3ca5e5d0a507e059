/**
 * The job's schedule, whatever kind it is, from the resource modules' reads (expression, time zone, state, owner),
 * and turning it on or off through the module that owns it.
 *   - "rule": an EventBridge rule on the default bus (UTC); tagged itself.
 *   - "scheduler": an EventBridge Scheduler schedule in the job's own schedule group (any IANA zone); schedules
 *     cannot be tagged, the group carries the tag.
 * Status, list, pause and resume go through here only, so a new kind is one more case in this file.
 */
import type { Clients } from "../aws/clients.js";
import type { JobNames } from "../desired/names.js";
import type { JobState, ReadResource, ScheduleState } from "../resources/types.js";
import { scheduleRuleResource, setRuleState, type RuleState } from "../resources/rule.js";
import { scheduleGroupResource, scheduleResource, setScheduleState, type CurrentSchedule, type GroupState } from "../resources/scheduler.js";

/** The reads a job's schedule is made of (pause, resume and list read only these): the rule, the time-zone schedule and its group. */
export const SCHEDULE_READS = [scheduleRuleResource, scheduleResource, scheduleGroupResource] as readonly ReadResource<unknown>[];

interface ScheduleBase {
  /** What the user would look for in the console. */
  name: string;
  arn: string;
  expression: string;
  /** IANA zone the expression is read in; rules are always UTC. */
  timezone: string;
  state: ScheduleState;
  /** The `support-job:job` tag (of the rule, or of the schedule's group). */
  owner?: string | undefined;
}

interface RuleSchedule extends ScheduleBase {
  kind: "rule";
}

interface SchedulerSchedule extends ScheduleBase {
  kind: "scheduler";
  group: string;
  /** UpdateSchedule replaces the whole schedule: toggling sends it back as it was read, state aside. */
  definition: CurrentSchedule;
}

export type JobSchedule = RuleSchedule | SchedulerSchedule;

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

/** Turns the schedule on or off; true when that changed something. */
export async function setScheduleEnabled(clients: Clients, schedule: JobSchedule, enabled: boolean): Promise<boolean> {
  const want: ScheduleState = enabled ? "ENABLED" : "DISABLED";
  if (schedule.state === want) return false;
  switch (schedule.kind) {
    case "rule":
      await setRuleState(clients.events, schedule.name, want);
      return true;
    case "scheduler":
      await setScheduleState(clients.scheduler, schedule.definition, want);
      return true;
  }
}
