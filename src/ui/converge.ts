/** Pure renderers of `plan` and `apply`: every job's plan, grouped by job, the jobs not in support-job.json, and --json. */
import type { Plan } from "../resources/types.js";
import { hasChanges } from "../resources/types.js";
import { planToJson, renderPlan } from "./format.js";
import { paint } from "./style.js";

/** One job of support-job.json as plan/apply saw it: its plan, or why it has none. */
export interface JobOutcome {
  name: string;
  region: string;
  plan?: Plan | undefined;
  /** Why planning or applying the job failed (one sentence). */
  error?: string | undefined;
  /** apply: whether its changes were applied. */
  applied?: boolean | undefined;
}

/** A job tagged in AWS, of a repository of this file, that support-job.json does not hold. */
export interface Stray {
  name: string;
  region: string;
}

export function jobHasChanges(job: JobOutcome): boolean {
  return job.plan !== undefined && hasChanges(job.plan);
}

/** Every job's plan, one block per job, then the strays and a one-line total. */
export function renderCombinedPlan(jobs: readonly JobOutcome[], strays: readonly Stray[], options: { prune: boolean }): string {
  const blocks: string[] = [];
  for (const job of jobs) {
    if (job.plan) blocks.push(renderPlan(job.plan));
    else blocks.push(`${paint.red("✘")} Job ${paint.bold(job.name)} in ${job.region}: ${job.error ?? "no plan"}`);
  }
  if (strays.length > 0) {
    const lines = [
      options.prune
        ? `Not in support-job.json, to delete (--prune; only resources tagged with the job's name):`
        : `Not in support-job.json (tagged in AWS, left alone; \`support-job apply --prune\` deletes them):`,
    ];
    for (const s of strays) lines.push(`  ${options.prune ? paint.red("- delete   ") : paint.yellow("? not in file")}  job ${s.name} in ${s.region}`);
    blocks.push(lines.join("\n"));
  }
  blocks.push(summary(jobs, strays, options));
  return blocks.join("\n\n");
}

function summary(jobs: readonly JobOutcome[], strays: readonly Stray[], options: { prune: boolean }): string {
  const changed = jobs.filter(jobHasChanges).length;
  const failed = jobs.filter((j) => !j.plan).length;
  const parts = [`${jobs.length} ${jobs.length === 1 ? "job" : "jobs"} in support-job.json`, `${changed} with changes`];
  if (failed) parts.push(`${failed} could not be planned`);
  if (strays.length) parts.push(`${strays.length} not in the file${options.prune ? " to delete" : ""}`);
  return `${parts.join(", ")}.`;
}

/** plan/apply --json: the jobs with their plans, the strays, and whether anything is pending. */
export function combinedToJson(jobs: readonly JobOutcome[], strays: readonly Stray[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    changes: jobs.some(jobHasChanges),
    jobs: jobs.map((j) => ({
      name: j.name,
      region: j.region,
      account: j.plan?.spec.where.account ?? null,
      changes: jobHasChanges(j),
      plan: j.plan ? planToJson(j.plan) : null,
      ...(j.applied !== undefined ? { applied: j.applied } : {}),
      error: j.error ?? null,
    })),
    notInFile: strays.map((s) => ({ name: s.name, region: s.region })),
    ...extra,
  };
}
