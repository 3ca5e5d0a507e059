/** Pure renderers for runs: outcome marks, durations, "3h ago", the outcome line and the run table. */
import type { RunSummary } from "../runs/history.js";
import type { LogCursor, LogEvent } from "../runs/logs.js";
import { formatInZone } from "../schedule/index.js";
import { paint } from "./style.js";

const MARKS: Record<string, { mark: string; color: (s: string) => string; word: string }> = {
  SUCCEEDED: { mark: "✔", color: paint.green, word: "succeeded" },
  FAILED: { mark: "✘", color: paint.red, word: "failed" },
  FAULT: { mark: "✘", color: paint.red, word: "fault" },
  TIMED_OUT: { mark: "⏱", color: paint.red, word: "timed out" },
  STOPPED: { mark: "■", color: paint.yellow, word: "stopped" },
  IN_PROGRESS: { mark: "●", color: paint.cyan, word: "running" },
};

function markOf(status: string) {
  return MARKS[status] ?? { mark: "?", color: paint.dim, word: status.toLowerCase() };
}

/** The coloured one-character mark of an outcome. */
export function outcomeMark(status: string): string {
  const m = markOf(status);
  return m.color(m.mark);
}

/** "✔ succeeded", "✘ failed", "● running". */
export function outcomeLabel(status: string): string {
  const m = markOf(status);
  return m.color(`${m.mark} ${m.word}`);
}

export function outcomeWord(status: string): string {
  return markOf(status).word;
}

/** "45s", "1m 12s", "2h 3m", "1d 4h". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes}m ${s % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago"; "in 5m" for a time ahead of now. */
export function timeAgo(date: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const ahead = seconds < 0;
  const s = Math.abs(seconds);
  if (s < 5) return "just now";
  let text: string;
  if (s < 60) text = `${s}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)}m`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)}h`;
  else text = `${Math.floor(s / 86_400)}d`;
  return ahead ? `in ${text}` : `${text} ago`;
}

/** One mark per run, in the order given (newest first in status). */
export function outcomeLine(runs: readonly Pick<RunSummary, "status">[]): string {
  return runs.map((r) => outcomeMark(r.status)).join("");
}

export interface SuccessRate {
  succeeded: number;
  /** Runs that have ended (running ones are not counted either way). */
  finished: number;
  /** 0–100, undefined when none has finished. */
  percent: number | undefined;
}

type RateRun = Pick<RunSummary, "status"> & Partial<Pick<RunSummary, "trigger">>;

/** Runs started by `support-job test-alert` fail on purpose: they are not the job's runs and are not counted. */
export function successRate(runs: readonly RateRun[]): SuccessRate {
  const counted = runs.filter((r) => r.trigger !== "test-alert");
  const finished = counted.filter((r) => r.status !== "IN_PROGRESS").length;
  const succeeded = counted.filter((r) => r.status === "SUCCEEDED").length;
  return { succeeded, finished, percent: finished === 0 ? undefined : Math.round((succeeded / finished) * 100) };
}

/** "✔✔✘✔  3 of 4 finished runs succeeded (75%)". */
export function renderOutcomeSummary(runs: readonly RateRun[]): string {
  const rate = successRate(runs);
  const line = outcomeLine(runs);
  const tests = runs.filter((r) => r.trigger === "test-alert").length;
  const note = tests ? ` · ${tests} alert ${tests === 1 ? "test" : "tests"} not counted` : "";
  if (rate.percent === undefined) return `${line}  no run has finished yet${note}`;
  return `${line}  ${rate.succeeded} of ${rate.finished} finished ${rate.finished === 1 ? "run" : "runs"} succeeded (${rate.percent}%)${note}`;
}

export interface RunTableOptions {
  now: Date;
  /** The zone start times are shown in (the user's). */
  timeZone: string;
}

/** Collapses whitespace and caps a reason so one failed run does not take a screen. */
function shortReason(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: ./support.sh. Reason: exit status 1". */
export function failureText(run: Pick<RunSummary, "failedPhase" | "reasonCode" | "reason">): string | undefined {
  if (!run.failedPhase && !run.reason) return undefined;
  const parts = [run.failedPhase ? `${run.failedPhase} phase` : undefined, run.reasonCode, run.reason ? shortReason(run.reason) : undefined].filter(Boolean);
  return parts.join(": ");
}

/**
 * The run table, newest first: number, outcome, started (time and "3h ago"), duration, trigger; a failed run gets
 * a second line with its failed phase and reason.
 */
export function renderRunTable(runs: readonly RunSummary[], options: RunTableOptions): string {
  if (runs.length === 0) return paint.dim("  No runs yet.");
  const rows = runs.map((run) => {
    const started = run.startTime ? `${formatInZone(run.startTime, options.timeZone)} (${timeAgo(run.startTime, options.now)})` : "-";
    const duration = run.durationSeconds === undefined ? "-" : `${formatDuration(run.durationSeconds)}${run.complete ? "" : "…"}`;
    const attempt = run.retry && (run.retry.number > 0 || run.retry.retried) ? `, ${attemptWords(run.retry)}` : "";
    const trigger = `${run.complete ? run.trigger : `${run.trigger}, in ${run.currentPhase ?? "progress"}`}${attempt}`;
    return {
      number: run.number === undefined ? "?" : String(run.number),
      status: run.status,
      word: `${markOf(run.status).mark} ${outcomeWord(run.status)}`,
      started,
      duration,
      trigger,
      failure: failureText(run),
    };
  });
  const width = {
    number: Math.max(1, ...rows.map((r) => r.number.length)),
    word: Math.max("outcome".length, ...rows.map((r) => r.word.length)),
    started: Math.max("started".length, ...rows.map((r) => r.started.length)),
    duration: Math.max("duration".length, ...rows.map((r) => r.duration.length)),
  };
  const lines = [
    paint.dim(
      `  ${"#".padStart(width.number)}  ${"outcome".padEnd(width.word)}  ${"started".padEnd(width.started)}  ${"duration".padEnd(width.duration)}  trigger`,
    ),
  ];
  for (const r of rows) {
    const outcome = markOf(r.status).color(r.word.padEnd(width.word));
    lines.push(`  ${r.number.padStart(width.number)}  ${outcome}  ${r.started.padEnd(width.started)}  ${r.duration.padEnd(width.duration)}  ${r.trigger}`);
    if (r.failure) lines.push(`  ${" ".repeat(width.number)}  ${paint.red("└")} ${r.failure}`);
  }
  return lines.join("\n");
}

/** "retry 1 of 2", "first attempt, retried": where a run stands in its chain of automatic retries. */
function attemptWords(retry: NonNullable<RunSummary["retry"]>): string {
  const which = retry.number === 0 ? "first attempt" : `retry ${retry.number} of ${retry.limit}`;
  return retry.retried ? `${which}, retried` : which;
}

/** A run as JSON (docs/status-json.md): ISO times, null for what is unknown. */
export function runToJson(run: RunSummary): Record<string, unknown> {
  return {
    id: run.id,
    number: run.number ?? null,
    status: run.status,
    trigger: run.trigger,
    initiator: run.initiator ?? null,
    startTime: run.startTime?.toISOString() ?? null,
    endTime: run.endTime?.toISOString() ?? null,
    durationSeconds: run.durationSeconds ?? null,
    currentPhase: run.currentPhase ?? null,
    failedPhase: run.failedPhase ?? null,
    reasonCode: run.reasonCode ?? null,
    reason: run.reason ?? null,
    retry: run.retry ? { attempt: run.retry.number, of: run.retry.limit, retried: run.retry.retried, retryOf: run.retry.retryOf ?? null } : null,
    logsUrl: run.logsUrl ?? null,
    consoleUrl: run.consoleUrl ?? null,
  };
}

/** run-now's --json document: the run, with its console link (the one known at start, else the run's own). */
export function startedRunToJson(run: RunSummary, consoleUrl: string | undefined): Record<string, unknown> {
  return { ...runToJson(run), consoleUrl: consoleUrl ?? run.consoleUrl ?? null };
}

/** logs' --json document: the run's log stream (null when it has none) and every line as printed, times in ISO. */
export function runLogToJson(id: string, stream: LogCursor | undefined, events: readonly LogEvent[]): Record<string, unknown> {
  return {
    id,
    logGroup: stream?.groupName ?? null,
    logStream: stream?.streamName ?? null,
    events: events.map((e) => ({ timestamp: e.timestamp === undefined ? null : new Date(e.timestamp).toISOString(), message: e.message })),
  };
}
