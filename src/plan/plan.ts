/** Read every resource in parallel, compare with the desired state, and return the plan. Changes nothing. */
import { callerIdentity, type Clients } from "../aws/clients.js";
import { GetPolicyCommand } from "@aws-sdk/client-iam";
import { describeAwsError, isNotFound } from "../aws/errors.js";
import { InputError, OperationError } from "../errors.js";
import { RESOURCES } from "../resources/index.js";
import { buildJobSpec, type JobSpec } from "../desired/job.js";
import type { Where } from "../desired/names.js";
import type { ResolvedSettings } from "../settings/types.js";
import type { Plan, ResourceKey } from "../resources/types.js";
import type { RuleState } from "../resources/rule.js";
import type { CurrentSchedule, GroupState } from "../resources/scheduler.js";

export interface PlanOptions {
  adopt: boolean;
  /** The account saved in support-job.json: lets the reads start alongside the identity check. */
  accountHint?: string | undefined;
}

export async function planJob(settings: ResolvedSettings, clients: Clients, options: PlanOptions): Promise<Plan> {
  // Started first, awaited with the reads: a policy that does not exist stops init before anything is written.
  const policies = settle(checkPoliciesExist(settings, clients));
  const identity = callerIdentity(clients).catch((error: unknown) => {
    throw new OperationError(describeAwsError(error, "Checking your AWS identity"), error);
  });
  const hinted = options.accountHint ? { account: options.accountHint, region: clients.region, partition: partitionOf(clients.region) } : undefined;
  // Reads with a guessed account run in parallel with the identity check; used only if the guess was right.
  const speculative = hinted ? settle(readAll(buildJobSpec(settings, hinted), clients)) : undefined;
  const me = await identity;
  const where: Where = { account: me.account, region: clients.region, partition: me.partition };
  let states: unknown[];
  const spec = buildJobSpec(settings, where);
  if (speculative && hinted?.account === me.account) states = unwrap(await speculative);
  else states = await readAll(spec, clients);
  unwrap(await policies);
  const adopt = options.adopt;
  const paused = isPaused(spec, new Map(RESOURCES.map((r, i) => [r.key, states[i]])));
  return {
    spec,
    steps: RESOURCES.map((r, i) => r.plan(spec, states[i], { adopt, paused })),
    current: new Map(RESOURCES.map((r, i) => [r.key, states[i]])),
  };
}

/** Paused = the job's own schedule, rule or time-zone schedule, is disabled; moving between kinds keeps it so. */
function isPaused(spec: JobSpec, current: ReadonlyMap<ResourceKey, unknown>): boolean {
  const rule = current.get("scheduleRule") as RuleState | undefined;
  const schedule = current.get("schedule") as CurrentSchedule | undefined;
  const group = current.get("scheduleGroup") as GroupState | undefined;
  if (rule && rule.owner === spec.job && rule.rule.State === "DISABLED") return true;
  return Boolean(schedule && group?.owner === spec.job && schedule.State === "DISABLED");
}

export async function readAll(spec: JobSpec, clients: Clients): Promise<unknown[]> {
  return Promise.all(
    RESOURCES.map((r) =>
      r.read(spec, clients).catch((error: unknown) => {
        // The plan of a resource that does not exist yet names it, without another call.
        const name = r.plan(spec, undefined, { adopt: false }).name;
        throw new OperationError(describeAwsError(error, `Reading the ${r.label}${name ? ` ${name}` : ""}`), error);
      }),
    ),
  );
}

/** Every --policy-arn and the --permissions-boundary must exist: IAM would refuse them only after other resources exist. */
export async function checkPoliciesExist(settings: Pick<ResolvedSettings, "policyArns" | "permissionsBoundary">, clients: Clients): Promise<void> {
  const wanted: [string, string][] = [
    ...settings.policyArns.map((arn): [string, string] => ["--policy-arn", arn]),
    ...(settings.permissionsBoundary ? [["--permissions-boundary", settings.permissionsBoundary] as [string, string]] : []),
  ];
  const missing = await Promise.all(
    wanted.map(([flag, PolicyArn]) =>
      clients.iam.send(new GetPolicyCommand({ PolicyArn })).then(
        () => undefined,
        (error: unknown) => {
          if (isNotFound(error)) return new InputError(flag, `${PolicyArn} does not exist (IAM has no managed policy with that ARN in this account or among AWS's)`, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
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

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
