/** `support-job logs [RUN_ID | --last]`: print a run's whole log (every page of its CloudWatch Logs stream). */
import { InputError } from "../errors.js";
import { awsCall } from "../aws/call.js";
import { openJob, otherAccountNote, type JobOptions } from "./open-job.js";
import { drainLog, logLine, type LogEvent } from "../runs/logs.js";
import { getBuilds, recentRunIds, summariseRun } from "../runs/history.js";
import { jobNames } from "../desired/names.js";
import type { Reporter } from "../ui/reporter.js";
import { outcomeLabel, runLogToJson } from "../ui/runs.js";

export interface LogsOptions extends JobOptions {
  last?: boolean | undefined;
}

/** A full id (`project:uuid`) names its job; a bare uuid belongs to the job found the usual way. */
export function parseRunId(raw: string): { project: string | undefined; uuid: string } {
  const value = raw.trim();
  const colon = value.lastIndexOf(":");
  if (colon > 0) return { project: value.slice(0, colon), uuid: value.slice(colon + 1) };
  return { project: undefined, uuid: value };
}

export async function runLogs(runId: string | undefined, options: LogsOptions, io: Reporter): Promise<void> {
  if (runId !== undefined && options.last) throw new InputError("--last", "give a run id or --last, not both", "support-job logs --last");
  const parsed = runId !== undefined ? parseRunId(runId) : undefined;
  if (parsed && !/^[\w-]+$/.test(parsed.uuid))
    throw new InputError("RUN_ID", `"${runId}" is not a run id`, "nightly-cleanup:0b6e9c1e-2f1d-4c1a-9a51-3c7f4a3d2e10");
  const job = await openJob({ ...options, name: options.name ?? parsed?.project }, io);
  const { clients, name } = job;
  // Under an account saved in support-job.json, who the caller is goes out with the first read: the log is shown
  // all the same, saying whose it is when the accounts differ.
  const note = job.config?.account
    ? import("../aws/clients.js")
        .then(({ callerIdentity }) => callerIdentity(clients))
        .then(
          (me) => otherAccountNote(job, me.account),
          () => undefined,
        )
    : undefined;

  let id: string;
  if (parsed) id = `${parsed.project ?? name}:${parsed.uuid}`;
  else {
    const { ids } = await awsCall(`Listing the runs of job ${name}`, recentRunIds(clients, name, 1));
    if (!ids[0]) throw new InputError("--last", `job ${name} has no runs yet`, "support-job run-now --follow");
    id = ids[0];
  }
  const [build] = await awsCall(`Reading run ${id}`, getBuilds(clients, [id]));
  if (!build) throw new InputError("RUN_ID", `there is no run ${id} in ${clients.region}`, "support-job status (lists run ids with --json)");
  const run = summariseRun(build, { names: jobNames(name, clients.region), region: clients.region, now: new Date() });
  const elsewhere = await note;
  if (elsewhere) io.warn(elsewhere);
  io.info(`Run #${run.number ?? "?"} of ${name} (${id}): ${outcomeLabel(run.status)}`);

  const events: LogEvent[] = [];
  if (!run.logs) {
    io.warn(`Run ${id} has no log: it ended or is waiting before CodeBuild set up its container (phase ${run.currentPhase ?? "unknown"}).`);
    if (io.json) io.printJson(runLogToJson(id, undefined, []));
    return;
  }
  const cursor = { groupName: run.logs.groupName, streamName: run.logs.streamName };
  const drained = await awsCall(
    `Reading the log of run ${id}`,
    drainLog(clients, cursor, (e) => {
      if (io.json) events.push({ timestamp: e.timestamp, message: logLine(e.message) });
      else io.result(logLine(e.message));
    }),
  );
  if (!drained.exists) io.warn(`Run ${id} has no log stream ${cursor.groupName}/${cursor.streamName} (yet, or it was deleted).`);
  else if (drained.events === 0) io.info("(the log is empty)");
  if (!run.complete) io.info(`Run ${id} is still going: this is its log so far.`);
  if (io.json) io.printJson(runLogToJson(id, cursor, events));
}
