/**
 * A job's runs: reading them (newest first, only as many as are shown) and summarising each CodeBuild build
 * into what a person asks about it: outcome, when, how long, who started it, and why it failed.
 */
import { BatchGetBuildsCommand, ListBuildsForProjectCommand, type Build } from "@aws-sdk/client-codebuild";
import type { Clients } from "../aws/clients.js";
import { buildConsoleUrl, legacyIamNames, type JobNames } from "../desired/names.js";
import { accountOf } from "../aws/call.js";

/** One page of ListBuildsForProject and one BatchGetBuilds: never more than 100 runs. */
export const MAX_RUNS = 100;

/** When the newest successful run among `builds` ended (undefined: none of them succeeded). */
export function lastSuccessOf(builds: readonly Pick<Build, "buildStatus" | "endTime">[]): Date | undefined {
  let latest: Date | undefined;
  for (const b of builds) if (b.buildStatus === "SUCCEEDED" && b.endTime && (!latest || b.endTime > latest)) latest = b.endTime;
  return latest;
}

/** "test-alert": a run `support-job test-alert` started to fail on purpose (labelled by TEST_ALERT_VARIABLE). */
export type Trigger = "schedule" | "manual" | "test-alert";

/** The environment variable (value "1") that labels a test-alert run; BatchGetBuilds returns it with the run. */
export const TEST_ALERT_VARIABLE = "SUPPORT_JOB_TEST_ALERT";

export function isTestAlertRun(build: Pick<Build, "environment">): boolean {
  return (build.environment?.environmentVariables ?? []).some((v) => v.name === TEST_ALERT_VARIABLE && v.value === "1");
}

export interface RunSummary {
  id: string;
  number: number | undefined;
  /** SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED or IN_PROGRESS. */
  status: string;
  complete: boolean;
  currentPhase: string | undefined;
  trigger: Trigger;
  initiator: string | undefined;
  startTime: Date | undefined;
  endTime: Date | undefined;
  /** Start to end; while running, start to now. */
  durationSeconds: number | undefined;
  failedPhase: string | undefined;
  /** The failed phase's context: statusCode (e.g. COMMAND_EXECUTION_ERROR) and message. */
  reasonCode: string | undefined;
  reason: string | undefined;
  logs: { groupName: string; streamName: string } | undefined;
  /** CodeBuild's auto-retry (--retries): which attempt this is, 0 for the first, of how many retries allowed. */
  retry: { number: number; limit: number; retried: boolean; retryOf: string | undefined } | undefined;
  logsUrl: string | undefined;
  consoleUrl: string | undefined;
}

/**
 * Newest-first ids, at most `limit` (≤ 100), from one ListBuildsForProject page. No sortOrder: newest first is
 * the default, and AWS rejects a sort order for a project with more than 100 builds.
 */
export async function recentRunIds(clients: Clients, project: string, limit: number): Promise<{ ids: string[]; more: boolean }> {
  const page = await clients.codebuild.send(new ListBuildsForProjectCommand({ projectName: project }));
  const all = page.ids ?? [];
  const take = Math.max(0, Math.min(limit, MAX_RUNS));
  return { ids: all.slice(0, take), more: all.length > take || Boolean(page.nextToken) };
}

/** BatchGetBuilds, 100 ids a call, in the order of `ids` (missing ones left out). */
export async function getBuilds(clients: Clients, ids: readonly string[]): Promise<Build[]> {
  if (ids.length === 0) return [];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_RUNS) chunks.push(ids.slice(i, i + MAX_RUNS));
  const pages = await Promise.all(chunks.map((chunk) => clients.codebuild.send(new BatchGetBuildsCommand({ ids: chunk }))));
  const byId = new Map(pages.flatMap((p) => p.builds ?? []).map((b) => [b.id ?? "", b]));
  return ids.flatMap((id) => {
    const build = byId.get(id);
    return build ? [build] : [];
  });
}

/** The last `limit` runs, newest first: one ListBuildsForProject and (when there are runs) one BatchGetBuilds. */
export async function recentRuns(clients: Clients, project: string, limit: number): Promise<{ builds: Build[]; more: boolean }> {
  const { ids, more } = await recentRunIds(clients, project, limit);
  return { builds: await getBuilds(clients, ids), more };
}

/**
 * Who started a run. An EventBridge rule shows as `rule/<rule name>`; EventBridge Scheduler starts builds with
 * the job's scheduler role, so its session shows the role's name (unconfirmed on AWS: also matched loosely).
 */
export function triggerOf(initiator: string | undefined, names: Pick<JobNames, "project" | "schedulerRole" | "scheduleRole">): Trigger {
  if (!initiator) return "manual";
  if (initiator.startsWith("rule/")) return "schedule";
  const first = initiator.split("/")[0] ?? "";
  // Runs started before the roles got a region code (and until init moves the job) carry the old role names.
  const legacy = legacyIamNames(names.project);
  if ([names.schedulerRole, names.scheduleRole, legacy.schedulerRole, legacy.scheduleRole].includes(first)) return "schedule";
  if (/^(aws[-.])?scheduler([-.]|$)/i.test(first) || /eventbridge[-_]?scheduler/i.test(initiator)) return "schedule";
  return "manual";
}

const FAILED_PHASE_STATUSES = new Set(["FAILED", "FAULT", "TIMED_OUT", "STOPPED", "CLIENT_ERROR"]);

/** The phase that ended the run and its reason, for a run that did not succeed. */
export function failureOf(build: Pick<Build, "buildStatus" | "phases">): { phase: string | undefined; code: string | undefined; message: string | undefined } {
  const none = { phase: undefined, code: undefined, message: undefined };
  if (!build.buildStatus || build.buildStatus === "SUCCEEDED" || build.buildStatus === "IN_PROGRESS") return none;
  const phase = (build.phases ?? []).find((p) => p.phaseStatus !== undefined && FAILED_PHASE_STATUSES.has(p.phaseStatus));
  if (!phase) return none;
  const context = (phase.contexts ?? []).find((c) => (c.message ?? "").trim() !== "" || (c.statusCode ?? "").trim() !== "");
  const message = context?.message?.replace(/\s+/g, " ").trim();
  return { phase: phase.phaseType, code: context?.statusCode?.trim() || undefined, message: message || undefined };
}

/** The build's autoRetryConfig, when retries are on for it (autoRetryLimit > 0). */
function retryOf(build: Pick<Build, "autoRetryConfig">): RunSummary["retry"] {
  const config = build.autoRetryConfig;
  if (!config || !config.autoRetryLimit) return undefined;
  return {
    number: config.autoRetryNumber ?? 0,
    limit: config.autoRetryLimit,
    retried: Boolean(config.nextAutoRetry),
    retryOf: config.previousAutoRetry ?? undefined,
  };
}

export interface SummaryContext {
  names: Pick<JobNames, "project" | "schedulerRole" | "scheduleRole">;
  region: string;
  now: Date;
}

export function summariseRun(build: Build, context: SummaryContext): RunSummary {
  const id = build.id ?? "";
  const status = build.buildStatus ?? "IN_PROGRESS";
  const complete = build.buildComplete === true || status !== "IN_PROGRESS";
  const startTime = validDate(build.startTime);
  const endTime = complete ? validDate(build.endTime) : undefined;
  const until = endTime ?? (complete ? undefined : context.now);
  const durationSeconds = startTime && until ? Math.max(0, Math.round((until.getTime() - startTime.getTime()) / 1000)) : undefined;
  const failure = failureOf(build);
  const account = accountOf(build.arn);
  const logs = build.logs?.groupName && build.logs.streamName ? { groupName: build.logs.groupName, streamName: build.logs.streamName } : undefined;
  return {
    id,
    number: build.buildNumber,
    status,
    complete,
    currentPhase: build.currentPhase,
    trigger: isTestAlertRun(build) ? "test-alert" : triggerOf(build.initiator, context.names),
    retry: retryOf(build),
    initiator: build.initiator,
    startTime,
    endTime,
    durationSeconds,
    failedPhase: failure.phase,
    reasonCode: failure.code,
    reason: failure.message,
    logs,
    logsUrl: build.logs?.deepLink || undefined,
    consoleUrl: account && id ? buildConsoleUrl(context.region, account, id) : undefined,
  };
}

function validDate(value: Date | undefined): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}
