/**
 * `support-job plan` and `support-job apply`: every job of support-job.json at once. One combined plan (every
 * job's reads in parallel, after one identity check per region), one confirmation, jobs applied in parallel
 * (at most APPLY_CONCURRENCY at a time); one job's failure never stops the others.
 */
import { callerIdentity, type Clients } from "../aws/clients.js";
import { awsCall } from "../aws/call.js";
import { describeAwsError } from "../aws/errors.js";
import { ExitCode, InputError, InputErrors, InterruptedError, OperationError, PassThroughExit } from "../errors.js";
import { listJobs } from "../deployed/find-job.js";
import { applyPlan } from "../plan/apply.js";
import { applyDestroy, planDestroy } from "../plan/destroy.js";
import { planJob } from "../plan/plan.js";
import { CONFIG_FILE, jobConfig, jobNamesIn, readJobsFile, type ConfigFile } from "../settings/file.js";
import type { ResolvedSettings } from "../settings/types.js";
import { FIELD_FLAGS, validateSettings, type RawSettings } from "../settings/validate.js";
import { combinedToJson, jobHasChanges, renderCombinedPlan, type JobOutcome, type Stray } from "../ui/converge.js";
import type { Reporter } from "../ui/reporter.js";
import { paint } from "../ui/style.js";
import { clientsFor, onTerminal, type GlobalOptions } from "./common.js";
import { mergeSettings } from "./init.js";
import { accountMismatch, accountMismatchOf } from "./open-job.js";

/** How many jobs are applied at once: enough to overlap their round trips, few enough to stay clear of throttling. */
const APPLY_CONCURRENCY = 4;

export interface ConvergeOptions extends GlobalOptions {
  yes?: boolean | undefined;
  prune?: boolean | undefined;
  adopt?: boolean | undefined;
}

interface Planned extends JobOutcome {
  clients?: Clients | undefined;
}

interface StrayJob extends Stray {
  clients: Clients;
}

interface Combined {
  jobs: Planned[];
  strays: StrayJob[];
}

/** `support-job plan`: exit 0 when AWS matches the file, 3 when changes are pending, 1 when a job could not be read. */
export async function runPlan(options: ConvergeOptions, io: Reporter): Promise<void> {
  const combined = await planEveryJob(options, io);
  if (io.json) io.printJson(combinedToJson(combined.jobs, combined.strays));
  io.result(renderCombinedPlan(combined.jobs, combined.strays, { prune: false }));
  failIfAny(combined.jobs, "planned");
  if (combined.jobs.some(jobHasChanges)) throw new PassThroughExit(ExitCode.changesPending);
}

/** `support-job apply` (and `init --yes` with no --name in a folder of several jobs). */
export async function runApply(options: ConvergeOptions, io: Reporter): Promise<void> {
  // Decided before any AWS call: a script that forgot --yes fails fast and changes nothing.
  const terminal = onTerminal() && !options.json;
  if (!options.yes && !terminal)
    throw new InputError("--yes", "apply changes AWS and asks first; with no terminal to ask on, pass --yes", "support-job apply --yes");
  const combined = await planEveryJob(options, io);
  const prune = options.prune ? combined.strays : [];
  io.result(renderCombinedPlan(combined.jobs, combined.strays, { prune: Boolean(options.prune) }));
  const conflicted = combined.jobs.filter((j) => j.plan?.steps.some((s) => s.action === "conflict"));
  for (const job of conflicted) {
    job.error = `${job
      .plan!.steps.filter((s) => s.action === "conflict")
      .map((s) => s.notes.join(" "))
      .join(" ")} (pass --adopt, or rename the job)`;
  }
  const toApply = combined.jobs.filter((j) => jobHasChanges(j) && !conflicted.includes(j));
  if (toApply.length === 0 && prune.length === 0) {
    io.result(`Nothing to change: ${combined.jobs.filter((j) => j.plan && !j.error).length} of ${combined.jobs.length} jobs are up to date.`);
    if (io.json) io.printJson(combinedToJson(combined.jobs, combined.strays, { applied: false }));
    failIfAny(combined.jobs, "applied");
    return;
  }
  if (!options.yes) {
    const { askYesNo } = await import("../wizard/prompts.js");
    const what = [
      toApply.length ? `apply the changes to ${toApply.length === 1 ? "1 job" : `${toApply.length} jobs`}` : "",
      prune.length ? `delete ${prune.length === 1 ? "1 job" : `${prune.length} jobs`} not in ${CONFIG_FILE}` : "",
    ].filter(Boolean);
    if (!(await askYesNo({ message: `${capitalise(what.join(" and "))}?`, default: prune.length === 0 })))
      throw new InterruptedError("Cancelled, nothing was changed.");
  }

  const pruned: { name: string; error?: string }[] = [];
  await bounded(
    [
      ...toApply.map((job) => () => applyJob(job, io)),
      ...prune.map((stray) => async () => {
        pruned.push(await pruneJob(stray, io));
      }),
    ],
    APPLY_CONCURRENCY,
  );
  const applied = toApply.filter((j) => j.applied);
  if (applied.length) io.result(`${paint.green("✔")} Applied: ${applied.map((j) => j.name).join(", ")}.`);
  const deleted = pruned.filter((p) => !p.error);
  if (deleted.length) io.result(`${paint.green("✔")} Deleted (not in ${CONFIG_FILE}): ${deleted.map((p) => p.name).join(", ")}.`);
  if (io.json)
    io.printJson(
      combinedToJson(combined.jobs, combined.strays, {
        applied: applied.length > 0,
        pruned: pruned.map((p) => ({ name: p.name, deleted: !p.error, error: p.error ?? null })),
      }),
    );
  const failedPrunes = pruned.filter((p) => p.error);
  const failed = combined.jobs.filter((j) => j.error);
  if (failed.length || failedPrunes.length) {
    const lines = [
      ...failed.map((j) => `job ${j.name}: ${j.error}`),
      ...failedPrunes.map((p) => `deleting job ${p.name}: ${p.error} (run \`support-job destroy --name ${p.name}\` to finish)`),
    ];
    throw new OperationError(
      `${lines.length} of ${combined.jobs.length + prune.length} ${combined.jobs.length + prune.length === 1 ? "job" : "jobs"} failed${lines.length < combined.jobs.length + prune.length ? ", the others were applied" : ""}. ${lines.join(" · ")} Fix the cause and run \`support-job apply\` again.`,
    );
  }
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function failIfAny(jobs: readonly Planned[], verb: string): void {
  const failed = jobs.filter((j) => j.error);
  if (failed.length === 0) return;
  throw new OperationError(
    `${failed.length} of ${jobs.length} ${jobs.length === 1 ? "job" : "jobs"} could not be ${verb}: ${failed.map((j) => `job ${j.name}: ${j.error}`).join(" · ")}`,
  );
}

/** One job's changes; a failure is the job's (named), never the run's. */
async function applyJob(job: Planned, io: Reporter): Promise<void> {
  const task = io.task(`applying job ${job.name}`);
  try {
    await applyPlan(job.plan!, job.clients!, { start: () => undefined, waiting: () => undefined, done: () => undefined, failed: () => undefined });
    job.applied = true;
    task.succeed(`applied job ${job.name}`);
  } catch (error) {
    job.applied = false;
    job.error = error instanceof Error ? error.message : String(error);
    task.fail(`could not apply job ${job.name}`);
  }
}

/** A job not in the file, deleted through destroy's own path: only resources tagged with its name. */
async function pruneJob(stray: StrayJob, io: Reporter): Promise<{ name: string; error?: string }> {
  const task = io.task(`deleting job ${stray.name} (not in ${CONFIG_FILE})`);
  try {
    const { steps } = await planDestroy(stray.clients, stray.name, undefined);
    const result = await applyDestroy(
      steps.filter((s) => s.action === "delete"),
      stray.clients,
    );
    if (result.failed.length) throw result.failed[0]!.error;
    task.succeed(`deleted job ${stray.name}`);
    return { name: stray.name };
  } catch (error) {
    task.fail(`could not delete job ${stray.name}`);
    return { name: stray.name, error: describeAwsError(error, `Deleting job ${stray.name}`) };
  }
}

/** Runs the tasks, at most `limit` at a time. */
async function bounded(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/** The repository of a project or a setting, comparable: no trailing .git or slash, lower case. */
function sameRepository(location: string | undefined): string {
  return (location ?? "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .toLowerCase();
}

/**
 * Every job's settings checked (before any AWS call), then in each region one identity check alongside every
 * job's reads (started with the saved account) and the listing of tagged jobs: two round trips deep in all.
 */
async function planEveryJob(options: ConvergeOptions, io: Reporter): Promise<Combined> {
  const cwd = process.cwd();
  const file = readJobsFile(cwd, (line) => io.warn(line));
  const names = jobNamesIn(file);
  if (names.length === 0)
    throw new InputError(
      CONFIG_FILE,
      file
        ? 'holds no job (its "jobs" is empty); add one with `support-job init --name NAME`'
        : "is not in this folder; run `support-job init` to create it, or cd to the repository that has it",
      "support-job init --name nightly-cleanup",
    );
  const configs = new Map<string, ConfigFile>(names.map((name) => [name, jobConfig(file, name)!]));
  const settings = new Map<string, ResolvedSettings>();
  const problems: InputError[] = [];
  for (const name of names) {
    try {
      settings.set(name, validateSettings({ ...mergeSettings(configs.get(name), {}), name }, cwd));
    } catch (error) {
      const all = error instanceof InputErrors ? error.problems : error instanceof InputError ? [error] : undefined;
      if (!all) throw error;
      for (const p of all) problems.push(fileProblem(name, p));
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new InputErrors(problems);

  const regionOf = (name: string) => options.region ?? configs.get(name)?.region;
  const regions = [...new Set(names.map(regionOf))];
  const clientsByRegion = new Map<string | undefined, Clients>();
  for (const region of regions) clientsByRegion.set(region, await clientsFor({ ...options, region }, io, undefined, undefined, true));
  const repositories = new Set([...settings.values()].map((s) => sameRepository(s.repository)));

  // The identity check and the listing of tagged jobs go out first: issued behind hundreds of reads, they would
  // start once some of those had returned, one round trip deeper.
  for (const clients of clientsByRegion.values()) callerIdentity(clients).catch(() => undefined);
  const tagged = [...clientsByRegion.values()].map((clients) => ({ clients, listing: listJobs(clients) }));
  for (const t of tagged) t.listing.catch(() => undefined);
  // Let those two requests reach the wire before the jobs' reads take the event loop (signing hundreds of them).
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  const [jobs, strays] = await io.step(
    `reading ${names.length === 1 ? "1 job" : `${names.length} jobs`} of ${CONFIG_FILE}`,
    () =>
      Promise.all([
        Promise.all(
          names.map(async (name): Promise<Planned> => {
            const clients = clientsByRegion.get(regionOf(name))!;
            const config = configs.get(name)!;
            try {
              const plan = await planJob(settings.get(name)!, clients, {
                adopt: Boolean(options.adopt),
                accountHint: config.region === clients.region ? config.account : undefined,
              });
              const account = plan.spec.where.account;
              const saved = accountMismatchOf(config, account);
              if (saved)
                return {
                  name,
                  region: clients.region,
                  clients,
                  error: `${accountMismatch(name, saved, account)}; use the credentials of account ${saved}, or move it with \`support-job init --name ${name} --account-change\``,
                };
              return { name, region: clients.region, clients, plan };
            } catch (error) {
              return { name, region: clients.region, clients, error: error instanceof Error ? error.message : String(error) };
            }
          }),
        ),
        Promise.all(
          tagged.map(async ({ clients, listing }) => {
            const projects = await awsCall(`Listing CodeBuild projects in ${clients.region}`, listing);
            return projects
              .filter((p) => p.name && !names.includes(p.name) && repositories.has(sameRepository(p.source?.location)))
              .map((p): StrayJob => ({ name: p.name!, region: clients.region, clients }));
          }),
        ).then((lists) => lists.flat()),
      ]),
    { done: `read ${names.length === 1 ? "1 job" : `${names.length} jobs`} of ${CONFIG_FILE}`, failed: `could not read the jobs of ${CONFIG_FILE}` },
  );
  return { jobs, strays };
}

/** A bad value of job `name` is named by its key in the file, not as a flag. */
function fileProblem(name: string, problem: InputError): InputError {
  const key = (Object.keys(FIELD_FLAGS) as (keyof RawSettings)[]).find((k) => FIELD_FLAGS[k] === problem.field);
  return new InputError(
    `${CONFIG_FILE}: jobs.${name}${key ? `: ${key}` : ""}`,
    problem.problem,
    problem.example?.replace(/^--[\w-]+ /, key ? `"${key}": ` : ""),
  );
}
