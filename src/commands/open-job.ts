/**
 * The start of every operate command: --name, else support-job.json in the working directory, else the only job
 * in the region; the clients in the job's region.
 */
import type { Clients, Service } from "../aws/clients.js";
import { clientsFor, type GlobalOptions } from "./common.js";
import { CONFIG_FILE, fileDefaults, jobConfig, jobNamesIn, readJobsFile, type ConfigFile, type JobsFile } from "../settings/file.js";
import { InputError } from "../errors.js";
import { checkName } from "../settings/validate.js";
import type { Reporter } from "../ui/reporter.js";
import { findJob } from "../deployed/find-job.js";
import { awsCall } from "../aws/call.js";

export interface JobOptions extends GlobalOptions {
  name?: string | undefined;
}

export interface OpenedJob {
  clients: Clients;
  name: string;
  /** This job's settings in support-job.json (else undefined). */
  config: ConfigFile | undefined;
  /** support-job.json as read (destroy removes the job's entry from it). */
  file?: JobsFile | undefined;
  /** Why a support-job.json here is not used (corrupt, about another job); undefined when there is none or it is used. */
  configNote?: string | undefined;
  cwd: string;
}

/**
 * Reads support-job.json, builds the clients in the job's region and finds the job: the start of every operate command.
 * `first`: the clients the command's first requests need, loaded first (finding the job without a name needs CodeBuild);
 * a function of the job's settings when those decide it (run-now asks who the caller is only under a saved account).
 */
export async function openJob(
  options: JobOptions,
  io: Reporter,
  first?: readonly Service[] | ((config: ConfigFile | undefined) => readonly Service[]),
): Promise<OpenedJob> {
  const cwd = process.cwd();
  if (options.name !== undefined) {
    const checked = checkName(options.name);
    if (!checked.ok) throw new InputError("--name", checked.problem, checked.example);
  }
  // With --name, a broken support-job.json is not this command's business.
  let file: JobsFile | undefined;
  let configNote: string | undefined;
  if (options.name === undefined) file = readJobsFile(cwd);
  else {
    try {
      file = readJobsFile(cwd);
    } catch (error) {
      configNote = `${CONFIG_FILE} here cannot be used (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  const jobs = jobNamesIn(file);
  if (options.name === undefined && jobs.length > 1) throw severalJobs(jobs);
  const wanted = options.name?.trim() ?? jobs[0];
  const mine = wanted !== undefined ? jobConfig(file, wanted) : undefined;
  if (file && !mine && wanted !== undefined) configNote = `${CONFIG_FILE} here has no job ${wanted}${jobs.length ? ` (it holds ${jobs.join(", ")})` : ""}`;
  const clients = await clientsFor(options, io, mine?.region ?? fileDefaults(file).region, typeof first === "function" ? first(mine) : first);
  const name = await findJob(clients, { name: options.name?.trim(), configName: mine?.name });
  return { clients, name, config: mine, file, cwd, configNote };
}

/**
 * A job missing where support-job.json says it lives may just be other credentials: when the caller's account is
 * not the saved one, say so (naming both) instead of "there is no job". Asked only on that failure path.
 */
export async function wrongAccount(job: Pick<OpenedJob, "clients" | "config" | "name">, error: unknown): Promise<unknown> {
  if (!job.config?.account || !(error instanceof InputError) || !/there is no job/.test(error.problem)) return error;
  const { callerIdentity } = await import("../aws/clients.js");
  const me = await callerIdentity(job.clients).catch(() => undefined);
  const saved = me && accountMismatchOf(job.config, me.account);
  if (!me || !saved) return error;
  return new InputError("--profile", `${accountMismatch(job.name, saved, me.account)}; use the credentials of account ${saved}`, profileExample(saved));
}

/** The account support-job.json places a job in when it is not `actual` (the caller's); undefined when none is saved or they agree. */
export function accountMismatchOf(config: Pick<ConfigFile, "account"> | undefined, actual: string): string | undefined {
  const saved = config?.account;
  return saved && saved !== actual ? saved : undefined;
}

/** support-job.json places job `name` in one account, the credentials are for another: the one wording of every command. */
export function accountMismatch(name: string, saved: string, actual: string): string {
  return `${CONFIG_FILE} says job ${name} lives in account ${saved}, but your credentials are for account ${actual}`;
}

const profileExample = (account: string) => `--profile <a profile of account ${account}>`;

/**
 * A command that writes (destroy, pause, resume, run-now, test-alert, permissions) refuses a job that support-job.json
 * places in another account than the caller's (`actual`), before any write: staging and prod accounts often hold
 * jobs of the same name, and the user meant the saved one. Exit 2, as init's refusal. `destroy` has a way out that
 * is meant (--account-change), so that nobody learns to run it outside the folder to get past this.
 */
export function refuseOtherAccount(job: Pick<OpenedJob, "name" | "config">, actual: string, command?: "destroy"): void {
  const saved = accountMismatchOf(job.config, actual);
  if (!saved) return;
  const wayOut =
    command === "destroy"
      ? `, or pass --account-change to destroy job ${job.name} in account ${actual} instead (the entry of account ${saved} stays in ${CONFIG_FILE})`
      : "";
  throw new InputError(
    "--profile",
    `${accountMismatch(job.name, saved, actual)}; use the credentials of account ${saved} (--profile)${wayOut}; nothing was changed`,
    profileExample(saved),
  );
}

/**
 * refuseOtherAccount for a command that does not otherwise ask who the caller is: asks (GetCallerIdentity) only when
 * support-job.json names an account. Start it early and await it before the first write.
 */
export async function checkSavedAccount(job: Pick<OpenedJob, "clients" | "name" | "config">): Promise<void> {
  if (!job.config?.account) return;
  const { callerIdentity } = await import("../aws/clients.js");
  const me = await awsCall("Checking your AWS identity", callerIdentity(job.clients));
  refuseOtherAccount(job, me.account);
}

/** A read-only command (status, logs) goes on under other credentials, and says which account it shows. */
export function otherAccountNote(job: Pick<OpenedJob, "name" | "config">, actual: string): string | undefined {
  const saved = accountMismatchOf(job.config, actual);
  if (!saved) return undefined;
  return `${accountMismatch(job.name, saved, actual)}: this is job ${job.name} of account ${actual}.`;
}

/** The same note for the jobs of a whole support-job.json (list, status of several jobs): these are account `actual`'s. */
export function fileAccountNote(file: JobsFile | undefined, actual: string): string | undefined {
  const elsewhere = jobNamesIn(file).flatMap((name) => {
    const saved = accountMismatchOf(jobConfig(file, name), actual);
    return saved ? [{ name, saved }] : [];
  });
  const [one] = elsewhere;
  if (!one) return undefined;
  if (elsewhere.length === 1) return `${accountMismatch(one.name, one.saved, actual)}: these are the jobs of account ${actual}.`;
  const accounts = [...new Set(elsewhere.map((e) => e.saved))];
  return `${CONFIG_FILE} says jobs ${elsewhere.map((e) => e.name).join(", ")} live in account${accounts.length > 1 ? "s" : ""} ${accounts.join(" and ")}, but your credentials are for account ${actual}: these are the jobs of account ${actual}.`;
}

/** No --name in a folder of several jobs: which one is never guessed. */
export function severalJobs(jobs: readonly string[], command = "this command"): InputError {
  return new InputError(
    "--name",
    `${CONFIG_FILE} here holds ${jobs.length} jobs (${jobs.join(", ")}); say which one ${command} is for`,
    `--name ${jobs[0] ?? "nightly-cleanup"}`,
  );
}
