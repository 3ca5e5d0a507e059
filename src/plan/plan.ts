/** Read every resource in parallel, compare with the desired state, and return the plan. Changes nothing. */
import { callerIdentity, type Clients } from "../aws/clients.js";
import { describeAwsError } from "../aws/errors.js";
import { managedPolicyExists } from "../resources/job-policy.js";
import type { Build } from "@aws-sdk/client-codebuild";
import { lastSuccessOf } from "../runs/history.js";
import { InputError, OperationError } from "../errors.js";
import { READS, RESOURCES } from "../resources/index.js";
import { buildJobSpec, type JobSpec } from "../desired/job.js";
import { jobRef, type Where } from "../desired/names.js";
import type { ResolvedSettings } from "../settings/types.js";
import { readScope, type JobRef, type JobState, type Plan, type ReadResource, type ResourceKey } from "../resources/types.js";
import type { RuleState } from "../resources/rule.js";
import type { ProjectState } from "../resources/project.js";
import type { CurrentSchedule, GroupState } from "../resources/scheduler.js";

export interface PlanOptions {
  adopt: boolean;
  /** The account saved in support-job.json: lets the reads start alongside the identity check. */
  accountHint?: string | undefined;
  /** This job's resources, already read (init reading a deployed job back): planned from, not read again. */
  read?: JobRead | undefined;
  /** The job's recent runs, read alongside: a success among them arms the missed-run alarm. */
  runs?: Promise<{ builds: readonly Build[] } | undefined> | undefined;
}

export interface ReadOptions {
  /**
   * Read what the usual read skips on the word of a cheaper one (a chat role with no chat webhook left): destroy's
   * read, so that a resource left behind on its own is still found and removed.
   */
  thorough?: boolean | undefined;
  /** Resources the caller expects to exist (see ReadScope.expects): their dependent reads go out with the first. */
  expected?: readonly ResourceKey[] | undefined;
}

/** What readJobWithIdentity returns: where the job was read, and what each resource's read found. */
export interface JobRead {
  job: string;
  where: Where;
  current: JobState;
}

export async function planJob(settings: ResolvedSettings, clients: Clients, options: PlanOptions): Promise<Plan> {
  // Started first, awaited with the reads: a policy that does not exist stops init before anything is written.
  const policies = settle(checkPoliciesExist(settings, clients));
  const identity = callerIdentity(clients).catch((error: unknown) => {
    throw new OperationError(describeAwsError(error, "Checking your AWS identity"), error);
  });
  const hinted = options.accountHint ? { account: options.accountHint, region: clients.region, partition: partitionOf(clients.region) } : undefined;
  // Reads with a guessed account run in parallel with the identity check; used only if the guess was right.
  const given = options.read?.job === settings.name && options.read.where.region === clients.region ? options.read : undefined;
  const speculative = hinted && !given ? settle(readJob(jobRef(settings.name, hinted), clients)) : undefined;
  const me = await identity;
  const where: Where = { account: me.account, region: clients.region, partition: me.partition };
  const spec = buildJobSpec(settings, where);
  const current =
    given?.where.account === me.account
      ? given.current
      : speculative && hinted?.account === me.account
        ? unwrap(await speculative)
        : await readJob(spec, clients);
  unwrap(await policies);
  // Only a job that exists without its alarm needs its runs (a success arms the alarm): otherwise the plan does
  // not wait for them, so a fresh init stays as few round trips deep as before.
  const needsRuns = current.get("project") !== undefined && current.get("missedRunAlarm") === undefined && spec.missedRun.alarm !== undefined;
  const lastSuccess = needsRuns ? lastSuccessOf((await options.runs?.catch(() => undefined))?.builds ?? []) : undefined;
  return planFrom(spec, current, { ...options, lastSuccess });
}

/**
 * Who we are and every resource of job `job`: the reads start with the identity check when the account is known
 * (support-job.json saves it) and are used only if the guess was right.
 */
export async function readJobWithIdentity(
  job: string,
  clients: Clients,
  accountHint: string | undefined,
  resources: readonly ReadResource<unknown>[] = READS,
  options: ReadOptions = {},
): Promise<JobRead> {
  const hinted = accountHint ? { account: accountHint, region: clients.region, partition: partitionOf(clients.region) } : undefined;
  const speculative = hinted ? settle(readJob(jobRef(job, hinted), clients, resources, options)) : undefined;
  const me = await callerIdentity(clients);
  const where: Where = { account: me.account, region: clients.region, partition: me.partition };
  const current = speculative && hinted?.account === me.account ? unwrap(await speculative) : await readJob(jobRef(job, where), clients, resources, options);
  return { job, where, current };
}

/** The plan from reads already made: drift in `status` is this, on the very reads it shows. Pure. */
export function planFrom(spec: JobSpec, current: JobState, options: Pick<PlanOptions, "adopt"> & { lastSuccess?: Date | undefined }): Plan {
  const paused = isPaused(spec, current);
  const since = (current.get("project") as ProjectState | undefined)?.project.created;
  const { adopt, lastSuccess } = options;
  return { spec, steps: RESOURCES.map((r) => r.plan(spec, current.get(r.key), { adopt, paused, since, lastSuccess })), current };
}

/** Paused = the job's own schedule, rule or time-zone schedule, is disabled; moving between kinds keeps it so. */
function isPaused(spec: JobSpec, current: JobState): boolean {
  const rule = current.get("scheduleRule") as RuleState | undefined;
  const schedule = current.get("schedule") as CurrentSchedule | undefined;
  const group = current.get("scheduleGroup") as GroupState | undefined;
  if (rule && rule.owner === spec.job && rule.rule.State === "DISABLED") return true;
  return Boolean(schedule && group?.owner === spec.job && schedule.State === "DISABLED");
}

/**
 * Every resource of the job (or the few a command needs: pause reads the schedule's), read in parallel through the
 * resource modules: the one read path of init, status, destroy and the rest.
 */
async function readJob(ref: JobRef, clients: Clients, resources: readonly ReadResource<unknown>[] = READS, options: ReadOptions = {}): Promise<JobState> {
  const scope = readScope(options);
  const states = await Promise.all(
    resources.map((r) =>
      r.read(ref, clients, scope).catch((error: unknown) => {
        throw new OperationError(describeAwsError(error, `Reading the ${r.label} ${r.nameOf(ref)}`), error);
      }),
    ),
  );
  return new Map(resources.map((r, i) => [r.key, states[i]]));
}

/** Every --policy-arn and the --permissions-boundary must exist: IAM would refuse them only after other resources exist. */
async function checkPoliciesExist(settings: Pick<ResolvedSettings, "policyArns" | "permissionsBoundary">, clients: Clients): Promise<void> {
  const wanted: [string, string][] = [
    ...settings.policyArns.map((arn): [string, string] => ["--policy-arn", arn]),
    ...(settings.permissionsBoundary ? [["--permissions-boundary", settings.permissionsBoundary] as [string, string]] : []),
  ];
  const missing = await Promise.all(
    wanted.map(([flag, PolicyArn]) =>
      managedPolicyExists(clients.iam, PolicyArn).then(
        (exists) =>
          exists
            ? undefined
            : new InputError(
                flag,
                `${PolicyArn} does not exist (IAM has no managed policy with that ARN in this account or among AWS's)`,
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
              ),
        (error: unknown) => {
          throw new OperationError(describeAwsError(error, `Checking the managed policy ${PolicyArn}`), error);
        },
      ),
    ),
  );
  const first = missing.find((m) => m !== undefined);
  if (first) throw first;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
function unwrap<T>(s: Settled<T>): T {
  if (s.ok) return s.value;
  throw s.error;
}

function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
