/**
 * The job's schedule, whatever kind it is, from the resource modules' reads (expression, time zone, state, owner),
 * and turning it on or off through the module that owns it.
 *   - "rule": an EventBridge rule on the default bus (UTC); tagged itself.
 *   - "scheduler": an EventBridge Scheduler schedule in the job's own schedule group (any IANA zone); schedules
 *     cannot be tagged, the group carries the tag.
 * Status, list, pause and resume go through here only, so a new kind is one more case in this file. What else goes
 * quiet while a job is paused (its alarms' actions, its alarm chat rule) is listed here too, so a new alarm is one
 * more entry in PAUSED_ALARMS.
 */
import type { Clients } from "../aws/clients.js";
import type { JobNames } from "../desired/names.js";
import type { JobState, ReadResource, ScheduleState } from "../resources/types.js";
import { scheduleRuleResource, setRuleState, type RuleState } from "../resources/rule.js";
import { scheduleGroupResource, scheduleResource, setScheduleState, type CurrentSchedule, type GroupState } from "../resources/scheduler.js";
import { missedRunAlarmResource, type AlarmState } from "../resources/alarm.js";
import { startRefusedAlarmResource } from "../resources/start-refused-alarm.js";
import { alarmChatRuleResource, type AlarmChatRuleState } from "../resources/alarm-chat-rule.js";

/** The reads a job's schedule is made of (list reads only these): the rule, the time-zone schedule and its group. */
export const SCHEDULE_READS = [scheduleRuleResource, scheduleResource, scheduleGroupResource] as readonly ReadResource<unknown>[];

/**
 * The alarms whose actions are off while the job is paused, by key: the missed-run alarm of a paused job would fire
 * once its window passes. The alarm chat rule, which carries them to chat, is off with them.
 */
const PAUSED_ALARMS = { missedRunAlarm: missedRunAlarmResource, startRefusedAlarm: startRefusedAlarmResource } as const;

/** The reads of what pause and resume turn off and on besides the schedule: the paused alarms and the alarm chat rule. */
export const PAUSED_ALERT_READS = [...Object.values(PAUSED_ALARMS), alarmChatRuleResource] as readonly ReadResource<unknown>[];

/**
 * What pause (`enabled` false) or resume must still write besides the schedule, from PAUSED_ALERT_READS' reads:
 * the names of the job's own alarms whose actions are not `enabled` yet, and the alarm chat rule when its state is
 * not. Only what is not so already: a second pause writes nothing.
 */
export function alertsToToggle(
  current: JobState,
  job: string,
  names: Pick<JobNames, keyof typeof PAUSED_ALARMS | "alarmChatRule">,
  enabled: boolean,
): { alarms: string[]; chatRule: string | undefined } {
  const keys = Object.keys(PAUSED_ALARMS) as (keyof typeof PAUSED_ALARMS)[];
  const alarms = keys.filter((key) => {
    const alarm = current.get(key) as AlarmState | undefined;
    return alarm?.owner === job && (alarm.alarm.ActionsEnabled ?? true) !== enabled;
  });
  const rule = current.get("alarmChatRule") as AlarmChatRuleState | undefined;
  const chatRule = rule?.owner === job && rule.rule.State !== (enabled ? "ENABLED" : "DISABLED") ? names.alarmChatRule : undefined;
  return { alarms: alarms.map((key) => names[key]), chatRule };
}

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
