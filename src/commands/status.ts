/** `support-job status`: the job, its schedule, alerts, drift from support-job.json, and its last runs. */
import { InputError } from "../errors.js";
import { openJob, wrongAccount, type JobOptions } from "./open-job.js";
import { loadStatus, settingsForDrift } from "../deployed/status.js";
import { MAX_RUNS } from "../runs/history.js";
import type { Reporter } from "../ui/reporter.js";
import { formatStatus, statusToJson } from "../ui/status.js";

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
  if (io.json) io.printJson(statusToJson(status));
  io.show(formatStatus(status));
}
