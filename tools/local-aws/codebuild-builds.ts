// What a CodeBuild build looks like over its life: status, phases and times as BatchGetBuilds shows them.
// moto turns every build SUCCEEDED with ISO times and a canned phase list; this module is the proxy's own model.

type BuildStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "FAULT" | "STOPPED" | "TIMED_OUT";

interface PhaseContext {
  statusCode: string;
  message: string;
}

/** One observed state of a build; each BatchGetBuilds that includes the build shows the next one. */
export interface BuildStep {
  status: BuildStatus;
  /** currentPhase; defaults to BUILD while in progress and COMPLETED once done. */
  phase?: string;
  /** The phase that failed, for FAILED / FAULT / TIMED_OUT / STOPPED; defaults to BUILD. */
  failedPhase?: string;
  reason?: PhaseContext;
}

/** Fixed facts about a build, e.g. to make run history. `status`/`phase`/`failedPhase`/`reason` pin one step. */
export interface BuildSettings extends Partial<BuildStep> {
  initiator?: string;
  startTime?: Date;
  endTime?: Date;
  buildNumber?: number;
}

const PHASES = [
  "SUBMITTED",
  "QUEUED",
  "PROVISIONING",
  "DOWNLOAD_SOURCE",
  "INSTALL",
  "PRE_BUILD",
  "BUILD",
  "POST_BUILD",
  "UPLOAD_ARTIFACTS",
  "FINALIZING",
  "COMPLETED",
] as const;

const BUILD_STATUSES: readonly string[] = ["IN_PROGRESS", "SUCCEEDED", "FAILED", "FAULT", "STOPPED", "TIMED_OUT"];

export const SUCCEEDED_STEP: BuildStep = { status: "SUCCEEDED" };
/** How StartBuild's own answer shows a new build. */
const STARTED_STEP: BuildStep = { status: "IN_PROGRESS", phase: "QUEUED" };

/** Typical reasons AWS puts in the failed phase's context; tests can give their own. */
const DEFAULT_REASONS: Partial<Record<BuildStatus, PhaseContext>> = {
  FAILED: {
    statusCode: "COMMAND_EXECUTION_ERROR",
    message: "Error while executing command: ./support.sh. Reason: exit status 1",
  },
  TIMED_OUT: { statusCode: "BUILD_TIMED_OUT", message: "Build has timed out. " },
};

/** History builds without an end time get this duration (capped at now) rather than ending "now". */
const DEFAULT_HISTORY_DURATION_MS = 60_000;

export function validateStep(step: BuildStep): void {
  if (!BUILD_STATUSES.includes(step.status)) throw new Error(`unknown build status ${step.status}`);
  for (const phase of [step.phase, step.failedPhase]) {
    if (phase !== undefined && !(PHASES as readonly string[]).includes(phase)) {
      throw new Error(`unknown build phase ${phase}; one of ${PHASES.join(", ")}`);
    }
  }
}

export interface PhaseShape {
  phaseType: string;
  phaseStatus?: string;
  contexts?: PhaseContext[];
}

/** The phase list AWS shows for a build in this step, without times. */
export function phasesFor(step: BuildStep): { currentPhase: string; phases: PhaseShape[] } {
  const succeeded = (phaseType: string): PhaseShape =>
    phaseType === "SUBMITTED" || phaseType === "QUEUED"
      ? { phaseType, phaseStatus: "SUCCEEDED" }
      : { phaseType, phaseStatus: "SUCCEEDED", contexts: [{ statusCode: "", message: "" }] };
  // COMPLETED never gets a status, and the phase in progress has none yet.
  const open = (phaseType: string): PhaseShape => ({ phaseType });
  const upTo = (phase: string): string[] => PHASES.slice(0, PHASES.indexOf(phase as (typeof PHASES)[number]) + 1);

  if (step.status === "IN_PROGRESS") {
    const current = step.phase ?? "BUILD";
    const names = upTo(current);
    return { currentPhase: current, phases: names.map((name, i) => (i === names.length - 1 ? open(name) : succeeded(name))) };
  }
  if (step.status === "SUCCEEDED") {
    return {
      currentPhase: step.phase ?? "COMPLETED",
      phases: PHASES.map((name) => (name === "COMPLETED" ? open(name) : succeeded(name))),
    };
  }
  const failedPhase = step.failedPhase ?? "BUILD";
  const reason = step.reason ?? DEFAULT_REASONS[step.status];
  const before = upTo(failedPhase).slice(0, -1).map(succeeded);
  const failed: PhaseShape = { phaseType: failedPhase, phaseStatus: step.status };
  if (reason !== undefined) failed.contexts = [reason];
  // After a failed BUILD, POST_BUILD and artifact upload still run; other failures go straight to FINALIZING.
  const tailNames =
    step.status === "FAILED" && failedPhase === "BUILD" ? ["POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"] : ["FINALIZING", "COMPLETED"];
  const failedIndex = PHASES.indexOf(failedPhase as (typeof PHASES)[number]);
  const tail = tailNames
    .filter((name) => PHASES.indexOf(name as (typeof PHASES)[number]) > failedIndex)
    .map((name) => (name === "COMPLETED" ? open(name) : succeeded(name)));
  return { currentPhase: step.phase ?? "COMPLETED", phases: [...before, failed, ...tail] };
}

export interface BuildLogs {
  groupName: string;
  streamName: string;
  deepLink: string;
  cloudWatchLogsArn: string;
}

/** The proxy's record of one build: moto keeps the id, everything time- and outcome-related lives here. */
export class BuildRecord {
  steps: BuildStep[] = [SUCCEEDED_STEP];
  /** BatchGetBuilds calls that included this build; 0 means only StartBuild has shown it. */
  observed = 0;
  endMs: number | undefined;
  explicitEndMs: number | undefined;
  startWasSet = false;
  initiator: string;
  /** Fields copied from the project (and StartBuild overrides) at start: environment, source, timeouts... */
  snapshot: Record<string, unknown> = {};
  /** Test reports the build "wrote" (a buildspec `reports:` section), emulated: moto has no reports. */
  reportArns: string[] = [];
  private phaseStarts = new Map<string, number>();

  constructor(
    readonly id: string,
    readonly projectName: string,
    public buildNumber: number,
    public startMs: number,
    initiator: string,
    public logs: BuildLogs,
  ) {
    this.initiator = initiator;
  }

  currentStep(): BuildStep {
    if (this.observed === 0) return STARTED_STEP;
    return this.steps[Math.min(this.observed, this.steps.length) - 1] ?? SUCCEEDED_STEP;
  }

  script(steps: BuildStep[]): void {
    if (steps.length === 0) throw new Error("a build script needs at least one step");
    steps.forEach(validateStep);
    this.steps = steps;
    this.observed = 0;
    if (this.explicitEndMs === undefined) this.endMs = undefined;
  }

  apply(settings: BuildSettings): void {
    if (settings.initiator !== undefined) this.initiator = settings.initiator;
    if (settings.buildNumber !== undefined) this.buildNumber = settings.buildNumber;
    if (settings.startTime !== undefined) {
      this.startMs = settings.startTime.getTime();
      this.startWasSet = true;
      this.phaseStarts.clear();
      this.endMs = undefined;
    }
    if (settings.endTime !== undefined) {
      this.explicitEndMs = settings.endTime.getTime();
      this.endMs = this.explicitEndMs;
    }
    if (settings.status !== undefined) {
      const step: BuildStep = { status: settings.status };
      if (settings.phase !== undefined) step.phase = settings.phase;
      if (settings.failedPhase !== undefined) step.failedPhase = settings.failedPhase;
      if (settings.reason !== undefined) step.reason = settings.reason;
      validateStep(step);
      this.steps = [step];
      // A pinned outcome is what every later read shows, the very next one included.
      this.observed = Math.max(this.observed, 1);
    }
  }

  /** The build's fields as AWS sends them (times in epoch seconds), for the step currently shown. */
  render(nowMs: number): Record<string, unknown> {
    const step = this.currentStep();
    const complete = step.status !== "IN_PROGRESS";
    if (complete && this.endMs === undefined) {
      this.endMs = this.explicitEndMs ?? (this.startWasSet ? Math.min(this.startMs + DEFAULT_HISTORY_DURATION_MS, nowMs) : nowMs);
    }
    if (!complete && this.explicitEndMs === undefined) this.endMs = undefined;
    const endMs = complete ? Math.max(this.endMs ?? nowMs, this.startMs) : undefined;

    const { currentPhase, phases } = phasesFor(step);
    const starts = this.phaseTimes(
      phases.map((phase) => phase.phaseType),
      endMs ?? Math.max(nowMs, this.startMs),
    );
    const timedPhases = phases.map((phase, i) => {
      const start = starts[i] ?? this.startMs;
      const next = starts[i + 1];
      const end = next ?? (complete && phase.phaseType !== "COMPLETED" ? endMs : undefined);
      const timed: Record<string, unknown> = { phaseType: phase.phaseType };
      if (phase.phaseStatus !== undefined) timed["phaseStatus"] = phase.phaseStatus;
      timed["startTime"] = epochSeconds(start);
      if (end !== undefined && (phase.phaseStatus !== undefined || next !== undefined)) {
        timed["endTime"] = epochSeconds(end);
        timed["durationInSeconds"] = Math.round((end - start) / 1000);
      }
      if (phase.contexts !== undefined) timed["contexts"] = phase.contexts;
      return timed;
    });

    const fields: Record<string, unknown> = {
      buildNumber: this.buildNumber,
      startTime: epochSeconds(this.startMs),
      currentPhase,
      buildStatus: step.status,
      buildComplete: complete,
      phases: timedPhases,
      initiator: this.initiator,
      logs: {
        groupName: this.logs.groupName,
        streamName: this.logs.streamName,
        deepLink: this.logs.deepLink,
        cloudWatchLogsArn: this.logs.cloudWatchLogsArn,
        cloudWatchLogs: { status: "ENABLED" },
        s3Logs: { status: "DISABLED", encryptionDisabled: false },
      },
    };
    if (endMs !== undefined) fields["endTime"] = epochSeconds(endMs);
    return fields;
  }

  /**
   * Start times per phase. A phase keeps the time it was first shown at, so polling sees a stable past;
   * phases that appear together are spread evenly between the last known time and `targetMs`.
   */
  private phaseTimes(names: string[], targetMs: number): number[] {
    const known = names.map((name) => (name === "SUBMITTED" ? this.startMs : this.phaseStarts.get(name)));
    let i = 0;
    while (i < known.length) {
      if (known[i] !== undefined) {
        i += 1;
        continue;
      }
      let j = i;
      while (j < known.length && known[j] === undefined) j += 1;
      const low = known[i - 1] ?? this.startMs;
      const boundedByLater = j < known.length;
      const high = Math.max(boundedByLater ? (known[j] ?? targetMs) : targetMs, low);
      const slots = boundedByLater ? j - i + 1 : j - i;
      for (let k = i; k < j; k += 1) known[k] = low + ((high - low) * (k - i + 1)) / slots;
      i = j;
    }
    let previous = this.startMs;
    return known.map((value, index) => {
      const start = Math.max(value ?? previous, previous);
      previous = start;
      const name = names[index];
      if (name !== undefined) this.phaseStarts.set(name, start);
      return start;
    });
  }
}

function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** moto sends ISO strings where AWS sends epoch seconds; numbers pass through. */
export function toEpochSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms / 1000;
  }
  return undefined;
}
