/** Pure renderers: data in, text or --json documents out, so tests compare strings. */
import type { ScheduleStatus } from "../deployed/status.js";
import type { Plan, PlanStep } from "../resources/types.js";
import { formatInZone } from "../schedule/index.js";
import { paint } from "./style.js";

const MARK: Record<PlanStep["action"], () => string> = {
  create: () => paint.green("+ create   "),
  update: () => paint.yellow("~ update   "),
  unchanged: () => paint.dim("= unchanged"),
  delete: () => paint.red("- delete   "),
  conflict: () => paint.red("! conflict "),
};

export function renderPlan(plan: Plan): string {
  const { spec } = plan;
  const lines = [`Plan for job ${paint.bold(spec.job)} in ${spec.where.region} (account ${spec.where.account}):`];
  const steps = plan.steps.filter((s) => !s.absent);
  const width = Math.max(...steps.map((s) => s.label.length));
  for (const step of steps) {
    lines.push(`  ${MARK[step.action]()}  ${step.label.padEnd(width)}  ${step.name}`);
    for (const c of step.changes) {
      if (step.action === "create") continue;
      lines.push(`      ${c.field}: ${paint.dim(c.from ?? "(none)")} → ${c.to ?? "(none)"}`);
    }
    for (const n of step.notes) lines.push(`      ${paint.yellow("note:")} ${n}`);
  }
  lines.push(summarizePlan(plan));
  return lines.join("\n");
}

function summarizePlan(plan: Plan): string {
  const count = (a: PlanStep["action"]) => plan.steps.filter((s) => !s.absent && s.action === a).length;
  const parts = [
    [count("create"), "to create"],
    [count("update"), "to update"],
    [count("delete"), "to delete"],
    [count("conflict"), "in conflict"],
    [count("unchanged"), "unchanged"],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, what]) => `${n} ${what}`);
  return `${parts.join(", ")}.`;
}

/** The plan as data for --json (no functions, no policy bodies beyond what the changes show). */
export function planToJson(plan: Plan): unknown {
  return plan.steps
    .filter((s) => !s.absent)
    .map((s) => ({ resource: s.key, label: s.label, name: s.name, arn: s.arn, action: s.action, changes: s.changes, notes: s.notes }));
}

/** init's --json document: the plan, whether it was applied (then `changed` too), and the job as status shows it. */
export function initToJson(plan: Plan, outcome: { applied: boolean; status?: Record<string, unknown> }): Record<string, unknown> {
  const { spec } = plan;
  return {
    job: spec.job,
    region: spec.where.region,
    account: spec.where.account,
    plan: planToJson(plan),
    applied: outcome.applied,
    changed: outcome.applied,
    ...(outcome.status ? { status: outcome.status } : {}),
  };
}

const VERBS = { create: ["created", "creating"], delete: ["deleted", "deleting"], update: ["updated", "updating"] } as const;

function verb(step: PlanStep, tense: 0 | 1): string {
  const [past, present] = step.action === "create" || step.action === "delete" ? VERBS[step.action] : VERBS.update;
  return `${tense === 0 ? past : present} ${step.label} ${step.name}`;
}

export function pastTense(step: PlanStep): string {
  return verb(step, 0);
}

export function presentTense(step: PlanStep): string {
  return verb(step, 1);
}

/**
 * One instant in each zone, in order, each distinct reading once: Etc/UTC, UCT or a CI machine's TZ=UTC read the
 * same as UTC, and "07:00 UTC · 07:00 UTC" says nothing twice.
 */
export function timeInZones(date: Date, zones: readonly string[]): string[] {
  return [...new Set(zones.map((zone) => formatInZone(date, zone)))];
}

/** What pause or resume did, as its --json document. */
export function scheduleChangeToJson(name: string, region: string, changed: boolean, schedule: ScheduleStatus): Record<string, unknown> {
  return {
    name,
    region,
    changed,
    schedule: {
      name: schedule.name,
      expression: schedule.expression,
      timezone: schedule.timezone,
      state: schedule.state,
      nextRuns: schedule.nextRuns.map((d) => d.toISOString()),
    },
  };
}

/** A job's time as every command shows it: in the job's zone, then UTC and the viewer's zone where they differ. */
export function jobTime(date: Date, jobZone: string, viewerZone: string): string {
  return timeInZones(date, [jobZone, "UTC", viewerZone]).join(" · ");
}
