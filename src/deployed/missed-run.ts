/**
 * Is the job running when it should? From the schedule, the missed-run alarm's read and the recent runs: the
 * last success, the next due time, on time / late / overdue (Healthchecks.io's model), and what the missed-run
 * alarm watches (or why nothing is watched) and how late it notices a miss. Data only: ../ui/status.ts words it.
 */
import type { Build } from "@aws-sdk/client-codebuild";
import { runTimeliness } from "../desired/missed-run.js";
import { missedRunWatch, runGraceSeconds, type MissedRunWatch } from "../settings/missed-run-window.js";
import type { AlarmState } from "../resources/alarm.js";
import { lastSuccessOf } from "../runs/history.js";
import type { ResolvedSettings } from "../settings/types.js";
import type { JobSchedule } from "./schedule.js";

export interface MissedRunStatus {
  /** "on time", "late", "overdue", "waiting for the first run", "paused", or "unknown" (no schedule we can read). */
  state: string;
  /** "last success 1 day 2 hours ago, next due 2026-12-01 03:00 UTC, on time". */
  sentence: string;
  lastSuccess: Date | undefined;
  nextDue: Date | undefined;
  watched: boolean;
  /** Why missed runs are not watched (watched: false). */
  reason: string | undefined;
  /** What the alarm watches and how late it notices a miss (watched: true). */
  summary: string | undefined;
  windowSeconds: number | undefined;
  noticedWithinSeconds: number | undefined;
  graceSeconds: number;
  /** The job's alarm as CloudWatch holds it; undefined: none (not armed yet, turned off, or not watched). */
  alarm: AlarmSummary | undefined;
  /** The start-refused alarm (the trigger's refused starts, noticed within minutes); undefined: none (turned off). */
  startRefusedAlarm: AlarmSummary | undefined;
}

interface AlarmSummary {
  name: string;
  /** CloudWatch's StateValue (undefined: just created, not read back). */
  state: string | undefined;
  reason: string | undefined;
}

function summary(read: AlarmState | undefined): AlarmSummary | undefined {
  return read ? { name: read.alarm.AlarmName ?? "", state: read.alarm.StateValue, reason: read.alarm.StateReason } : undefined;
}

export interface MissedRunFacts {
  schedule: Pick<JobSchedule, "expression" | "timezone" | "state"> | undefined;
  /** From support-job.json when there is one (grace, --expect-every, off); else the defaults. */
  settings?: Pick<ResolvedSettings, "missedRunAlarm" | "graceSeconds" | "expectEverySeconds"> | undefined;
  alarm: AlarmState | undefined;
  startRefusedAlarm?: AlarmState | undefined;
  builds: readonly Build[];
  /** When the job was set up (the project's creation): nothing is due before. */
  since: Date | undefined;
  now: Date;
}

export function missedRunStatus(facts: MissedRunFacts): MissedRunStatus {
  const { schedule, settings, now } = facts;
  const lastSuccess = lastSuccessOf(facts.builds);
  const alarm = summary(facts.alarm);
  const startRefusedAlarm = summary(facts.startRefusedAlarm);
  const fallbackGrace = settings?.graceSeconds ?? 3600;
  if (!schedule) {
    return {
      ...unwatched("the job has no schedule", fallbackGrace, alarm),
      startRefusedAlarm,
      state: "unknown",
      sentence: "no schedule",
      lastSuccess,
      nextDue: undefined,
    };
  }
  let watch: MissedRunWatch;
  let graceSeconds: number;
  try {
    const options = {
      expression: schedule.expression,
      timezone: schedule.timezone,
      enabled: settings?.missedRunAlarm !== false,
      graceSeconds: settings?.graceSeconds,
      expectEverySeconds: settings?.expectEverySeconds,
      now,
    };
    watch = missedRunWatch(options);
    graceSeconds = runGraceSeconds(watch, options);
  } catch {
    // An expression edited outside support-job that our parser does not take.
    return {
      ...unwatched("support-job cannot read this schedule", fallbackGrace, alarm),
      startRefusedAlarm,
      state: "unknown",
      sentence: schedule.expression,
      lastSuccess,
      nextDue: undefined,
    };
  }
  const timeliness = runTimeliness({
    expression: schedule.expression,
    timezone: schedule.timezone,
    since: facts.since ?? now,
    lastSuccess,
    graceSeconds,
    now,
  });
  const paused = schedule.state === "DISABLED";
  const base = {
    state: paused ? "paused" : timeliness.state,
    sentence: paused ? `${timeliness.sentence.split(", next due")[0] ?? ""}, paused` : timeliness.sentence,
    lastSuccess,
    nextDue: paused ? undefined : timeliness.nextDue,
    startRefusedAlarm,
  };
  if (!watch.watched) return { ...base, ...unwatched(`${watch.reason}${watch.hint ? ` (${watch.hint})` : ""}`, graceSeconds, alarm) };
  return {
    ...base,
    watched: true,
    reason: undefined,
    summary: watch.summary,
    windowSeconds: watch.windowSeconds,
    noticedWithinSeconds: watch.noticedWithinSeconds,
    graceSeconds,
    alarm,
  };
}

function unwatched(
  reason: string,
  graceSeconds: number,
  alarm: MissedRunStatus["alarm"],
): Pick<MissedRunStatus, "watched" | "reason" | "summary" | "windowSeconds" | "noticedWithinSeconds" | "graceSeconds" | "alarm"> {
  return { watched: false, reason, summary: undefined, windowSeconds: undefined, noticedWithinSeconds: undefined, graceSeconds, alarm };
}
