/** Watching a run until it ends: poll BatchGetBuilds, report phase changes, and (following) stream its log. */
import type { Build } from "@aws-sdk/client-codebuild";
import type { Clients } from "../aws/clients.js";
import { drainLog, logLine, type LogCursor } from "./logs.js";
import { getBuilds } from "./history.js";

const DEFAULT_POLL_MS = 3000;

/** SUPPORT_JOB_POLL_MS makes polling fast in tests; anything not a positive number means the default. */
export function pollInterval(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.SUPPORT_JOB_POLL_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_POLL_MS;
}

export interface WatchOptions {
  pollMs: number;
  /** Aborting (Ctrl-C) rejects the watch with the signal's reason; the run itself goes on. */
  signal: AbortSignal;
  /** A new phase was seen (QUEUED, PROVISIONING, BUILD...). */
  onPhase?: ((phase: string, build: Build) => void) | undefined;
  /** Follow the log: each line as it arrives. */
  onLogLine?: ((line: string) => void) | undefined;
}

function isComplete(build: Build): boolean {
  return build.buildComplete === true || (build.buildStatus !== undefined && build.buildStatus !== "IN_PROGRESS");
}

/** Resolves with the run as it ended. With onLogLine, returns only once the log has been read to its end. */
export async function watchRun(clients: Clients, started: Build, options: WatchOptions): Promise<Build> {
  const id = started.id ?? "";
  let current = started;
  let phase = current.currentPhase;
  if (phase) options.onPhase?.(phase, current);
  let cursor: LogCursor | undefined;
  const drain = async () => {
    const onLine = options.onLogLine;
    if (!onLine) return;
    if (!cursor && current.logs?.groupName && current.logs.streamName) cursor = { groupName: current.logs.groupName, streamName: current.logs.streamName };
    if (cursor)
      await abortable(
        drainLog(clients, cursor, (e) => onLine(logLine(e.message))),
        options.signal,
      );
  };
  for (;;) {
    const complete = isComplete(current);
    // Read after seeing the run complete, so every line written before the end is printed.
    await drain();
    if (complete) {
      // CloudWatch Logs may take in the last lines a moment after CodeBuild reports the end: one more read.
      if (cursor) {
        await sleep(Math.min(options.pollMs, 2000), options.signal);
        await drain();
      }
      return current;
    }
    await sleep(options.pollMs, options.signal);
    const [latest] = await abortable(getBuilds(clients, [id]), options.signal);
    if (latest) current = latest;
    if (current.currentPhase && current.currentPhase !== phase) {
      phase = current.currentPhase;
      options.onPhase?.(phase, current);
    }
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error as Error);
      },
    );
  });
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
