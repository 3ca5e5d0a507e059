/**
 * The alert state of a job at a glance (the many-jobs overview and `list`): the alert email confirmed / pending /
 * none, the chat webhooks whose whole chain is in place, and the missed-run alarm (OK / ALARM / not armed yet /
 * not watched). From the resource modules' reads of the subscription, the alarm and the chat webhooks; data only.
 */
import type { JobState, ReadResource } from "../resources/types.js";
import { alertSubscriptionResource, type CurrentSubscriptions } from "../resources/topic.js";
import { missedRunAlarmResource, type AlarmState } from "../resources/alarm.js";
import { chatResource } from "../resources/chat.js";
import { alertStatus, chatWebhooksInPlace, type SubscriptionState } from "./status.js";
import { missedRunStatus } from "./missed-run.js";
import type { JobSchedule } from "./schedule.js";
import type { ResolvedSettings } from "../settings/types.js";

/**
 * The reads the alert state is made of, per job: the topic's subscriptions and tags (2 calls, 1 round trip), the
 * alarm and its tags (2 calls, 1 round trip), the chat connections, API destinations and alert rule targets (3 calls,
 * 1 round trip, then 2 more calls per webhook found, 1 more round trip).
 */
export const ALERT_READS = [alertSubscriptionResource, missedRunAlarmResource, chatResource] as readonly ReadResource<unknown>[];

/**
 * CloudWatch's StateValue when the alarm exists; else why there is none: "not armed" (init arms it after the first
 * success), "not watched" (turned off, or runs too far apart for an alarm), "no alarm" (either: support-job.json,
 * which says whether it was turned off, is not here).
 */
type MissedRunAlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA" | "not armed" | "not watched" | "no alarm";

export interface AlertState {
  /** The job's alert address (support-job.json's, else the one support-job subscribed); undefined: none. */
  email: string | undefined;
  subscription: SubscriptionState;
  /** Chat webhooks whose connection, API destination and alert rule target are all in place. */
  chatWebhooks: number;
  missedRunAlarm: MissedRunAlarmState;
}

export function alertStateFrom(
  current: JobState,
  facts: {
    job: string;
    topicArn: string;
    schedule: JobSchedule | undefined;
    /** From support-job.json when the job is in it. */
    wantedEmail?: string | undefined;
    /**
     * support-job.json's choices that decide whether missed runs are watched, when the job is in it; undefined: the
     * file is not here, so whether the alarm was turned off is not known.
     */
    settings: Pick<ResolvedSettings, "missedRunAlarm" | "graceSeconds" | "expectEverySeconds"> | undefined;
    now: Date;
  },
): AlertState {
  const subs = current.get("alertSubscription") as CurrentSubscriptions | undefined;
  const alerts = alertStatus(subs?.emails, facts.topicArn, facts.wantedEmail, subs?.recorded);
  const alarm = current.get("missedRunAlarm") as AlarmState | undefined;
  return {
    email: alerts.email,
    subscription: alerts.subscription,
    chatWebhooks: chatWebhooksInPlace(current, facts.job).length,
    missedRunAlarm: alarmState(alarm, facts),
  };
}

function alarmState(alarm: AlarmState | undefined, facts: Parameters<typeof alertStateFrom>[1]): MissedRunAlarmState {
  const value = alarm?.alarm.StateValue;
  if (value === "OK" || value === "ALARM" || value === "INSUFFICIENT_DATA") return value;
  if (alarm) return "INSUFFICIENT_DATA";
  // No alarm: either init has not armed it yet (it waits for the first success), or nothing is to be watched.
  const status = missedRunStatus({
    schedule: facts.schedule,
    settings: facts.settings,
    alarm: undefined,
    builds: [],
    since: undefined,
    now: facts.now,
  });
  if (!status.watched) return "not watched";
  return facts.settings ? "not armed" : "no alarm";
}
