/**
 * Everything `status` shows, gathered in parallel: the project, the schedule, the alert subscription, the last
 * runs (one ListBuildsForProject page + one BatchGetBuilds) and, with support-job.json, drift (planJob).
 */
import type { Project } from "@aws-sdk/client-codebuild";
import type { Subscription } from "@aws-sdk/client-sns";
import { callerIdentity, clientModulesLoaded, type Clients } from "../aws/clients.js";
import type { ConfigFile } from "../settings/file.js";
import { planFrom, readJobWithIdentity } from "../plan/plan.js";
import type { JobState, ResourceKey } from "../resources/types.js";
import { READS } from "../resources/index.js";
import { InputError } from "../errors.js";
import type { PlanStep } from "../resources/types.js";
import { isPending, isRecorded, type CurrentSubscriptions } from "../resources/topic.js";
import type { ProjectState } from "../resources/project.js";
import type { JobPolicyState } from "../resources/job-policy.js";
import type { TryRoleState } from "../resources/try-role.js";
import { buildJobSpec } from "../desired/job.js";
import { describeSchedule, neverFiresProblem, nextRuns, warmUpTimeZones } from "../schedule/index.js";
import { jobArns, jobNames, jobRef, type Where } from "../desired/names.js";
import type { ResolvedSettings } from "../settings/types.js";
import { validateSettings, type RawSettings } from "../settings/validate.js";
import { orMissing } from "../aws/errors.js";
import { asOperationError, noSuchJob } from "../aws/call.js";
import { jobTag } from "./find-job.js";
import { lastSuccessOf, recentRuns, summariseRun, type RunSummary } from "../runs/history.js";
import { lastRunReport, type ReportSummary } from "../runs/reports.js";
import { lastMonthCost, regionNote } from "../desired/prices.js";
import type { Arch } from "../settings/types.js";
import { scheduleFrom, type JobSchedule } from "./schedule.js";
import { missedRunStatus, type MissedRunStatus } from "./missed-run.js";
import type { AlarmState } from "../resources/alarm.js";
import type { ChatState } from "../resources/chat.js";

export type SubscriptionState = "confirmed" | "pending" | "missing";

interface ResourceRef {
  label: string;
  name: string;
  arn: string;
}

export type ScheduleStatus = JobSchedule & {
  /** In words; undefined when the expression is not one support-job understands. */
  description: string | undefined;
  /** Next 3 runs; none while the schedule is disabled. */
  nextRuns: Date[];
  /** Why an enabled schedule has no next run (30 February, a past year, a time daylight saving skips). */
  neverFires?: string | undefined;
  /** rate() schedules count from when the rule was created, so their next runs are estimates. */
  approximate: boolean;
};

type DriftStatus = { checked: true; steps: PlanStep[] } | { checked: false; reason: string };

export interface JobStatus {
  name: string;
  region: string;
  account: string;
  now: Date;
  /** The project's support-job:job tag (undefined: not created by support-job). */
  owner: string | undefined;
  job: {
    repository: string | undefined;
    sourceType: string | undefined;
    branch: string | undefined;
    buildspec: string | undefined;
    computeType: string | undefined;
    image: string | undefined;
    environmentType: string | undefined;
    timeoutMinutes: number | undefined;
  };
  resources: Record<string, ResourceRef>;
  schedule: ScheduleStatus | undefined;
  alerts: {
    topicArn: string;
    topicExists: boolean;
    email: string | undefined;
    subscription: SubscriptionState;
    /** Other email subscriptions on the topic (an old address, a second recipient). */
    others: { email: string; subscription: SubscriptionState }[];
    /** The chat webhooks (their keys, e.g. slack-1a2b3c4d) whose connection, API destination and alert rule target are in place. */
    chatWebhooks?: string[] | undefined;
  };
  runs: RunSummary[];
  /** More runs exist than were read. */
  moreRuns: boolean;
  /** The test report of the newest run that wrote one (buildspec `reports:`); undefined: none did. */
  lastReport?: ReportSummary | undefined;
  /** Billed minutes and cost of the last 30 days' runs (of those read: `partial` when older ones were not). */
  cost?: { runs: number; billedMinutes: number; usd: number | undefined; partial: boolean; note: string | undefined } | undefined;
  drift: DriftStatus;
  /** Last success, next due, on time / late / overdue, and what the missed-run alarm watches. */
  missedRun: MissedRunStatus;
  /** The project's concurrentBuildLimit; undefined: no limit (runs may overlap). */
  maxParallel: number | undefined;
  /** The project's autoRetryLimit (0: a failed run is not retried). */
  retries: number;
}

export interface LoadStatusOptions {
  /** Runs to show, 1–100. */
  limit: number;
  /** The job's settings (from support-job.json, validated): drift is checked against them. */
  settings?: ResolvedSettings | undefined;
  /** Why drift is not checked, shown when settings are not given. */
  noDriftReason?: string | undefined;
  /** The account saved in support-job.json: lets planJob's reads start with the identity check. */
  accountHint?: string | undefined;
  now?: Date | undefined;
}

/** support-job.json → validated settings for drift, or the reason drift cannot be checked. */
export function settingsForDrift(config: ConfigFile | undefined, name: string, cwd: string): { settings: ResolvedSettings } | { reason: string } {
  if (!config) return { reason: "no support-job.json in this directory, so drift was not checked" };
  if (config.name !== name) return { reason: `support-job.json here is about job ${config.name ?? "(unnamed)"}, so drift was not checked` };
  const { region: _region, account: _account, ...raw } = config;
  try {
    return { settings: validateSettings(raw as RawSettings, cwd) };
  } catch (error) {
    return {
      reason: `support-job.json has problems, so drift was not checked: ${error instanceof Error ? error.message.replace(/\n/g, "; ") : String(error)}`,
    };
  }
}

/**
 * What status reads: every resource init reads, except the IAM roles named the old way (before IAM names carried the
 * region). Only a move to the new names that was interrupted leaves them behind, and `init`, which still looks for
 * them, finishes that move; status skipping them saves 4 of its reads.
 */
const STATUS_READS = READS.filter((r) => r.key !== "legacyIam");

export async function loadStatus(clients: Clients, name: string, options: LoadStatusOptions): Promise<JobStatus> {
  const now = options.now ?? new Date();
  const names = jobNames(name, clients.region);
  const what = `Reading job ${name} in ${clients.region}`;
  const guard = <T>(p: Promise<T>): Promise<T> => p.catch((error: unknown) => Promise.reject(asOperationError(error, what)));

  // The same reads as init (one per resource, all at once) but the old IAM names, plus the runs and the try role;
  // drift is planned from them. A live job has its service role and its schedule's role: their policies are read
  // with them, in the first round trip; a time-zone job's schedule group and schedule too (the group's tags and
  // GetSchedule go out with GetScheduleGroup).
  const expected: ResourceKey[] = ["serviceRole"];
  if (options.settings?.timezone === "UTC") expected.push("scheduleRole");
  else if (options.settings) expected.push("schedulerRole", "scheduleGroup", "schedule");
  const job = guard(readJobWithIdentity(name, clients, options.accountHint, STATUS_READS, { expected }));
  // A missing project makes ListBuildsForProject fail too: the project read says so in the user's words.
  const runs = guard(orMissing(recentRuns(clients, name, options.limit)));
  // The dates shown need Intl: its one-time start-up runs while the answers are awaited, once the identity check
  // is back and every client module asked for by then has loaded (the first round's requests are on their way).
  void callerIdentity(clients)
    .then(clientModulesLoaded)
    .then(
      () => warmUpTimeZones(options.settings ? [options.settings.timezone] : []),
      () => undefined,
    );
  // Nothing left dangling if one read fails: wait for all, then report the first failure.
  const settled = await Promise.allSettled([job, runs]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;

  const { where, current } = await job;
  const found = (current.get("project") as ProjectState | undefined)?.project;
  if (!found) throw leftBehind(name, clients.region, where, current) ?? noSuchJob(name, clients.region);
  const arns = jobArns(names, where);
  const readSched = scheduleFrom(current, names);
  const { builds, more } = (await runs) ?? { builds: [], more: false };
  // Only a run that wrote a report costs a read: most jobs have none.
  const lastReport = await guard(lastRunReport(clients, builds));
  const summaries = builds.map((b) => summariseRun(b, { names, region: clients.region, now }));
  const subs = current.get("alertSubscription") as CurrentSubscriptions | undefined;
  const policy = current.get("jobPolicy") as JobPolicyState | undefined;
  // The role `support-job permissions try` leaves behind until `permissions done`: shown as a reminder.
  const tryRoleFound = (current.get("tryRole") as TryRoleState | undefined)?.role;

  const resources: Record<string, ResourceRef> = {
    project: { label: "CodeBuild project", name, arn: found.arn ?? arns.project },
    serviceRole: { label: "CodeBuild service role", name: roleName(found.serviceRole) ?? names.serviceRole, arn: found.serviceRole ?? arns.serviceRole },
  };
  if (policy) resources.jobPolicy = { label: "job permissions policy", name: names.jobPolicy, arn: policy.policy.Arn ?? arns.jobPolicy };
  if (readSched?.kind === "scheduler") {
    resources.schedule = { label: "time-zone schedule", name: readSched.name, arn: readSched.arn };
    resources.scheduleGroup = { label: "schedule group", name: names.scheduleGroup, arn: arns.scheduleGroup };
    resources.schedulerRole = { label: "scheduler role", name: names.schedulerRole, arn: arns.schedulerRole };
  } else {
    resources.schedule = { label: "schedule rule", name: readSched?.name ?? names.scheduleRule, arn: readSched?.arn || arns.scheduleRule };
    resources.scheduleRole = { label: "schedule role", name: names.scheduleRole, arn: arns.scheduleRole };
  }
  resources.alertRule = { label: "alert rule", name: names.alertRule, arn: arns.alertRule };
  resources.alertTopic = { label: "alert topic", name: names.alertTopic, arn: arns.alertTopic };
  resources.logGroup = { label: "log group", name: names.logGroup, arn: arns.logGroup };
  if (tryRoleFound) resources.tryRole = { label: "permissions try role", name: names.tryRole, arn: tryRoleFound.Arn ?? arns.tryRole };

  const drift: DriftStatus = options.settings
    ? {
        checked: true,
        steps: planFrom(buildJobSpec(options.settings, where, now), current, { adopt: false, lastSuccess: lastSuccessOf(builds) }).steps.filter(
          (s) => s.action !== "unchanged",
        ),
      }
    : { checked: false, reason: options.noDriftReason ?? "drift was not checked" };
  return {
    name,
    region: clients.region,
    account: where.account,
    now,
    owner: jobTag(found),
    job: jobSummary(found),
    resources,
    schedule: readSched ? scheduleStatus(readSched, now) : undefined,
    alerts: { ...alertStatus(subs?.emails, arns.alertTopic, options.settings?.email, subs?.recorded), chatWebhooks: chatWebhooksInPlace(current, name) },
    runs: summaries,
    moreRuns: more,
    lastReport,
    cost: costOf(found, summaries, more, now, clients.region),
    drift,
    missedRun: missedRunStatus({
      schedule: readSched,
      settings: options.settings,
      alarm: current.get("missedRunAlarm") as AlarmState | undefined,
      startRefusedAlarm: current.get("startRefusedAlarm") as AlarmState | undefined,
      builds,
      since: found.created,
      now,
    }),
    maxParallel: found.concurrentBuildLimit,
    retries: found.autoRetryLimit ?? 0,
  };
}

/**
 * The project deleted by hand, the rest still there: say what remains and both ways out, instead of "no job".
 * From the reads already made; only resources tagged for this job count.
 */
function leftBehind(name: string, region: string, where: Where, current: JobState): InputError | undefined {
  const ref = jobRef(name, where);
  const ownerOf = (state: unknown): string | undefined => (state as { owner?: string | undefined } | undefined)?.owner;
  // The subscription and the time-zone schedule belong to their topic and group, which are listed themselves;
  // destroy keeps the log group on purpose (the runs' logs): it alone is no job left behind.
  const remaining = READS.filter((r) => r.key !== "alertSubscription" && r.key !== "schedule" && r.key !== "legacyIam" && r.key !== "logGroup")
    .filter((r) => current.get(r.key) !== undefined && ownerOf(current.get(r.key)) === name)
    .map((r) => `${r.label} ${r.nameOf(ref)}`);
  if (remaining.length === 0) return undefined;
  return new InputError(
    "--name",
    `job ${name} in ${region} has no CodeBuild project any more (deleted outside support-job?), but these of its resources remain: ${remaining.join(", ")}; \`support-job init --name ${name}\` recreates the project from support-job.json or flags, \`support-job destroy --name ${name}\` removes what remains`,
    `--name ${name}`,
  );
}

/** From the runs read: when more exist and the oldest read is within 30 days, the sum is a lower bound. */
function costOf(project: Project, runs: readonly RunSummary[], more: boolean, now: Date, region: string): JobStatus["cost"] {
  const compute = {
    computeType: project.environment?.computeType ?? "",
    arch: (project.environment?.type === "ARM_CONTAINER" ? "arm64" : "x86_64") as Arch,
    gpu: project.environment?.type === "LINUX_GPU_CONTAINER",
  };
  const cost = lastMonthCost(
    compute,
    runs.map((r) => ({ startTime: r.startTime, durationSeconds: r.durationSeconds, inProgress: !r.complete })),
    now,
  );
  const oldest = runs[runs.length - 1]?.startTime;
  const partial = more && oldest !== undefined && now.getTime() - oldest.getTime() < 30 * 86_400_000;
  return { ...cost, partial, note: regionNote(region) };
}

/** The keys of the chat webhooks whose whole chain is in place, from the chat module's read. */
/** Each chat webhook of job `job` (tagged for it) and which links of its chain are in place. */
export function webhookChains(current: JobState, job: string): { key: string; connection: boolean; destination: boolean; target: boolean }[] {
  const chat = current.get("chatWebhooks") as ChatState | undefined;
  return (chat?.webhooks ?? [])
    .filter((h) => h.owner === job)
    .map((h) => ({
      key: h.key,
      connection: h.connection !== undefined,
      // The destination calls through the webhook's own connection, and the alert rule's target is that
      // destination, with a role to call it.
      destination: h.destination !== undefined && h.destination.connectionArn === h.connection?.arn,
      target: h.target !== undefined && h.destination !== undefined && h.target.Arn === h.destination.arn && Boolean(h.target.RoleArn),
    }));
}

/** The keys of job `job`'s chat webhooks whose whole chain is in place (the checks test-alert reports one by one). */
export function chatWebhooksInPlace(current: JobState, job: string): string[] {
  return webhookChains(current, job)
    .filter((h) => h.connection && h.destination && h.target)
    .map((h) => h.key);
}

function roleName(arn: string | undefined): string | undefined {
  return arn?.split("/").pop() || undefined;
}

function jobSummary(project: Project): JobStatus["job"] {
  return {
    repository: project.source?.location,
    sourceType: project.source?.type,
    branch: project.sourceVersion || undefined,
    buildspec: project.source?.buildspec || "buildspec.yml",
    computeType: project.environment?.computeType,
    image: project.environment?.image,
    environmentType: project.environment?.type,
    timeoutMinutes: project.timeoutInMinutes,
  };
}

export function scheduleStatus(schedule: JobSchedule, now: Date): ScheduleStatus {
  let description: string | undefined;
  let upcoming: Date[] = [];
  let neverFires: string | undefined;
  try {
    description = describeSchedule(schedule.expression, schedule.timezone);
    if (schedule.state === "ENABLED") upcoming = nextRuns(schedule.expression, { from: now, count: 3, timezone: schedule.timezone });
    if (upcoming.length === 0) neverFires = neverFiresProblem(schedule.expression, schedule.timezone, now);
  } catch {
    // An expression edited outside support-job that our parser does not take: show it as it is.
  }
  return { ...schedule, description, nextRuns: upcoming, approximate: schedule.expression.startsWith("rate("), ...(neverFires ? { neverFires } : {}) };
}

/**
 * The job's alert address: the one support-job.json asks for, else the one support-job subscribed (the topic's
 * `support-job:email` tag), never a hand-added subscriber. Only a topic made before that tag existed falls back
 * to its first confirmed email subscription.
 */
export function alertStatus(
  subs: readonly Subscription[] | undefined,
  topicArn: string,
  wantedEmail: string | undefined,
  recorded?: readonly string[],
): JobStatus["alerts"] {
  const emails = (subs ?? []).filter((s) => s.Protocol === "email" && s.Endpoint);
  const state = (s: (typeof emails)[number]): SubscriptionState => (isPending(s) ? "pending" : "confirmed");
  const ours = emails.filter((s) => isRecorded(recorded, s.Endpoint));
  const mine = wantedEmail
    ? emails.find((s) => s.Endpoint?.toLowerCase() === wantedEmail.toLowerCase())
    : recorded !== undefined
      ? (ours.find((s) => !isPending(s)) ?? ours[0])
      : (emails.find((s) => !isPending(s)) ?? emails[0]);
  return {
    topicArn,
    topicExists: subs !== undefined,
    email: wantedEmail ?? mine?.Endpoint,
    subscription: mine ? state(mine) : "missing",
    others: emails.filter((s) => s !== mine).map((s) => ({ email: s.Endpoint ?? "", subscription: state(s) })),
  };
}
