import type { Clients } from "../aws/clients.js";
import type { JobSpec } from "../desired/job.js";
import { show } from "./compare.js";
import { TAG_KEY, type JobNames } from "../desired/names.js";

export type ResourceKey =
  | "serviceRole"
  | "jobPolicy"
  | "project"
  | "logGroup"
  | "scheduleRole"
  | "scheduleRule"
  | "schedulerRole"
  | "scheduleGroup"
  | "schedule"
  | "alertTopic"
  | "alertSubscription"
  | "alertRule"
  | "missedRunAlarm"
  | "startRefusedAlarm"
  | "chatRole"
  | "chatWebhooks"
  | "alarmChatRule"
  | "legacyIam"
  | "tryRole";

type Action = "create" | "update" | "unchanged" | "delete" | "conflict";

export interface FieldChange {
  field: string;
  from?: string | undefined;
  to?: string | undefined;
}

export interface StepContext {
  clients: Clients;
  spec: JobSpec;
  /** Call once the resource exists, so steps that only need it to exist can start. */
  exists(): void;
  /** Resolves when `key` exists (or is not part of the plan); rejects if that step failed. */
  waitFor(key: ResourceKey): Promise<void>;
  /** Tell the user the step is waiting (IAM propagation) rather than hung. */
  waiting(message: string): void;
  sleep(ms: number): Promise<void>;
  /** What the step learnt that the plan could not know (e.g. whether a new subscription is confirmed). */
  detail(value: string): void;
}

export interface PlanStep {
  key: ResourceKey;
  /** In the user's words: "CodeBuild project", "schedule rule". */
  label: string;
  name: string;
  arn?: string | undefined;
  action: Action;
  /** For update: each field that differs, old → new. For create/delete: empty. */
  changes: FieldChange[];
  /** Things the user should know (a pending subscription that cannot be removed, a conflict's fix). */
  notes: string[];
  /** Steps that must have created their resource before this one starts. */
  after: ResourceKey[];
  apply?: ((ctx: StepContext) => Promise<void>) | undefined;
  /** Runs only once every other step has succeeded (removing what the new resources replace). */
  last?: boolean | undefined;
  /** Not part of this job: the settings do not want it and there is none of the job's to remove. Plans leave it out. */
  absent?: true | undefined;
}

export interface Plan {
  spec: JobSpec;
  steps: PlanStep[];
  /** What each resource's read found (undefined: missing), keyed like the steps. */
  current: ReadonlyMap<ResourceKey, unknown>;
}

export function hasChanges(plan: Plan): boolean {
  return plan.steps.some((s) => s.action !== "unchanged");
}

/**
 * What a resource's read found carries the job that owns it: the job its support-job:job tag names (undefined: not
 * tagged, not support-job's). Plans check it before changing anything; destroy deletes only what the job owns.
 */
export interface Owned {
  owner: string | undefined;
}

/** What a read needs: the job, where it lives, its names and ARNs. No settings: status and destroy have none. */
export type JobRef = Pick<JobSpec, "job" | "where" | "names" | "arns">;

/** A schedule's on/off state, of either kind (rule or time-zone schedule): pause and resume set it. */
export type ScheduleState = "ENABLED" | "DISABLED";

/** What each resource's read found, keyed by resource (undefined: not there). */
export type JobState = ReadonlyMap<ResourceKey, unknown>;

/**
 * When destroy removes a resource; a stage starts once the one before has finished, the steps of one stage at once:
 *   1. what starts runs or sends alerts: rules (their targets first) and the time-zone schedule;
 *   2. the project, the alert topic (its subscriptions first) and the schedule group;
 *   3. the roles (inline policies deleted, managed policies detached first);
 *   4. the job's managed policies (detached from whatever still holds them, non-default versions first).
 */
export type RemovalStage = 1 | 2 | 3 | 4;

/** One resource destroy removes (or leaves alone, saying why). The old IAM names have a step per role and one for the policy. */
export interface RemovalStep {
  key: ResourceKey | "legacyRole" | "legacyJobPolicy";
  /** In the user's words, as destroy lists it. */
  label: string;
  name: string;
  /** delete: present and tagged for this job; skip: present but not the job's. */
  action: "delete" | "skip";
  /** What goes with it: "1 target", "2 inline policies", "subscription ops@example.com". */
  details: string[];
  /** Why a skipped resource is left alone. */
  note?: string | undefined;
  stage: RemovalStage;
  run: (clients: Clients) => Promise<void>;
}

export interface Resource<Current> {
  key: ResourceKey;
  label: string;
  /** The resource's name, for messages about it before it exists. */
  nameOf(ref: JobRef): string;
  /**
   * What AWS holds (undefined: not there). The same read serves init, status, destroy and every other command.
   * `scope`: the one read of the job this is part of (readJob's; calls shared with other resources' reads are made
   * once). A resource read on its own (no scope) makes its calls itself.
   */
  read(ref: JobRef, clients: Clients, scope?: ReadScope): Promise<Current | undefined>;
  plan(spec: JobSpec, current: Current | undefined, options: PlanStepOptions): PlanStep;
  /**
   * What destroy does with what the read found (called only when the read found something): delete it with what
   * goes with it, or skip it when it is not tagged for this job. `read` is every resource's read, for a resource
   * whose owner or contents another read holds (a schedule's group, a topic's subscriptions). Makes no AWS call.
   */
  remove?(current: Current, ref: JobRef, read: JobState): RemovalStep[];
  /**
   * The usual removal, instead of `remove`: the one resource `nameOf(ref)`, deleted at `stage` when its read's
   * `owner` is the job (`removalStep`'s rule); the step's key, label and name come from the resource itself.
   */
  deleteAt?: { stage: RemovalStage; details?: string[]; run(clients: Clients, ref: JobRef): Promise<unknown> };
}

/**
 * The key, label and name of a resource that JobNames names under its own key (most do), spread first into the
 * resource: `...named("project", "CodeBuild project")`.
 */
export function named<K extends ResourceKey & keyof JobNames>(key: K, label: string): Pick<Resource<unknown>, "key" | "label" | "nameOf"> {
  return { key, label, nameOf: (ref) => ref.names[key] };
}

/**
 * One read of a job (readJob): a call several resources' reads need (the alert rule's targets, the topic's tags) is
 * made once, and a resource most jobs do not have (the chat role, the chat webhooks) may be skipped on the word of a
 * cheaper read made alongside; `thorough` (destroy) reads them anyway, to find one left behind on its own.
 */
export interface ReadScope {
  /** The call `key` names, made once for this read of the job; later askers get the same answer. */
  once<T>(key: string, call: () => Promise<T>): Promise<T>;
  thorough: boolean;
  /**
   * Whether the caller expects resource `key` to exist (status of a live job expects its roles): its dependent reads
   * then go out with the first one, a round trip earlier; a wrong guess costs the few reads that find nothing.
   */
  expects(key: ResourceKey): boolean;
}

export function readScope(options: { thorough?: boolean | undefined; expected?: readonly ResourceKey[] | undefined } = {}): ReadScope {
  const calls = new Map<string, Promise<unknown>>();
  const expected = new Set(options.expected ?? []);
  return {
    thorough: options.thorough ?? false,
    expects: (key) => expected.has(key),
    once<T>(key: string, call: () => Promise<T>): Promise<T> {
      let pending = calls.get(key) as Promise<T> | undefined;
      if (!pending) {
        pending = call();
        calls.set(key, pending);
      }
      return pending;
    },
  };
}

/**
 * A read whose further calls (`rest`) are worth making only when its first call found the resource: a resource most
 * jobs do not have then costs that one call, `rest` going out once `first` found it. When the caller expects `key` to
 * exist (ReadScope.expects), or `together` (a gate already found what the resource serves), `rest` goes out with
 * `first`, a round trip earlier. Undefined: `first` found nothing; whatever `rest` found, or failed with, is then
 * dropped, so a wrong guess never fails a read that would have succeeded one call at a time.
 */
export async function thenIfFound<F, R>(
  scope: ReadScope,
  key: ResourceKey,
  first: Promise<F | undefined>,
  rest: () => Promise<R>,
  together = false,
): Promise<[F, R] | undefined> {
  if (together || scope.expects(key)) {
    const more = rest().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const found = await first.catch(async (error: unknown) => {
      await more;
      throw error;
    });
    const settled = await more;
    if (found === undefined) return undefined;
    if ("error" in settled) throw settled.error;
    return [found, settled.value];
  }
  const found = await first;
  return found === undefined ? undefined : [found, await rest()];
}

/** A resource every command reads and destroy removes, but init does not plan (the `permissions try` role: its own command manages it). */
export type ReadResource<Current> = Pick<Resource<Current>, "key" | "label" | "nameOf" | "read" | "remove" | "deleteAt">;

/** What destroy does with a resource its read found: the resource's own `remove`, or the usual one (`deleteAt`). */
export function removalOf<Current>(r: ReadResource<Current>, current: Current, ref: JobRef, read: JobState): RemovalStep[] {
  if (r.remove) return r.remove(current, ref, read);
  const del = r.deleteAt;
  if (!del) return [];
  const owner = (current as { owner?: string | undefined }).owner;
  const step = { key: r.key, label: r.label, name: r.nameOf(ref), details: del.details ?? [], stage: del.stage };
  return [removalStep(ref.job, owner, { ...step, run: async (clients) => void (await del.run(clients, ref)) })];
}

/** The ownership rule of destroy: only what is tagged support-job:job=<job> is deleted; anything else is skipped with a note. */
export function removalStep(job: string, owner: string | undefined, step: Omit<RemovalStep, "action" | "note">): RemovalStep {
  if (owner === job) return { ...step, action: "delete" };
  return {
    ...step,
    action: "skip",
    note:
      owner === undefined ? `not tagged ${TAG_KEY}=${job} (support-job did not create it): left alone` : `belongs to support-job job "${owner}": left alone`,
  };
}

type Tags = readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined;

/** A tag's value (the job that owns a resource is its `support-job:job` tag). */
export function tagValue(tags: Tags, key: string = TAG_KEY): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/**
 * The read-then-tags shape of most resources: the resource's own read and its tags' read, at once (each is "not
 * found" on its own when the resource is missing). Undefined when the resource is not there; else what its read
 * found, its tags, and the job that owns it (`ownerOf` for IAM, whose owner also depends on the region tag).
 */
export async function readTagged<T>(
  read: Promise<T | undefined>,
  tags: Promise<{ Tags?: Tags } | undefined>,
  ownerOf: (tags: Tags, found: T) => string | undefined = (t) => tagValue(t),
): Promise<{ found: T; tags: Tags; owner: string | undefined } | undefined> {
  const [found, listed] = await Promise.all([read, tags]);
  if (found === undefined) return undefined;
  return { found, tags: listed?.Tags, owner: ownerOf(listed?.Tags, found) };
}

/** "1 target", "2 inline policies". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** A role's removal details: what is deleted or detached with it. */
export function roleDetails(inline: number, attached: number): string[] {
  return [
    inline ? plural(inline, "inline policy", "inline policies") : "",
    attached ? `${plural(attached, "managed policy", "managed policies")} detached` : "",
  ].filter(Boolean);
}

interface PlanStepOptions {
  adopt: boolean;
  /** The job's schedule (of either kind) is turned off: a schedule created in its place starts off too. */
  paused?: boolean | undefined;
  /** When the job was set up (its project's creation): the missed-run alarm is armed from its first due run. */
  since?: Date | undefined;
  /** The job's last successful run, when the caller read its runs: the missed-run alarm is armed by it too. */
  lastSuccess?: Date | undefined;
}

/** Ownership: ours if tagged for this job; an untagged one only with --adopt; another job's, never. */
export function isForeign(owner: string | undefined, job: string, adopt: boolean): boolean {
  return owner !== job && !(adopt && owner === undefined);
}

/** Field-by-field comparison that keeps only what differs, as "field: old → new" for the plan. */
export function fieldChanges(): { changes: FieldChange[]; compare(field: string, from: unknown, to: unknown): void } {
  const changes: FieldChange[] = [];
  return {
    changes,
    compare(field, from, to) {
      if (show(from) !== show(to)) changes.push({ field, from: show(from), to: show(to) });
    },
  };
}

export type StepBase = Omit<PlanStep, "action" | "changes" | "apply">;

/** A resource that is not there yet: nothing to compare, one apply (which calls ctx.exists() once it is). */
export function createStep(base: StepBase, apply: (ctx: StepContext) => Promise<void>): PlanStep {
  return { ...base, action: "create", changes: [], apply };
}

/**
 * "unchanged" when nothing differs; otherwise an update whose apply first says the resource exists (`existsFirst`
 * false: the apply says so itself, when what waits on it may start).
 */
export function updateOrUnchanged(
  base: StepBase,
  changes: FieldChange[],
  apply: (ctx: StepContext) => Promise<unknown>,
  { existsFirst = true }: { existsFirst?: boolean } = {},
): PlanStep {
  if (changes.length === 0) return { ...base, action: "unchanged", changes };
  return {
    ...base,
    action: "update",
    changes,
    apply: async (ctx) => {
      if (existsFirst) ctx.exists();
      await apply(ctx);
    },
  };
}

/** A resource the job neither wants nor has: nothing to do, nothing to show (its name is the one it would have). */
export function absentStep(key: ResourceKey, label: string, name: string): PlanStep {
  return { key, label, name, action: "unchanged", changes: [], notes: [], after: [], absent: true };
}

/**
 * A resource the job no longer wants (the schedule moved to the other kind): deleted once its replacement exists,
 * and only when it is this job's; otherwise simply not part of the job.
 */
export function replacedStep(
  key: ResourceKey,
  label: string,
  name: string,
  ours: boolean,
  replacedBy: ResourceKey | undefined,
  remove: (ctx: StepContext) => Promise<unknown>,
): PlanStep {
  if (!ours || !replacedBy) return absentStep(key, label, name);
  return { key, label, name, action: "delete", changes: [], notes: [], after: [replacedBy], apply: async (ctx) => void (await remove(ctx)) };
}

/** Ownership: a resource with the job's name but without the job's tag is somebody else's. */
export function conflictStep(key: ResourceKey, label: string, name: string, owner: string | undefined, job: string): PlanStep {
  return {
    key,
    label,
    name,
    action: "conflict",
    changes: [],
    notes: [
      owner === undefined
        ? `${label} ${name} already exists and was not created by support-job (it has no support-job:job tag). Pass --adopt to take it over, or choose another --name.`
        : `${label} ${name} belongs to support-job job "${owner}", not "${job}". Choose another --name.`,
    ],
    after: [],
  };
}
