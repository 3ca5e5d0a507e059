/** `support-job status`: the job, its schedule, alerts, drift from support-job.json, and its last runs. */
import { InputError } from "../errors.js";
import { fileAccountNote, openJob, otherAccountNote, wrongAccount, type JobOptions } from "./open-job.js";
import { loadStatus, settingsForDrift } from "../deployed/status.js";
import { MAX_RUNS } from "../runs/history.js";
import type { Reporter } from "../ui/reporter.js";
import { formatStatus, statusToJson } from "../ui/status.js";
import { jobListToJson, renderJobList } from "../ui/list.js";
import { jobConfig, jobNamesIn, readJobsFile, type JobsFile } from "../settings/file.js";
import { clientsFor } from "./common.js";

export interface StatusOptions extends JobOptions {
  limit?: string | number | undefined;
}

const DEFAULT_LIMIT = 20;

export function parseLimit(raw: string | number | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_RUNS)
    throw new InputError("--limit", `"${text}" is not a number of runs from 1 to ${MAX_RUNS}`, "--limit 50");
  return value;
}

export async function runStatus(options: StatusOptions, io: Reporter): Promise<void> {
  const limit = parseLimit(options.limit);
  if (options.name === undefined) {
    const file = readJobsFile(process.cwd());
    const jobs = jobNamesIn(file);
    if (jobs.length > 1) return overview(options, io, file!, jobs);
  }
  // Identity, and the run history's two calls in a row (ListBuildsForProject, then BatchGetBuilds): their clients
  // first, so those requests leave while the other clients load.
  const job = await openJob(options, io, ["sts", "codebuild"]);
  // A file that is there but unusable is named as such, not as "no support-job.json".
  const drift = !job.config && job.configNote ? { reason: `${job.configNote}, so drift was not checked` } : settingsForDrift(job.config, job.name, job.cwd);
  const where = `job ${job.name} in ${job.clients.region}`;
  const status = await io
    .step(
      `reading ${where}`,
      () =>
        loadStatus(job.clients, job.name, {
          limit,
          ...("settings" in drift ? { settings: drift.settings } : { noDriftReason: drift.reason }),
          accountHint: job.config?.region === job.clients.region ? job.config.account : undefined,
        }),
      { done: `read ${where}`, failed: `could not read job ${job.name}` },
    )
    .catch(async (error: unknown) => {
      throw await wrongAccount(job, error);
    });
  const note = otherAccountNote(job, status.account);
  if (note) io.warn(note);
  if (io.json) io.printJson(statusToJson(status));
  io.show(formatStatus(status));
}

/**
 * `status` with no --name in a folder of several jobs: one line per job, as `list` shows them (schedule, state, last
 * run, next run, alerts), per region; at most 2 round trips deep when support-job.json has the account, 3 otherwise.
 */
async function overview(options: StatusOptions, io: Reporter, file: JobsFile, jobs: readonly string[]): Promise<void> {
  const { hintFromFile, loadJobList } = await import("./list.js");
  const { localTimeZone } = await import("../schedule/index.js");
  const byRegion = new Map<string | undefined, string[]>();
  for (const job of jobs) {
    const region = options.region ?? jobConfig(file, job)?.region;
    byRegion.set(region, [...(byRegion.get(region) ?? []), job]);
  }
  const now = new Date();
  const tables = await io.step(
    `reading ${jobs.length} jobs of support-job.json`,
    () =>
      Promise.all(
        [...byRegion].map(async ([region, names]) => {
          const clients = await clientsFor({ ...options, region }, io);
          // The file's account lets every job's reads start with the identity check; its address and alarm choice are the job's.
          const { jobs, account } = await loadJobList(clients, now, names, (job) => hintFromFile(file, job, clients.region));
          return { region: clients.region, jobs, account };
        }),
      ),
    { done: `read ${jobs.length} jobs of support-job.json`, failed: "could not read the jobs of support-job.json" },
  );
  for (const account of new Set(tables.map((t) => t.account))) {
    const note = fileAccountNote(file, account);
    if (note) io.warn(note);
  }
  if (io.json) {
    io.printJson({ jobs: tables.map((t) => jobListToJson(t.jobs, t.region)) });
    return;
  }
  for (const t of tables) io.result(renderJobList(t.jobs, { now, timeZone: localTimeZone(), region: t.region }));
  io.result(`\`support-job status --name ${jobs[0]}\` shows one job in full.`);
}
