import type { Clients } from "../aws/clients.js";
import type { JobSpec } from "../desired/job.js";
import { show } from "./compare.js";

export type ResourceKey =
  | "serviceRole"
  | "jobPolicy"
  | "project"
  | "scheduleRole"
  | "scheduleRule"
  | "schedulerRole"
  | "scheduleGroup"
  | "schedule"
  | "alertTopic"
  | "alertSubscription"
  | "alertRule"
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

/** What a read needs: the job, where it lives, its names and ARNs. No settings: status and destroy have none. */
export type JobRef = Pick<JobSpec, "job" | "where" | "names" | "arns">;

export interface Resource<Current> {
  key: ResourceKey;
  label: string;
  /** The resource's name, for messages about it before it exists. */
  nameOf(ref: JobRef): string;
  /** What AWS holds (undefined: not there). The same read serves init, status, destroy and every other command. */
  read(ref: JobRef, clients: Clients): Promise<Current | undefined>;
  plan(spec: JobSpec, current: Current | undefined, options: PlanStepOptions): PlanStep;
}

/** A resource every command reads but init does not plan (the `permissions try` role: its own command manages it). */
export type ReadResource<Current> = Pick<Resource<Current>, "key" | "label" | "nameOf" | "read">;

interface PlanStepOptions {
  adopt: boolean;
  /** The job's schedule (of either kind) is turned off: a schedule created in its place starts off too. */
  paused?: boolean | undefined;
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

/** "unchanged" when nothing differs; otherwise an update whose apply first says the resource exists. */
export function updateOrUnchanged(base: StepBase, changes: FieldChange[], apply: (ctx: StepContext) => Promise<unknown>): PlanStep {
  if (changes.length === 0) return { ...base, action: "unchanged", changes };
  return {
    ...base,
    action: "update",
    changes,
    apply: async (ctx) => {
      ctx.exists();
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
