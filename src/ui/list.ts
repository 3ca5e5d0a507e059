/** Pure renderers of `support-job list`: the jobs of a region as a table, and as a --json document. */
import type { ScheduleStatus } from "../deployed/status.js";
import type { RunSummary } from "../runs/history.js";
import { jobTime } from "./format.js";
import { outcomeLabel, outcomeWord, runToJson, timeAgo } from "./runs.js";
import { paint } from "./style.js";

/** One job as the list shows it. */
export interface JobListing {
  name: string;
  schedule: ScheduleStatus | undefined;
  lastRun: RunSummary | undefined;
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
      next: next
        ? `${jobTime(next, j.schedule?.timezone ?? "UTC", options.timeZone)} (${timeAgo(next, options.now)})`
        : paint.dim(state === "DISABLED" ? "paused" : "-"),
    };
  });
  const width = {
    name: Math.max("job".length, ...rows.map((r) => r.name.length)),
    schedule: Math.max("schedule".length, ...rows.map((r) => r.schedule.length)),
    state: Math.max("state".length, ...rows.map((r) => r.state.length)),
    last: Math.max("last run".length, ...rows.map((r) => r.lastPlain.length)),
  };
  const lines = [`${jobs.length} ${jobs.length === 1 ? "job" : "jobs"} in ${options.region}:`];
  lines.push(
    paint.dim(
      `  ${"job".padEnd(width.name)}  ${"schedule".padEnd(width.schedule)}  ${"state".padEnd(width.state)}  ${"last run".padEnd(width.last)}  next run`,
    ),
  );
  for (const r of rows) {
    const state = r.state === "ENABLED" ? paint.green(r.state.padEnd(width.state)) : paint.yellow(r.state.padEnd(width.state));
    lines.push(
      `  ${r.name.padEnd(width.name)}  ${r.schedule.padEnd(width.schedule)}  ${state}  ${r.last(" ".repeat(width.last - r.lastPlain.length))}  ${r.next}`,
    );
  }
  return lines.join("\n");
}

/** Pure: jobs whose CodeBuild project is gone while the rest of their resources remain, and both ways out. */
export function renderLeftBehind(jobs: readonly string[], region: string): string {
  const lines = [
    `${jobs.length === 1 ? "A job has" : `${jobs.length} jobs have`} no CodeBuild project in ${region} but other resources left (deleted by hand?):`,
  ];
  for (const job of jobs)
    lines.push(
      `  ${job}  restore it: support-job init --name ${job} · remove the rest: support-job destroy --name ${job} (see support-job status --name ${job})`,
    );
  return lines.join("\n");
}

export function jobListToJson(jobs: readonly JobListing[], region: string, leftBehind: readonly string[] = []): Record<string, unknown> {
  return {
    region,
    leftBehind: leftBehind.map((name) => ({ name, restore: `support-job init --name ${name}`, remove: `support-job destroy --name ${name}` })),
    jobs: jobs.map((j) => ({
      name: j.name,
      schedule: j.schedule
        ? { expression: j.schedule.expression, timezone: j.schedule.timezone, state: j.schedule.state, description: j.schedule.description ?? null }
        : null,
      lastRun: j.lastRun ? runToJson(j.lastRun) : null,
      nextRun: j.schedule?.nextRuns[0]?.toISOString() ?? null,
    })),
  };
}
