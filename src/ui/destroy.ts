/** Pure renderers of `support-job destroy`: the plan of removals, and what was done as a --json document. */
import { jobNames } from "../desired/names.js";
import type { RemovalStep } from "../resources/types.js";
import { paint } from "./style.js";

function ref(step: RemovalStep) {
  return { resource: step.key, label: step.label, name: step.name };
}

/** What destroy did, as its --json document; `error` is already a sentence. */
export function destroyToJson(
  job: { name: string; region: string; account: string },
  outcome: { deleted: readonly RemovalStep[]; skipped: readonly RemovalStep[]; failed: readonly { step: RemovalStep; error: string }[] },
): Record<string, unknown> {
  return {
    ...job,
    deleted: outcome.deleted.map(ref),
    skipped: outcome.skipped.map((s) => ({ ...ref(s), reason: s.note ?? null })),
    failed: outcome.failed.map((f) => ({ ...ref(f.step), error: f.error })),
    kept: outcome.deleted.some((s) => s.key === "logGroup") ? {} : { logGroup: jobNames(job.name, job.region).logGroup },
  };
}

/** Pure: what destroy will do, one line per resource. */
export function renderDestroyPlan(name: string, region: string, account: string, steps: readonly RemovalStep[]): string {
  const lines = [`Destroy job ${paint.bold(name)} in ${region} (account ${account}):`];
  if (steps.length === 0) return lines.concat(paint.dim("  (nothing left)")).join("\n");
  const width = Math.max(...steps.map((s) => s.label.length));
  for (const s of steps) {
    const mark = s.action === "delete" ? paint.red("- delete") : paint.yellow("! skip  ");
    const details = s.details.length ? paint.dim(` (${s.details.join("; ")})`) : "";
    lines.push(`  ${mark}  ${s.label.padEnd(width)}  ${s.name}${details}`);
    if (s.note) lines.push(`      ${paint.yellow("note:")} ${s.note}`);
  }
  if (!steps.some((s) => s.key === "logGroup" && s.action === "delete"))
    lines.push(paint.dim(`  = keep    log group ${jobNames(name, region).logGroup} (the runs' logs; --delete-logs deletes them)`));
  return lines.join("\n");
}
