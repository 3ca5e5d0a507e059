/** Pure renderers of `support-job list` (and of `status`'s many-jobs overview): the jobs of a region as a table, and as a --json document. */
import type { AlertState } from "../deployed/alert-state.js";
import type { ScheduleStatus } from "../deployed/status.js";
import type { RunSummary } from "../runs/history.js";
import { jobTime } from "./format.js";
import { outcomeLabel, outcomeWord, runToJson, timeAgo } from "./runs.js";
import { paint } from "./style.js";

/** One job as the list shows it. */
export interface JobListing {
  name: string;
  /** false: no CodeBuild project (a job of support-job.json not applied yet, or its project deleted by hand). */
  setUp?: boolean | undefined;
  schedule: ScheduleStatus | undefined;
  lastRun: RunSummary | undefined;
  /** Undefined when the job's reads found nothing to say (never in practice: a job always has an answer). */
  alerts: AlertState | undefined;
}

interface AlertPart {
  text: string;
  /** What must stand out: an unconfirmed email, an alarm in ALARM, no email at all. */
  tone?: "warn" | "bad";
}

/**
 * The alert state in a few words: the email (confirmed, NOT CONFIRMED, or none), the chat webhooks in place, and the
 * missed-run alarm (OK, ALARM, no data yet, not armed yet, not watched). The words carry it without colour.
 */
export function alertParts(alerts: AlertState | undefined): AlertPart[] {
  if (!alerts) return [{ text: "unknown" }];
  const parts: AlertPart[] = [];
  if (alerts.subscription === "confirmed") parts.push({ text: "email confirmed" });
  else if (alerts.subscription === "pending") parts.push({ text: "email NOT CONFIRMED", tone: "warn" });
  else parts.push({ text: "no email", tone: alerts.chatWebhooks === 0 ? "warn" : undefined });
  if (alerts.chatWebhooks > 0) parts.push({ text: `${alerts.chatWebhooks} chat webhook${alerts.chatWebhooks === 1 ? "" : "s"}` });
  const alarm = {
    OK: { text: "alarm OK" },
    ALARM: { text: "ALARM: missed run", tone: "bad" as const },
    INSUFFICIENT_DATA: { text: "alarm no data yet" },
    "not armed": { text: "alarm not armed yet" },
    "not watched": { text: "missed runs not watched" },
    "no alarm": { text: "no missed-run alarm" },
  }[alerts.missedRunAlarm];
  parts.push(alarm);
  return parts;
}

function paintAlerts(parts: readonly AlertPart[]): string {
  return parts.map((p) => (p.tone === "bad" ? paint.bold(paint.red(p.text)) : p.tone === "warn" ? paint.yellow(p.text) : p.text)).join(", ");
}

/** A table cell: its plain text decides the column's width; `show` (colour) is given the padding to put inside it. */
interface Cell {
  plain: string;
  show?: (pad: string) => string;
}

/** The one way a cell is padded to its column's width, colour or not. */
function padCell(cell: Cell, width: number): string {
  const pad = " ".repeat(width - cell.plain.length);
  return cell.show ? cell.show(pad) : cell.plain + pad;
}

const HEADINGS = ["job", "schedule", "state", "last run", "next run"];

/** Pure: the jobs as a table. */
export function renderJobList(jobs: readonly JobListing[], options: { now: Date; timeZone: string; region: string }): string {
  const rows = jobs.map((j) => {
    const ago = j.lastRun?.startTime ? ` ${timeAgo(j.lastRun.startTime, options.now)}` : "";
    const notSetUp = j.setUp === false;
    const state = notSetUp ? "NOT SET UP" : j.schedule ? j.schedule.state : "MISSING";
    const next = j.schedule?.nextRuns[0];
    const nextNone = state === "DISABLED" ? "paused" : "-";
    const cells: Cell[] = [
      { plain: j.name },
      {
        plain:
          notSetUp && !j.schedule
            ? "-"
            : j.schedule
              ? `${j.schedule.expression}${j.schedule.description ? ` · ${j.schedule.description}` : ""}`
              : "(no schedule)",
      },
      { plain: state, show: (pad) => (state === "ENABLED" ? paint.green(state + pad) : paint.yellow(state + pad)) },
      notSetUp
        ? { plain: "-", show: (pad) => paint.dim(`-${pad}`) }
        : j.lastRun
          ? { plain: `✔ ${outcomeWord(j.lastRun.status)}${ago}`, show: (pad) => `${outcomeLabel(j.lastRun?.status ?? "")}${ago}${pad}` }
          : { plain: "no runs yet", show: (pad) => paint.dim(`no runs yet${pad}`) },
      next
        ? { plain: `${jobTime(next, j.schedule?.timezone ?? "UTC", options.timeZone)} (${timeAgo(next, options.now)})` }
        : { plain: nextNone, show: (pad) => paint.dim(nextNone + pad) },
    ];
    return { cells, alerts: notSetUp ? paint.dim("-") : paintAlerts(alertParts(j.alerts)) };
  });
  const widths = HEADINGS.map((heading, i) => Math.max(heading.length, ...rows.map((r) => r.cells[i]?.plain.length ?? 0)));
  const line = (cells: readonly Cell[]) => cells.map((cell, i) => padCell(cell, widths[i] ?? 0)).join("  ");
  const lines = [`${jobs.length} ${jobs.length === 1 ? "job" : "jobs"} in ${options.region}:`];
  lines.push(paint.dim(`  ${line(HEADINGS.map((plain) => ({ plain })))}  alerts`));
  for (const r of rows) lines.push(`  ${line(r.cells)}  ${r.alerts}`);
  const notSetUp = jobs.filter((j) => j.setUp === false).map((j) => j.name);
  if (notSetUp.length)
    lines.push(
      `Not set up in ${options.region}: ${notSetUp.join(", ")} (no CodeBuild project; \`support-job apply\` creates ${notSetUp.length === 1 ? "it" : "them"}).`,
    );
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
      setUp: j.setUp !== false,
      schedule: j.schedule
        ? { expression: j.schedule.expression, timezone: j.schedule.timezone, state: j.schedule.state, description: j.schedule.description ?? null }
        : null,
      lastRun: j.lastRun ? runToJson(j.lastRun) : null,
      nextRun: j.schedule?.nextRuns[0]?.toISOString() ?? null,
      alerts: j.alerts
        ? { email: j.alerts.email ?? null, subscription: j.alerts.subscription, chatWebhooks: j.alerts.chatWebhooks, missedRunAlarm: j.alerts.missedRunAlarm }
        : null,
    })),
  };
}
