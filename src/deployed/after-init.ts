/**
 * What `init` prints when it is done: the job as `status` shows it. Built from the plan's own reads, the plan
 * just applied and the recent runs read alongside the plan: no AWS read twice, no round trip after applying.
 */
import type { Build } from "@aws-sdk/client-codebuild";
import type { Subscription } from "@aws-sdk/client-sns";
import type { ApplyResult } from "../plan/apply.js";
import type { Plan } from "../resources/types.js";
import type { RuleState } from "../resources/rule.js";
import type { CurrentSchedule } from "../resources/scheduler.js";
import { isPending, isRecorded, type CurrentSubscriptions as Subscriptions } from "../resources/topic.js";
import type { ResolvedSettings } from "../settings/types.js";
import { summariseRun } from "../runs/history.js";
import type { JobSchedule } from "./schedule.js";
import { scheduleStatus, type JobStatus, type SubscriptionState } from "./status.js";
import { missedRunStatus } from "./missed-run.js";
import type { AlarmState } from "../resources/alarm.js";
import type { ProjectState } from "../resources/project.js";

export interface RecentRuns {
  builds: Build[];
  more: boolean;
}

/** An alarm as the plan left it: the one read (state kept by an update), one just created (no state yet), or none. */
function alarmAfterApply(plan: Plan, applied: ApplyResult | undefined, key: "missedRunAlarm" | "startRefusedAlarm"): AlarmState | undefined {
  const step = plan.steps.find((s) => s.key === key);
  const read = plan.current.get(key) as AlarmState | undefined;
  if (!step || step.action === "delete") return undefined;
  if (step.action === "create") return applied?.outcomes.get(key) === "done" ? { alarm: { AlarmName: step.name }, owner: plan.spec.job } : undefined;
  return read;
}

export function statusAfterApply(
  plan: Plan,
  settings: ResolvedSettings,
  recent: RecentRuns | undefined,
  applied: ApplyResult | undefined,
  now = new Date(),
): JobStatus {
  const { spec } = plan;
  // What the plan's reads found, by the types those resources read (see src/resources).
  const rule = plan.current.get("scheduleRule") as RuleState | undefined;
  const scheduled = plan.current.get("schedule") as CurrentSchedule | undefined;
  const subscriptions = plan.current.get("alertSubscription") as Subscriptions | undefined;
  // Only the addresses support-job subscribed: anyone else's subscription is theirs, not the job's.
  const emails = (subscriptions?.emails ?? []).filter(
    (s) => s.Endpoint?.toLowerCase() === settings.email.toLowerCase() || isRecorded(subscriptions?.recorded, s.Endpoint),
  );

  // init keeps a paused schedule paused; a schedule of a new kind starts enabled.
  const schedule: JobSchedule = spec.schedule
    ? {
        kind: "scheduler",
        name: spec.schedule.name,
        arn: spec.schedule.arn,
        group: spec.schedule.group,
        expression: spec.schedule.expression,
        timezone: spec.schedule.timezone,
        state: scheduled?.State === "DISABLED" ? "DISABLED" : "ENABLED",
        definition: { $metadata: {} },
      }
    : {
        kind: "rule",
        name: spec.names.scheduleRule,
        arn: spec.arns.scheduleRule,
        expression: settings.schedule,
        timezone: "UTC",
        state: rule?.rule.State === "DISABLED" ? "DISABLED" : "ENABLED",
      };

  const stateOf = (s: Subscription): SubscriptionState => (isPending(s) ? "pending" : "confirmed");
  const isMine = (s: Subscription) => s.Endpoint?.toLowerCase() === settings.email.toLowerCase();
  const mine = emails.find(isMine);
  const subscribed = applied?.details.get("alertSubscription") as SubscriptionState | undefined;
  const subscription: SubscriptionState = subscribed ?? (mine ? stateOf(mine) : "pending");
  // Confirmed old addresses were unsubscribed once the new one was confirmed; pending ones linger.
  const others = emails
    .filter((s) => !isMine(s) && !(subscription === "confirmed" && !isPending(s)))
    .map((s) => ({ email: s.Endpoint ?? "", subscription: stateOf(s) }));

  const ref = (label: string, name: string, arn: string) => ({ label, name, arn });
  const resources: JobStatus["resources"] = {
    project: ref("CodeBuild project", spec.names.project, spec.arns.project),
    serviceRole: ref("CodeBuild service role", spec.names.serviceRole, spec.arns.serviceRole),
    ...(spec.jobPolicy ? { jobPolicy: ref("job permissions policy", spec.names.jobPolicy, spec.arns.jobPolicy) } : {}),
    ...(spec.schedule
      ? {
          schedule: ref("time-zone schedule", spec.names.schedule, spec.arns.schedule),
          scheduleGroup: ref("schedule group", spec.names.scheduleGroup, spec.arns.scheduleGroup),
          schedulerRole: ref("scheduler role", spec.names.schedulerRole, spec.arns.schedulerRole),
        }
      : {
          schedule: ref("schedule rule", spec.names.scheduleRule, spec.arns.scheduleRule),
          scheduleRole: ref("schedule role", spec.names.scheduleRole, spec.arns.scheduleRole),
        }),
    alertRule: ref("alert rule", spec.names.alertRule, spec.arns.alertRule),
    alertTopic: ref("alert topic", spec.names.alertTopic, spec.arns.alertTopic),
    logGroup: ref("log group", spec.names.logGroup, spec.arns.logGroup),
  };

  return {
    name: spec.job,
    region: spec.where.region,
    account: spec.where.account,
    now,
    owner: spec.job,
    job: {
      repository: settings.repository,
      sourceType: settings.sourceType,
      branch: settings.branch,
      buildspec: settings.buildspec,
      computeType: settings.computeType,
      image: settings.image,
      environmentType: spec.project.environment.type,
      timeoutMinutes: settings.timeoutMinutes,
    },
    resources,
    schedule: scheduleStatus(schedule, now),
    alerts: { topicArn: spec.arns.alertTopic, topicExists: true, email: settings.email, subscription, others },
    runs: (recent?.builds ?? []).map((b) => summariseRun(b, { names: spec.names, region: spec.where.region, now })),
    moreRuns: recent?.more ?? false,
    drift: { checked: true, steps: [] },
    missedRun: missedRunStatus({
      schedule,
      settings,
      alarm: alarmAfterApply(plan, applied, "missedRunAlarm"),
      startRefusedAlarm: alarmAfterApply(plan, applied, "startRefusedAlarm"),
      builds: recent?.builds ?? [],
      since: (plan.current.get("project") as ProjectState | undefined)?.project.created ?? now,
      now,
    }),
    maxParallel: spec.project.concurrentBuildLimit,
    retries: spec.project.autoRetryLimit,
  };
}
