/** Start a run and watch it, as `run-now` and `test-alert` do: what Ctrl-C means at each stage, and the progress shown. */
import type { Build } from "@aws-sdk/client-codebuild";
import { asOperationError, awsCall } from "../aws/call.js";
import type { Clients } from "../aws/clients.js";
import { InterruptedError, OperationError } from "../errors.js";
import { whileInterrupted } from "../interrupt.js";
import { startBuild, type RunOverrides } from "../runs/start.js";
import { pollInterval, watchRun } from "../runs/watch.js";
import type { Progress, Reporter } from "../ui/reporter.js";

export type StartedBuild = Build & { id: string };

export interface StartRunOptions {
  overrides?: RunOverrides | undefined;
  /** "Starting a run of job X": names the failed call. */
  what: string;
  /** Ctrl-C while StartBuild is out: "nothing was changed" is no longer true, so this says what may have happened. */
  interrupted: string;
  /** CodeBuild answered without the run. */
  missing: string;
}

export async function startRun(clients: Clients, job: string, options: StartRunOptions): Promise<StartedBuild> {
  const restore = whileInterrupted(() => options.interrupted);
  let build: Build | undefined;
  try {
    build = await awsCall(options.what, startBuild(clients, job, options.overrides));
  } finally {
    restore();
  }
  if (!build?.id) throw new OperationError(options.missing);
  return { ...build, id: build.id };
}

export interface WatchStartedOptions {
  /** "run #12 of nightly-cleanup": names the failed watch. */
  label: string;
  /** Ctrl-C stops watching, never the run: this message (exit 130) says what becomes of the run. */
  stopped: string;
  /** A spinner with this text showing the phase, or the phases and log lines handed to the caller. */
  show: { task: string } | { onPhase: (phase: string) => void; onLogLine: (line: string) => void };
}

/** Watches a started run until it ends; `task` is the spinner it showed, for the caller to end with the outcome. */
export async function watchStarted(
  io: Reporter,
  clients: Clients,
  build: Build,
  options: WatchStartedOptions,
): Promise<{ ended: Build; task: Progress | undefined }> {
  const controller = new AbortController();
  const restore = whileInterrupted(() => {
    controller.abort(new InterruptedError(options.stopped));
    return undefined;
  });
  try {
    await io.ready();
    const { show } = options;
    const task = "task" in show ? io.task(show.task) : undefined;
    const follow = "task" in show ? { onPhase: (phase: string) => task?.waiting(phase) } : show;
    const ended = await watchRun(clients, build, { pollMs: pollInterval(), signal: controller.signal, ...follow });
    return { ended, task };
  } catch (error) {
    io.stopSpinner();
    throw asOperationError(error, `Watching ${options.label}`);
  } finally {
    restore();
  }
}
