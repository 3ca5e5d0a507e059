/** The engine half of `init`: read → plan → confirm → apply → show the job. Loaded after validation. */
import { writeConfig, type ConfigFile } from "../settings/file.js";
import { InputError, InterruptedError } from "../errors.js";
import { whileInterrupted } from "../interrupt.js";
import { statusAfterApply } from "../deployed/after-init.js";
import { recentRuns } from "../runs/history.js";
import { statusToJson } from "../deployed/status.js";
import { applyPlan, ApplyError, type ApplyResult } from "../plan/apply.js";
import { planJob } from "../plan/plan.js";
import { hasChanges, type Plan, type PlanStep } from "../plan/types.js";
import type { ResolvedSettings } from "../settings/types.js";
import { toRaw } from "../settings/validate.js";
import { pastTense, planToJson, presentTense, renderPlan } from "../ui/format.js";
import type { Progress, Reporter } from "../ui/reporter.js";
import { clientsFor } from "./common.js";
import type { InitOptions } from "./init.js";
import { renderStatus } from "./status.js";

export async function deployJob(
  settings: ResolvedSettings,
  options: InitOptions,
  io: Reporter,
  { cwd, config, interactive }: { cwd: string; config: ConfigFile | undefined; interactive: boolean },
): Promise<void> {
  const clients = await clientsFor(options, io, config?.region);
  await io.ready();
  const reading = io.task(`reading the job's resources in ${clients.region}`);
  // The run history is read alongside the plan (same round trips): init ends by showing the job as status does.
  const recent = recentRuns(clients, settings.name, 5).catch(() => undefined);
  let plan: Plan;
  try {
    plan = await planJob(settings, clients, { adopt: Boolean(options.adopt), accountHint: config?.region === clients.region ? config.account : undefined });
    reading.succeed(`read the job's resources in ${clients.region}`);
  } catch (error) {
    reading.fail("could not read the job's resources");
    throw error;
  }

  io.result(renderPlan(plan));
  const conflicts = plan.steps.filter((s) => s.action === "conflict");
  const output = { job: settings.name, region: clients.region, account: plan.spec.where.account, plan: planToJson(plan), applied: false, changed: false };
  if (conflicts.length > 0) {
    if (io.json) io.printJson(output);
    throw new InputError(conflicts.length === 1 ? conflicts[0]!.label : "resources", conflicts.map((c) => c.notes.join(" ")).join(" "), "--adopt, or another --name");
  }
  if (options.dryRun) {
    io.info("Dry run: nothing was changed.");
    if (io.json) io.printJson(output);
    return;
  }

  const saved: ConfigFile = { ...toRaw(settings), region: clients.region, account: plan.spec.where.account };
  let applied: ApplyResult | undefined;
  if (!hasChanges(plan)) {
    writeConfig(cwd, saved);
    io.result(`Nothing to change: job ${settings.name} is up to date.`);
  } else {
    if (interactive) {
      const { confirmApply } = await import("../wizard/prompts.js");
      const isNew = plan.steps.every((s) => s.action === "create" || s.name === "");
      if (!(await confirmApply(isNew))) throw new InterruptedError("Cancelled, nothing was changed.");
    }
    // Saved before applying: if apply stops half-way, `support-job init --yes` finishes the same job.
    writeConfig(cwd, saved);
    applied = await applyWithProgress(plan, clients, io);
    output.applied = true;
    output.changed = true;
  }
  const status = statusAfterApply(plan, settings, await recent, applied);
  io.result("");
  renderStatus(status, io, { hideDrift: true });
  if (io.json) io.printJson({ ...output, status: statusToJson(status) });
}

async function applyWithProgress(plan: Plan, clients: Parameters<typeof applyPlan>[1], io: Reporter): Promise<ApplyResult> {
  const tasks = new Map<PlanStep["key"], Progress>();
  const finished: PlanStep[] = [];
  const onSigint = () => {
    io.stopSpinner();
    const done = finished.map((s) => `  ${pastTense(s)}`).join("\n");
    io.error(
      `Interrupted while applying. ${finished.length ? `Already done:\n${done}\n` : "Nothing was finished yet. "}The job is only partly set up: run \`support-job init --yes\` to finish it.`,
    );
    process.exit(130);
  };
  const restore = whileInterrupted(onSigint);
  try {
    return await applyPlan(plan, clients, {
      start: (step) => tasks.set(step.key, io.task(presentTense(step))),
      waiting: (step, message) => tasks.get(step.key)?.waiting(message),
      done: (step) => {
        finished.push(step);
        tasks.get(step.key)?.succeed(pastTense(step));
      },
      failed: (step) => tasks.get(step.key)?.fail(`could not finish ${presentTense(step)}`),
    });
  } catch (error) {
    if (error instanceof ApplyError) {
      const done = finished.map((s) => pastTense(s));
      const tail = done.length ? ` Done before it stopped: ${done.join("; ")}.` : "";
      throw new ApplyError(`${error.message}${tail} Fix the cause and run \`support-job init --yes\` again to finish.`, error.result, error.cause);
    }
    throw error;
  } finally {
    restore();
  }
}
