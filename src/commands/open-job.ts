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
 * `first`: the clients the command's first requests need, loaded first (finding the job without a name needs CodeBuild).
 */
export async function openJob(options: JobOptions, io: Reporter, first?: readonly Service[]): Promise<OpenedJob> {
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
  const clients = await clientsFor(options, io, mine?.region ?? fileDefaults(file).region, first);
  const name = await findJob(clients, { name: options.name?.trim(), configName: mine?.name });
  return { clients, name, config: mine, file, cwd, configNote };
}

/**
 * A job missing where support-job.json says it lives may just be other credentials: when the caller's account is
 * not the saved one, say so (naming both) instead of "there is no job". Asked only on that failure path.
 */
export async function wrongAccount(job: Pick<OpenedJob, "clients" | "config" | "name">, error: unknown): Promise<unknown> {
  const saved = job.config?.account;
  if (!saved || !(error instanceof InputError) || !/there is no job/.test(error.problem)) return error;
  const { callerIdentity } = await import("../aws/clients.js");
  const me = await callerIdentity(job.clients).catch(() => undefined);
  if (!me || me.account === saved) return error;
  return new InputError(
    "--profile",
    `${CONFIG_FILE} says job ${job.name} lives in account ${saved}, but your credentials are for account ${me.account}; use the credentials of account ${saved}`,
    "--profile <a profile of that account>",
  );
}

/** No --name in a folder of several jobs: which one is never guessed. */
export function severalJobs(jobs: readonly string[], command = "this command"): InputError {
  return new InputError(
    "--name",
    `${CONFIG_FILE} here holds ${jobs.length} jobs (${jobs.join(", ")}); say which one ${command} is for`,
    `--name ${jobs[0] ?? "nightly-cleanup"}`,
  );
}
