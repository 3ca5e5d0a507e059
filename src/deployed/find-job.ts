/**
 * Which job a command is about: --name, else support-job.json in the working directory, else the only job in
 * the region. Jobs are CodeBuild projects tagged `support-job:job=<name>`.
 */
import { BatchGetProjectsCommand, ListProjectsCommand, type Project } from "@aws-sdk/client-codebuild";
import type { Clients } from "../aws/clients.js";
import { clientsFor, type GlobalOptions } from "../commands/common.js";
import { CONFIG_FILE, readConfig, type ConfigFile } from "../settings/file.js";
import { InputError } from "../errors.js";
import { TAG_KEY } from "../desired/names.js";
import { checkName } from "../settings/validate.js";
import type { Reporter } from "../ui/reporter.js";
import { awsCall } from "../aws/call.js";

export interface JobOptions extends GlobalOptions {
  name?: string | undefined;
}

export interface OpenedJob {
  clients: Clients;
  name: string;
  /** support-job.json, when it describes this job (else undefined). */
  config: ConfigFile | undefined;
  /** Why a support-job.json here is not used (corrupt, about another job); undefined when there is none or it is used. */
  configNote?: string | undefined;
  cwd: string;
}

/** The tag that makes a project a support-job job, and whose value names the job. */
export function jobTag(project: Pick<Project, "tags">): string | undefined {
  return project.tags?.find((t) => t.key === TAG_KEY)?.value;
}

/** Every job in the client's region: ListProjects (all pages) + BatchGetProjects (100 a call), filtered on the tag. */
export async function listJobs(clients: Clients): Promise<Project[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall(
      `Listing CodeBuild projects in ${clients.region}`,
      clients.codebuild.send(new ListProjectsCommand({ sortBy: "NAME", sortOrder: "ASCENDING", nextToken })),
    );
    names.push(...(page.projects ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const chunks: string[][] = [];
  for (let i = 0; i < names.length; i += 100) chunks.push(names.slice(i, i + 100));
  const pages = await Promise.all(
    chunks.map((chunk) => awsCall(`Reading CodeBuild projects in ${clients.region}`, clients.codebuild.send(new BatchGetProjectsCommand({ names: chunk })))),
  );
  return pages
    .flatMap((p) => p.projects ?? [])
    .filter((p) => p.name !== undefined && jobTag(p) === p.name)
    .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
}

/** The job name: given, from support-job.json, or the region's only job. */
export async function findJob(clients: Clients, given: { name?: string | undefined; configName?: string | undefined }): Promise<string> {
  if (given.name) return given.name;
  if (given.configName) return given.configName;
  const jobs = await listJobs(clients);
  const names = jobs.map((j) => j.name ?? "");
  if (names.length === 1 && names[0]) return names[0];
  if (names.length === 0)
    throw new InputError("--name", `no support-job job found in ${clients.region} (and no support-job.json here); create one with \`support-job init\`, or pass --name / --region`, "--name nightly-cleanup");
  throw new InputError("--name", `${names.length} jobs in ${clients.region}: ${names.join(", ")}; say which one`, `--name ${names[0]}`);
}

/** Reads support-job.json, builds the clients in the job's region and finds the job: the start of every operate command. */
export async function openJob(options: JobOptions, io: Reporter): Promise<OpenedJob> {
  const cwd = process.cwd();
  if (options.name !== undefined) {
    const checked = checkName(options.name);
    if (!checked.ok) throw new InputError("--name", checked.problem, checked.example);
  }
  // With --name, a support-job.json about another job (or a broken one) is not this command's business.
  let config: ConfigFile | undefined;
  let configNote: string | undefined;
  if (options.name === undefined) config = readConfig(cwd);
  else {
    try {
      config = readConfig(cwd);
    } catch (error) {
      configNote = `${CONFIG_FILE} here cannot be used (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  const mine = config?.name !== undefined && (options.name === undefined || options.name.trim() === config.name) ? config : undefined;
  if (config && !mine) configNote = config.name === undefined ? `${CONFIG_FILE} here names no job` : `${CONFIG_FILE} here is about job ${config.name}`;
  const clients = await clientsFor(options, io, mine?.region);
  const name = await findJob(clients, { name: options.name?.trim(), configName: mine?.name });
  return { clients, name, config: mine, cwd, configNote };
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
  return new InputError("--profile", `${CONFIG_FILE} says job ${job.name} lives in account ${saved}, but your credentials are for account ${me.account}; use the credentials of account ${saved}`, "--profile <a profile of that account>");
}
