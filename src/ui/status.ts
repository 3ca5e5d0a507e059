/** Pure renderers of a job's status: the summary `status` (and init's closing view) prints, and its --json document. */
import type { JobStatus } from "../deployed/status.js";
import { localTimeZone } from "../schedule/index.js";
import { jobTime } from "./format.js";
import { renderOutcomeSummary, renderRunTable, runToJson, successRate, timeAgo } from "./runs.js";
import { paint } from "./style.js";
import { durationInWords } from "../settings/missed-run-window.js";

export interface StatusViewOptions {
  /** The zone local times are shown in; default: this machine's. */
  timeZone?: string | undefined;
  /** Leave out the drift line (init has just applied the settings). */
  hideDrift?: boolean | undefined;
}

const LABEL_WIDTH = 11;
const row = (label: string, value: string) => `  ${paint.dim(label.padEnd(LABEL_WIDTH))} ${value}`;
const more = (value: string) => `  ${" ".repeat(LABEL_WIDTH)} ${value}`;

/** Pure: the status as lines for stdout and warnings for stderr. */
export function formatStatus(status: JobStatus, options: StatusViewOptions = {}): { lines: string[]; warnings: string[] } {
  const zone = options.timeZone ?? localTimeZone();
  const lines: string[] = [];
  const warnings: string[] = [];
  const { job } = status;

  lines.push(`Job ${paint.bold(status.name)} · ${status.region} · account ${status.account}`);
  if (status.owner !== status.name)
    warnings.push(`CodeBuild project ${status.name} has no ${"support-job:job"} tag for this job: it was not created by support-job.`);
  const source = `${job.repository ?? "(no source)"}${job.branch ? `@${job.branch}` : ""}`;
  lines.push(row("Source", `${source} · ${job.buildspec ?? "buildspec.yml"}`));
  const compute = [
    job.computeType,
    job.image ? `${job.image}${job.environmentType ? ` (${job.environmentType})` : ""}` : undefined,
    job.timeoutMinutes ? `timeout ${job.timeoutMinutes} min` : undefined,
  ]
    .filter(Boolean)
    .join(" · ");
  lines.push(row("Compute", compute || "(unknown)"));

  const schedule = status.schedule;
  if (!schedule) {
    lines.push(row("Schedule", paint.red("missing: nothing starts the job on a schedule")));
    warnings.push(`Job ${status.name} has no schedule rule; run \`support-job init --yes\` with its support-job.json to recreate it.`);
  } else {
    const state = schedule.state === "ENABLED" ? paint.green("ENABLED") : paint.yellow("DISABLED (paused: `support-job resume` turns it back on)");
    const zoneNamed = schedule.timezone === "UTC" || (schedule.description ?? "").includes(`(${schedule.timezone})`);
    const words = `${schedule.description ? `: ${schedule.description}` : ""}${zoneNamed ? "" : ` · time zone ${schedule.timezone}`}`;
    lines.push(row("Schedule", `${schedule.expression}${words} · ${state}`));
    schedule.nextRuns.forEach((run, i) => {
      const text = `${jobTime(run, schedule.timezone, zone)} ${paint.dim(`(${timeAgo(run, status.now)})`)}`;
      lines.push(i === 0 ? row("Next runs", text) : more(text));
    });
    if (schedule.state === "DISABLED") lines.push(row("Next runs", paint.dim("none while paused")));
    // A schedule edited by hand (or saved before support-job refused it) may never fire: say so, never drop the row.
    else if (schedule.nextRuns.length === 0 && schedule.description)
      lines.push(row("Next runs", paint.yellow(`none: ${schedule.neverFires ?? "this schedule never fires again"}`)));
    if (schedule.nextRuns.length > 0 && schedule.approximate) lines.push(more(paint.dim("approximate: a rate schedule counts from when its rule was created")));
  }

  const { alerts } = status;
  if (!alerts.topicExists) {
    lines.push(row("Alerts", paint.red("missing: the alert topic does not exist")));
    warnings.push(`Job ${status.name} has no alert topic: failed runs email nobody. Run \`support-job init --yes\` to recreate it.`);
  } else if (alerts.subscription === "missing") {
    lines.push(row("Alerts", paint.red(`${alerts.email ? `${alerts.email}: ` : ""}no email subscription`)));
    warnings.push(
      `No email subscription on ${alerts.topicArn}: failed runs email nobody. Run \`support-job init --yes\` to subscribe ${alerts.email ?? "an address"}.`,
    );
  } else if (alerts.subscription === "pending") {
    lines.push(row("Alerts", `${alerts.email} · ${paint.yellow("pending confirmation")}`));
    warnings.push(
      `${alerts.email} has not confirmed the alert subscription: no alert can arrive until the link in "AWS Notification - Subscription Confirmation" is clicked. ` +
        `The link expires after 2 days; to get a new one: aws sns subscribe --topic-arn ${alerts.topicArn} --protocol email --notification-endpoint ${alerts.email}`,
    );
  } else lines.push(row("Alerts", `${alerts.email} · ${paint.green("confirmed")}`));
  for (const other of alerts.others)
    lines.push(more(`${other.email} · ${other.subscription === "confirmed" ? "confirmed" : paint.yellow("pending confirmation")}`));
  const chats = alerts.chatWebhooks ?? [];
  if (chats.length) lines.push(more(`chat ${chats.length === 1 ? "webhook" : "webhooks"} ${chats.join(", ")} · in place`));

  lines.push(...missedRunLines(status));

  const tryRole = status.resources.tryRole;
  if (tryRole) lines.push(row("Permissions", `try role ${tryRole.name} exists; remove it with \`support-job permissions done\``));

  if (!options.hideDrift) {
    const drift = status.drift;
    if (!drift.checked) lines.push(row("Drift", paint.dim(`not checked: ${drift.reason}`)));
    else if (drift.steps.length === 0) lines.push(row("Drift", `${paint.green("none")}: AWS matches support-job.json`));
    else {
      lines.push(
        row(
          "Drift",
          paint.yellow(
            `${drift.steps.length} ${drift.steps.length === 1 ? "resource differs" : "resources differ"} from support-job.json (\`support-job init --yes\` applies it):`,
          ),
        ),
      );
      for (const step of drift.steps) {
        const what = step.action === "create" ? "missing" : step.action === "conflict" ? "not the job's" : step.action === "delete" ? "to delete" : "changed";
        lines.push(more(`${step.label} ${step.name}: ${what}`));
        for (const c of step.changes) lines.push(more(`  ${c.field}: ${paint.dim(c.from ?? "(none)")} → ${c.to ?? "(none)"}`));
      }
    }
  }

  lines.push("");
  const count = status.runs.length;
  if (count === 0) lines.push(`${paint.bold("Runs")}: none yet. Start one with \`support-job run-now\`.`);
  else {
    lines.push(`${paint.bold(`Last ${count} ${count === 1 ? "run" : "runs"}`)} ${paint.dim("(newest first)")}: ${renderOutcomeSummary(status.runs)}`);
    lines.push(renderRunTable(status.runs, { now: status.now, timeZone: zone }));
    if (status.moreRuns) lines.push(paint.dim(`  … older runs not shown (--limit up to 100)`));
  }
  const cost = status.cost;
  if (cost && cost.runs > 0) {
    const usd = cost.usd === undefined ? "no price for this compute in support-job's table" : `≈ $${cost.usd.toFixed(2)}`;
    const bound = cost.partial ? "at least " : "";
    lines.push(
      row(
        "Last 30 days",
        `${bound}${cost.runs} ${cost.runs === 1 ? "run" : "runs"}, ${bound}${cost.billedMinutes} billed ${cost.billedMinutes === 1 ? "minute" : "minutes"} ${usd}${paint.dim(`${cost.partial ? " (only the runs shown; --limit 100 reads more)" : ""}${cost.note ? `; ${cost.note}` : ""}`)}`,
      ),
    );
  }
  const report = status.lastReport;
  if (report) {
    const counts = `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped (of ${report.total})`;
    lines.push("");
    lines.push(
      row("Test report", `${report.failed > 0 ? paint.red(counts) : paint.green(counts)} ${paint.dim(`run ${report.buildId}, ${report.groups.join(", ")}`)}`),
    );
    if (report.firstFailure) lines.push(more(`first failure: ${report.firstFailure}`));
  }
  return { lines, warnings };
}

/** CloudWatch's StateValue, red for ALARM, green for OK ("created": just made, not read back). */
function alarmState(state: string | undefined): string {
  return state === "ALARM" ? paint.red("ALARM") : state === "OK" ? paint.green("OK") : (state ?? "created");
}

/** "last success 26 h ago, next due 03:00, on time", the missed-run and start-refused alarms, overlap and retries. */
function missedRunLines(status: JobStatus): string[] {
  const m = status.missedRun;
  const tone = m.state === "overdue" ? paint.red : m.state === "late" ? paint.yellow : (text: string) => text;
  const lines = [row("Timeliness", tone(m.sentence))];
  if (!m.watched) lines.push(row("Missed runs", paint.yellow(`not watched: ${m.reason ?? ""}`)));
  else {
    const alarm = m.alarm
      ? `alarm ${alarmState(m.alarm.state)}`
      : paint.yellow("alarm not armed yet (the next `support-job init --yes` after the first success or the first due run arms it)");
    lines.push(row("Missed runs", alarm), more(paint.dim(m.summary ?? "")));
  }
  const refused = m.startRefusedAlarm;
  lines.push(
    row(
      "Refused starts",
      refused
        ? `alarm ${alarmState(refused.state)} ${paint.dim("(a start AWS refused is noticed within 5 minutes)")}`
        : paint.yellow("not watched (--no-missed-run-alarm)"),
    ),
  );
  const parallel =
    status.maxParallel === undefined
      ? "no limit on overlapping runs"
      : status.maxParallel === 1
        ? "one run at a time"
        : `at most ${status.maxParallel} runs at once`;
  lines.push(
    row(
      "Overlap",
      `${parallel} · ${status.retries === 0 ? "no retries" : `a failed run is retried up to ${status.retries} ${status.retries === 1 ? "time" : "times"}`}`,
    ),
  );
  return lines;
}

/** The status as one JSON document; the shape is documented in docs/status-json.md. */
export function statusToJson(status: JobStatus): Record<string, unknown> {
  const rate = successRate(status.runs);
  return {
    name: status.name,
    region: status.region,
    account: status.account,
    managedBySupportJob: status.owner === status.name,
    job: {
      repository: status.job.repository ?? null,
      sourceType: status.job.sourceType ?? null,
      branch: status.job.branch ?? null,
      buildspec: status.job.buildspec ?? null,
      computeType: status.job.computeType ?? null,
      image: status.job.image ?? null,
      environmentType: status.job.environmentType ?? null,
      timeoutMinutes: status.job.timeoutMinutes ?? null,
    },
    resources: Object.fromEntries(Object.entries(status.resources).map(([key, r]) => [key, { name: r.name, arn: r.arn }])),
    schedule: status.schedule
      ? {
          kind: status.schedule.kind,
          name: status.schedule.name,
          expression: status.schedule.expression,
          timezone: status.schedule.timezone,
          state: status.schedule.state,
          description: status.schedule.description ?? null,
          nextRuns: status.schedule.nextRuns.map((d) => d.toISOString()),
          nextRunsApproximate: status.schedule.approximate,
        }
      : null,
    alerts: {
      topicArn: status.alerts.topicArn,
      email: status.alerts.email ?? null,
      subscription: status.alerts.subscription,
      others: status.alerts.others,
      chatWebhooks: status.alerts.chatWebhooks ?? [],
    },
    lastSuccess: status.missedRun.lastSuccess?.toISOString() ?? null,
    nextDue: status.missedRun.nextDue?.toISOString() ?? null,
    missedRun: missedRunToJson(status.missedRun),
    maxParallel: status.maxParallel ?? null,
    retries: status.retries,
    runs: status.runs.map(runToJson),
    runsSummary: { shown: status.runs.length, finished: rate.finished, succeeded: rate.succeeded, successRate: rate.percent ?? null, more: status.moreRuns },
    cost30Days: status.cost
      ? { runs: status.cost.runs, billedMinutes: status.cost.billedMinutes, usd: status.cost.usd ?? null, lowerBound: status.cost.partial }
      : null,
    lastReport: status.lastReport
      ? {
          runId: status.lastReport.buildId,
          reportGroups: status.lastReport.groups,
          total: status.lastReport.total,
          passed: status.lastReport.passed,
          failed: status.lastReport.failed,
          skipped: status.lastReport.skipped,
          firstFailure: status.lastReport.firstFailure ?? null,
        }
      : null,
    drift: status.drift.checked
      ? {
          checked: true,
          changes: status.drift.steps.map((s) => ({ resource: s.key, label: s.label, name: s.name, action: s.action, changes: s.changes, notes: s.notes })),
        }
      : { checked: false, reason: status.drift.reason, changes: [] },
  };
}

function missedRunToJson(m: JobStatus["missedRun"]): Record<string, unknown> {
  const seconds = (value: number | undefined) => (value === undefined ? null : { seconds: value, words: durationInWords(value) });
  return {
    state: m.state,
    sentence: m.sentence,
    watched: m.watched,
    reason: m.reason ?? null,
    summary: m.summary ?? null,
    window: seconds(m.windowSeconds),
    grace: seconds(m.graceSeconds),
    noticedWithin: seconds(m.noticedWithinSeconds),
    alarm: m.alarm ? { name: m.alarm.name, state: m.alarm.state ?? null, reason: m.alarm.reason ?? null } : null,
    startRefusedAlarm: m.startRefusedAlarm
      ? { name: m.startRefusedAlarm.name, state: m.startRefusedAlarm.state ?? null, reason: m.startRefusedAlarm.reason ?? null }
      : null,
  };
}
