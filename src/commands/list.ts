/** `support-job list`: every job in the region (projects tagged support-job:job), with schedule, state, last run and next run. */
import type { Build } from "@aws-sdk/client-codebuild";
import { clientsFor, type GlobalOptions } from "./common.js";
import { awsCall } from "../aws/call.js";
import { listJobs } from "../deployed/find-job.js";
import { getBuilds, recentRunIds, runToJson, summariseRun, type RunSummary } from "../runs/history.js";
import { readSchedule } from "../deployed/schedule.js";
import { scheduleStatus, type ScheduleStatus } from "../deployed/status.js";
import { localTimeZone } from "../schedule/index.js";
import { timeInZones } from "../ui/format.js";
import { jobNames } from "../desired/names.js";
import type { Reporter } from "../ui/reporter.js";
import { outcomeLabel, outcomeWord, timeAgo } from "../ui/runs.js";
import { paint } from "../ui/style.js";

export interface JobListing {
  name: string;
  schedule: ScheduleStatus | undefined;
  lastRun: RunSummary | undefined;
}

export async function loadJobList(clients: Awaited<ReturnType<typeof clientsFor>>, now: Date): Promise<JobListing[]> {
  const projects = await listJobs(clients);
  const names = projects.map((p) => p.name ?? "");
  // Per job, in parallel: its schedule and its newest run id; then one BatchGetBuilds for every last run.
  const perJob = await Promise.all(
    names.map((name) =>
      awsCall(
        `Reading job ${name}`,
        Promise.all([readSchedule(clients, jobNames(name, clients.region)), recentRunIds(clients, name, 1)]),
      ),
    ),
  );
  const lastIds = perJob.flatMap(([, runs]) => runs.ids.slice(0, 1));
  const builds = await awsCall("Reading the jobs' last runs", getBuilds(clients, lastIds));
  const byId = new Map<string, Build>(builds.map((b) => [b.id ?? "", b]));
  return names.map((name, i) => {
    const [schedule, runs] = perJob[i] ?? [undefined, { ids: [] }];
    const last = runs.ids[0] ? byId.get(runs.ids[0]) : undefined;
    return {
      name,
      schedule: schedule ? scheduleStatus(schedule, now) : undefined,
      lastRun: last ? summariseRun(last, { names: jobNames(name, clients.region), region: clients.region, now }) : undefined,
    };
  });
}

export async function runList(options: GlobalOptions, io: Reporter): Promise<void> {
  const clients = await clientsFor(options, io);
  const now = new Date();
  const jobs = await loadJobList(clients, now);
  if (io.json) {
    io.printJson({
      region: clients.region,
      jobs: jobs.map((j) => ({
        name: j.name,
        schedule: j.schedule
          ? { expression: j.schedule.expression, timezone: j.schedule.timezone, state: j.schedule.state, description: j.schedule.description ?? null }
          : null,
        lastRun: j.lastRun ? runToJson(j.lastRun) : null,
        nextRun: j.schedule?.nextRuns[0]?.toISOString() ?? null,
      })),
    });
    return;
  }
  if (jobs.length === 0) {
    io.result(`No support-job jobs in ${clients.region}. Create one with \`support-job init\`.`);
    return;
  }
  io.result(renderJobList(jobs, { now, timeZone: localTimeZone(), region: clients.region }));
}

/** A run time in the schedule's zone, then UTC and the viewer's zone where they differ. */
function inZones(date: Date, scheduleZone: string, viewerZone: string): string {
  return timeInZones(date, [scheduleZone, "UTC", viewerZone]).join(" · ");
}

/** Pure: the jobs as a table. */
export function renderJobList(jobs: readonly JobListing[], options: { now: Date; timeZone: string; region: string }): string {
  const rows = jobs.map((j) => {
    const ago = j.lastRun?.startTime ? ` ${timeAgo(j.lastRun.startTime, options.now)}` : "";
    const state = j.schedule ? j.schedule.state : "MISSING";
    const next = j.schedule?.nextRuns[0];
    return {
      name: j.name,
      schedule: j.schedule ? `${j.schedule.expression}${j.schedule.description ? ` · ${j.schedule.description}` : ""}` : "(no schedule)",
      state,
      // Plain text decides the width; colour is added after padding.
      lastPlain: j.lastRun ? `✔ ${outcomeWord(j.lastRun.status)}${ago}` : "no runs yet",
      last: j.lastRun ? (pad: string) => `${outcomeLabel(j.lastRun?.status ?? "")}${ago}${pad}` : (pad: string) => paint.dim(`no runs yet${pad}`),
      next: next ? `${inZones(next, j.schedule?.timezone ?? "UTC", options.timeZone)} (${timeAgo(next, options.now)})` : paint.dim(state === "DISABLED" ? "paused" : "-"),
    };
  });
  const width = {
    name: Math.max("job".length, ...rows.map((r) => r.name.length)),
    schedule: Math.max("schedule".length, ...rows.map((r) => r.schedule.length)),
    state: Math.max("state".length, ...rows.map((r) => r.state.length)),
    last: Math.max("last run".length, ...rows.map((r) => r.lastPlain.length)),
  };
  const lines = [`${jobs.length} ${jobs.length === 1 ? "job" : "jobs"} in ${options.region}:`];
  lines.push(paint.dim(`  ${"job".padEnd(width.name)}  ${"schedule".padEnd(width.schedule)}  ${"state".padEnd(width.state)}  ${"last run".padEnd(width.last)}  next run`));
  for (const r of rows) {
    const state = r.state === "ENABLED" ? paint.green(r.state.padEnd(width.state)) : paint.yellow(r.state.padEnd(width.state));
    lines.push(`  ${r.name.padEnd(width.name)}  ${r.schedule.padEnd(width.schedule)}  ${state}  ${r.last(" ".repeat(width.last - r.lastPlain.length))}  ${r.next}`);
  }
  return lines.join("\n");
}
