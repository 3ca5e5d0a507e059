/**
 * What `init` prints when it is done: the job as `status` shows it. Built from the plan just applied and the
 * status read alongside the plan, so init makes no extra round trip after applying.
 */
import type { ApplyResult } from "../plan/apply.js";
import type { Plan } from "../plan/types.js";
import type { ResolvedSettings } from "../spec/settings.js";
import type { JobSchedule } from "./schedule.js";
import { scheduleStatus, type JobStatus, type SubscriptionState } from "./status.js";

export function statusAfterApply(plan: Plan, settings: ResolvedSettings, before: JobStatus | undefined, applied: ApplyResult | undefined, now = new Date()): JobStatus {
  const { spec } = plan;
  // A paused schedule stays paused (init keeps its state); a schedule of a new kind starts enabled.
  const keptState = (kind: JobSchedule["kind"]) => (before?.schedule?.kind === kind ? before.schedule.state : "ENABLED");
  const schedule: JobSchedule = spec.schedule
    ? {
        kind: "scheduler",
        name: spec.schedule.name,
        arn: spec.schedule.arn,
        group: spec.schedule.group,
        expression: spec.schedule.expression,
        timezone: spec.schedule.timezone,
        state: keptState("scheduler"),
        definition: { $metadata: {} },
      }
    : { kind: "rule", name: spec.names.scheduleRule, arn: spec.arns.scheduleRule, expression: settings.schedule, timezone: "UTC", state: keptState("rule") };

  const subscribed = applied?.details.get("alertSubscription") as SubscriptionState | undefined;
  const subscription: SubscriptionState = subscribed ?? (before?.alerts.email?.toLowerCase() === settings.email.toLowerCase() ? before.alerts.subscription : "pending");
  const others = (before?.alerts.others ?? []).filter((o) => o.email.toLowerCase() !== settings.email.toLowerCase() && !(subscribed === "confirmed" && o.subscription === "confirmed"));

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
    runs: before?.runs ?? [],
    moreRuns: before?.moreRuns ?? false,
    drift: { checked: true, steps: [] },
  };
}
