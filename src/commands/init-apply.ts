/** The engine half of `init`: read → plan → confirm → apply → show the job. Loaded after validation. */
import { saveJob, upgradeNotice } from "../settings/file.js";
import { InputError, InterruptedError } from "../errors.js";
import { whileInterrupted } from "../interrupt.js";
import { statusAfterApply } from "../deployed/after-init.js";
import { isTestAlertRun, recentRuns } from "../runs/history.js";
import { estimateText, monthlyEstimate, runsPerMonth } from "../desired/prices.js";
import { applyPlan, ApplyError, type ApplyResult } from "../plan/apply.js";
import { planJob } from "../plan/plan.js";
import { hasChanges, type Plan, type PlanStep } from "../resources/types.js";
import type { ResolvedSettings } from "../settings/types.js";
import { gpuRegionProblem, toRaw } from "../settings/validate.js";
import { initToJson, pastTense, presentTense, renderPlan } from "../ui/format.js";
import type { Progress, Reporter } from "../ui/reporter.js";
import { formatStatus, statusToJson } from "../ui/status.js";
import { clientsFor } from "./common.js";
import { accountMismatch, accountMismatchOf } from "./open-job.js";
import { checkSubnets, subnetWarning } from "../resources/network.js";
import { describeAwsError } from "../aws/errors.js";
import type { InitContext, InitOptions } from "./init.js";

export async function deployJob(settings: ResolvedSettings, options: InitOptions, io: Reporter, context: InitContext): Promise<void> {
  const { cwd, config, interactive } = context;
  // Identity, and the run history (ListBuildsForProject, then BatchGetBuilds when there are runs): their clients first.
  const clients = context.clients ?? (await clientsFor(options, io, config?.region, ["sts", "codebuild"]));
  const gpu = gpuRegionProblem(settings, clients.region);
  if (gpu) throw gpu;
  // The run history is read alongside the plan (same round trips): init ends by showing the job as status does.
  const recent = recentRuns(clients, settings.name, 5).catch(() => undefined);
  // A VPC job's subnets are checked alongside the reads: a subnet without a NAT route means runs with no internet.
  const vpc = settings.vpc;
  const network = vpc
    ? checkSubnets(clients.ec2, vpc).then(
        (checks) => checks.map((c) => subnetWarning(c, vpc.vpcId)).filter((w): w is string => w !== undefined),
        (error: unknown) => [`${describeAwsError(error, `Checking the subnets of ${vpc.vpcId}`)} The subnets' routes were not checked.`],
      )
    : Promise.resolve([]);
  const plan = await io.step(
    `reading the job's resources in ${clients.region}`,
    () =>
      planJob(settings, clients, {
        adopt: Boolean(options.adopt),
        accountHint: config?.region === clients.region ? config.account : undefined,
        read: context.read,
        runs: recent,
      }),
    { done: `read the job's resources in ${clients.region}`, failed: "could not read the job's resources" },
  );
  const account = plan.spec.where.account;
  const saved = accountMismatchOf(config, account);
  if (saved && !options.accountChange)
    throw new InputError(
      "--account-change",
      `${accountMismatch(settings.name, saved, account)}; use the credentials of account ${saved} (--profile), or pass --account-change to set the job up in account ${account}`,
      "support-job init --yes --account-change",
    );

  io.result(renderPlan(plan));
  for (const warning of await network) io.warn(warning);
  // Before a confirmation (or a dry run's end) the runs read alongside cost no round trip; under --yes the writes do
  // not wait for them: the estimate follows the apply.
  const estimateFirst = Boolean(options.dryRun) || interactive;
  if (estimateFirst) io.info(costLine(settings, clients.region, await recent));
  const conflicts = plan.steps.filter((s) => s.action === "conflict");
  if (conflicts.length > 0)
    throw new InputError(
      conflicts.length === 1 ? conflicts[0]!.label : "resources",
      conflicts.map((c) => c.notes.join(" ")).join(" "),
      "--adopt, or another --name",
    );
  const losses = unaskedLosses(plan, context.sources);
  for (const loss of losses) io.warn(`${loss.what}: ${loss.keep}, or ${loss.allow} to confirm.`);
  if (options.dryRun) {
    io.info("Dry run: nothing was changed.");
    if (io.json) io.printJson(initToJson(plan, { applied: false }));
    return;
  }
  if (losses.length > 0 && !interactive) {
    const first = losses[0]!;
    throw new InputError(
      first.flag,
      `${losses.map((l) => l.what).join("; ")}, and nothing asked for it; ${first.keep}, or ${losses.map((l) => l.allow).join(" and ")} to confirm; nothing was changed`,
      first.allow,
    );
  }

  // Only this job's entry in support-job.json changes: the other jobs and the defaults are left as they are.
  const save = (): void => {
    const { upgraded } = saveJob(cwd, context.file, settings.name, { ...toRaw(settings), region: clients.region, account });
    if (upgraded) io.info(upgradeNotice());
  };
  let applied: ApplyResult | undefined;
  if (!hasChanges(plan)) {
    save();
    io.result(`Nothing to change: job ${settings.name} is up to date.`);
  } else {
    if (interactive) {
      const { confirmApply } = await import("../wizard/prompts.js");
      // A fresh job: the reads found none of its resources (whatever the plan leaves for later, like an unarmed alarm).
      const isNew = [...plan.current.values()].every((found) => found === undefined);
      if (!(await confirmApply(isNew))) throw new InterruptedError("Cancelled, nothing was changed.");
    }
    // Saved before applying: if apply stops half-way, `support-job init --yes` finishes the same job.
    save();
    applied = await applyWithProgress(plan, clients, io, settings.name);
  }
  if (!estimateFirst) io.info(costLine(settings, clients.region, await recent));
  const status = statusAfterApply(plan, settings, await recent, applied);
  io.result("");
  io.show(formatStatus(status, { hideDrift: true }));
  if (io.json) io.printJson(initToJson(plan, { applied: applied !== undefined, status: statusToJson(status) }));
}

/** The plan's monthly estimate: runs a month from the schedule × the typical run (the median of the last runs). */
function costLine(settings: ResolvedSettings, region: string, recent: Awaited<ReturnType<typeof recentRuns>> | undefined): string {
  const durations = (recent?.builds ?? [])
    .filter((b) => b.buildComplete && !isTestAlertRun(b) && b.startTime && b.endTime)
    .map((b) => (b.endTime!.getTime() - b.startTime!.getTime()) / 1000);
  const estimate = monthlyEstimate(settings, runsPerMonth(settings.schedule, settings.timezone, new Date()), durations);
  return estimateText(estimate, settings, region);
}

/** A removal the plan would make that no flag and no support-job.json asked for (read back from AWS, say). */
export interface UnaskedLoss {
  what: string;
  flag: string;
  keep: string;
  allow: string;
}

/** Deleting the job's permissions policy or removing env vars needs the user to have said so. */
export function unaskedLosses(plan: Pick<Plan, "steps">, sources: InitContext["sources"]): UnaskedLoss[] {
  const losses: UnaskedLoss[] = [];
  const policy = plan.steps.find((s) => s.key === "jobPolicy" && s.action === "delete");
  if (policy && sources.policyFile !== "flag" && sources.policyFile !== "file")
    losses.push({
      what: `this plan deletes the job permissions policy ${policy.name}`,
      flag: "--policy-file",
      keep: "pass --policy-file PATH to keep the job's permissions",
      allow: "--no-policy-file",
    });
  const removed = (plan.steps.find((s) => s.key === "project")?.changes ?? [])
    .filter((c) => c.field.startsWith("env ") && c.to === "(removed)")
    .map((c) => c.field.slice(4));
  if (removed.length > 0 && sources.env !== "flag" && sources.env !== "file")
    losses.push({
      what: `this plan removes the environment variable${removed.length > 1 ? "s" : ""} ${removed.join(", ")}`,
      flag: "--env",
      keep: "pass every --env the job needs",
      allow: "--no-env",
    });
  return losses;
}

async function applyWithProgress(plan: Plan, clients: Parameters<typeof applyPlan>[1], io: Reporter, job: string): Promise<ApplyResult> {
  const tasks = new Map<PlanStep["key"], Progress>();
  const finished: PlanStep[] = [];
  const started: PlanStep[] = [];
  const restore = whileInterrupted(() =>
    interruptedMessage(
      finished,
      started.filter((s) => !finished.includes(s)),
      job,
    ),
  );
  try {
    return await applyPlan(plan, clients, {
      start: (step) => {
        started.push(step);
        tasks.set(step.key, io.task(presentTense(step)));
      },
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

/** Ctrl-C during apply: what is done, what was under way (it may exist), and both ways out. */
export function interruptedMessage(finished: readonly PlanStep[], underWay: readonly PlanStep[], job: string): string {
  const list = (steps: readonly PlanStep[], tense: (s: PlanStep) => string) => steps.map((s) => `\n  ${tense(s)}`).join("");
  let text = "Interrupted while applying.";
  if (finished.length) text += ` Already done:${list(finished, pastTense)}`;
  if (underWay.length) text += `${finished.length ? "\n" : " "}Under way, may already exist:${list(underWay, presentTense)}`;
  if (!finished.length && !underWay.length) text += " No change had started.";
  return `${text}\nThe job is only partly set up: run \`support-job init --yes\` to finish it, or \`support-job destroy --name ${job} --yes\` to remove what was created.`;
}
