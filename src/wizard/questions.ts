/**
 * What the wizard asks, without a terminal: each question's text, help, default, validation (the checks of
 * settings/validate.ts) and choices, plus the pure helpers behind the defaults and the schedule preview.
 */
import {
  describeSchedule,
  dailyAt,
  everyDays,
  everyHours,
  everyMinutes,
  monthlyAt,
  neverFiresProblem,
  nextRuns,
  ScheduleError,
  timeOfDayProblem,
  weekdaysAt,
  weeklyAt,
  type Weekday,
} from "../schedule/index.js";
import { PRICES, pricePerMinute, type Compute } from "../desired/prices.js";
import {
  ALERT_STATUSES,
  COMPUTE_TYPES,
  DEFAULT_ALERT_ON,
  DEFAULT_IMAGES,
  GPU_COMPUTE,
  LOG_RETENTION_DAYS,
  MAX_JOB_NAME,
  type AlertStatus,
  type Arch,
} from "../settings/types.js";
import type { NamedChoice } from "../resources/network.js";
import {
  checkBranch,
  checkBuildspec,
  checkCache,
  checkQueuedTimeout,
  checkEmail,
  checkEnv,
  checkImage,
  checkName,
  checkPolicyArn,
  checkPolicyFile,
  checkRepository,
  checkSchedule,
  checkTimeout,
  checkDuration,
  checkMaxParallel,
  checkRetries,
  checkTimezone,
  sshToHttps,
  type Check,
  checkAlertWebhook,
} from "../settings/validate.js";
import { timeInZones } from "../ui/format.js";
import { paint } from "../ui/style.js";
import type { Choice, ChoiceQuestion, Heading, PickQuestion, TextQuestion, YesNoQuestion } from "./prompts.js";

/** A check as a prompt validator: true, or the problem with its example. */
export function fromCheck<T>(check: Check<T>): true | string {
  if (check.ok) return true;
  return check.example ? `${check.problem} (e.g. ${check.example})` : check.problem;
}

/** A text answer checked as its flag is: the current value as the default, the flag's check as the validator. */
function checkedQuestion<T>(message: string, help: string, current: string | number | undefined, check: (value: string) => Check<T>): TextQuestion {
  return { message, help, default: current === undefined ? undefined : String(current), validate: (value) => fromCheck(check(value)) };
}

// ---------------------------------------------------------------------------------------------------
// Defaults from the folder's git checkout

/** The HTTPS clone URL CodeBuild needs, from what `git remote get-url origin` printed; undefined for a local path. */
export function repositoryFromRemote(remote: string | undefined): string | undefined {
  const value = remote?.trim();
  if (!value) return undefined;
  let https = sshToHttps(value);
  if (!https) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    // A token in the remote URL must not end up in support-job.json.
    url.username = "";
    url.password = "";
    https = url.toString();
  }
  const check = checkRepository(https);
  if (check.ok) return check.value.location;
  // A self-hosted server: still the right URL, the wizard asks which kind of server it is.
  return https.replace(/\/+$/, "");
}

/** The job name a repository suggests: its last path segment, made a valid name. */
export function nameFromRepository(repository: string | undefined): string | undefined {
  const last =
    repository
      ?.trim()
      .replace(/\/+$/, "")
      .split("/")
      .pop()
      ?.replace(/\.git$/i, "") ?? "";
  const name = last
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, MAX_JOB_NAME)
    .replace(/[-_]+$/, "");
  return checkName(name).ok ? name : undefined;
}

/** The branch to suggest: the checked-out one, not "HEAD" (a detached checkout). */
export function branchFromGit(abbrevRef: string | undefined): string | undefined {
  const value = abbrevRef?.trim();
  return value && value !== "HEAD" ? value : undefined;
}

/** Whether two clone URLs name the same repository (case, .git and a trailing slash aside). */
export function sameRepository(a: string | undefined, b: string | undefined): boolean {
  const norm = (u: string | undefined) =>
    u
      ? u
          .trim()
          .toLowerCase()
          .replace(/\/+$/, "")
          .replace(/\.git$/, "")
      : undefined;
  return norm(a) !== undefined && norm(a) === norm(b);
}

export function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url.trim()).hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** undefined when the text looks like a CodeBuild buildspec (top-level `version` and `phases`), else why not. */
export function buildspecProblem(text: string): string | undefined {
  const keys = new Map<string, string>();
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const key = /^([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line);
    if (key?.[1]) keys.set(key[1], (key[2] ?? "").replace(/\s+#.*$/, "").trim());
  }
  if (text.trim() === "") return "is empty";
  const missing = ["version", "phases"].filter((k) => !keys.has(k));
  if (missing.length > 0)
    return `has no top-level ${missing.join(" or ")} key, so it does not look like a CodeBuild buildspec (it needs "version: 0.2" and "phases:")`;
  const version = keys.get("version")?.replace(/^["']|["']$/g, "");
  if (version !== "0.2" && version !== "0.1") return `says version: ${version || "(empty)"}; CodeBuild buildspecs use version: 0.2`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Source

export function repositoryQuestion(current: string | undefined, sourceType: string | undefined): TextQuestion {
  return {
    message: "Repository with the script (HTTPS clone URL)",
    help: "CodeBuild clones it at every run. GitHub, GitLab, Bitbucket, CodeCommit or a self-hosted GitHub/GitLab.",
    default: current,
    // An unknown host is fine here: the next question asks which kind of server it is.
    validate: (value) => {
      const check = checkRepository(value, sourceType);
      if (check.ok || (!sourceType && checkRepository(value, "GITHUB_ENTERPRISE").ok)) return true;
      return fromCheck(check);
    },
  };
}

export function sourceTypeQuestion(host: string, current: string | undefined): ChoiceQuestion<string> {
  return {
    message: `Which kind of server is ${host}?`,
    choices: [
      { value: "GITHUB_ENTERPRISE", name: "GitHub Enterprise Server" },
      { value: "GITLAB_SELF_MANAGED", name: "GitLab self-managed" },
    ],
    default: current,
  };
}

export function nameQuestion(current: string | undefined, renaming: boolean): TextQuestion {
  return {
    message: "Job name",
    help: [
      `Names the CodeBuild project and every resource set up for it. Letters, digits, - and _; at most ${MAX_JOB_NAME}.`,
      ...(renaming ? ["Changing it sets up a second job; the one in support-job.json stays as it is."] : []),
    ].join("\n"),
    default: current,
    validate: (value) => fromCheck(checkName(value)),
    live: (value) => {
      const check = checkName(value);
      return check.ok ? undefined : check.problem.replace(/^"[^"]*"\s*/, "");
    },
  };
}

export function branchQuestion(current: string | undefined): TextQuestion {
  return {
    message: "Branch to run",
    help: "Empty (Backspace) = the repository's default branch. A dedicated branch, e.g. support-jobs,\nkeeps half-finished scripts from running on schedule.",
    default: current,
    emptyAnswer: "the repository's default branch",
    validate: (value) => fromCheck(checkBranch(value)),
  };
}

export function buildspecQuestion(current: string, found: readonly string[]): TextQuestion {
  const others = found.filter((f) => f !== current);
  return {
    message: "Buildspec path in the repository",
    help: [
      "The YAML file that says what to run (version: 0.2, phases: build: commands: ...).",
      ...(others.length > 0 ? [`Found here: ${found.slice(0, 5).join(", ")}${found.length > 5 ? ", …" : ""}`] : []),
    ].join("\n"),
    default: current,
    validate: (value) => fromCheck(checkBuildspec(value)),
  };
}

export function keepBuildspecQuestion(path: string): YesNoQuestion {
  return { message: `Use ${path} anyway?`, help: "Yes if it is on the branch but not in this checkout.", default: true };
}

// ---------------------------------------------------------------------------------------------------
// Schedule

export type SchedulePreset = "keep" | "minutes" | "hours" | "days" | "daily" | "weekdays" | "weekly" | "monthly" | "expression";

export function scheduleQuestion(current: { schedule: string; timezone: string } | undefined): ChoiceQuestion<SchedulePreset> {
  const keep = current ? describeOrRaw(current.schedule, current.timezone) : undefined;
  return {
    message: "When should the job run?",
    choices: [
      ...(current && keep ? [{ value: "keep" as const, name: `As now: ${keep}`, short: keep, description: current.schedule }] : []),
      { value: "minutes", name: "Every N minutes" },
      { value: "hours", name: "Every N hours" },
      { value: "days", name: "Every N days" },
      { value: "daily", name: "Every day at a time" },
      { value: "weekdays", name: "Monday to Friday at a time" },
      { value: "weekly", name: "Once a week, on a day at a time" },
      { value: "monthly", name: "Once a month, on a day at a time" },
      { value: "expression", name: "Type a rate(...) or cron(...) expression", description: "EventBridge syntax, e.g. cron(0 7 ? * MON-FRI *)" },
    ],
    default: keep ? "keep" : "daily",
  };
}

const UNIT: Record<"minutes" | "hours" | "days", { word: string; make: (n: number) => string; default: string }> = {
  minutes: { word: "minutes", make: everyMinutes, default: "15" },
  hours: { word: "hours", make: everyHours, default: "6" },
  days: { word: "days", make: everyDays, default: "1" },
};

export function everyQuestion(unit: "minutes" | "hours" | "days"): TextQuestion {
  return {
    message: `Every how many ${UNIT[unit].word}?`,
    default: UNIT[unit].default,
    validate: (value) => {
      if (!/^\s*\d+\s*$/.test(value)) return `"${value}" is not a whole number`;
      try {
        return fromCheck(checkSchedule(UNIT[unit].make(Number(value))));
      } catch (error) {
        if (error instanceof ScheduleError) return error.message;
        throw error;
      }
    },
  };
}

export function timeQuestion(current = "06:00"): TextQuestion {
  return {
    message: "At what time? (HH:MM, 24-hour)",
    help: "In the time zone you choose next.",
    default: current,
    validate: (value) => timeOfDayProblem(value) ?? true,
  };
}

const WEEKDAYS: readonly [Weekday, string][] = [
  ["MON", "Monday"],
  ["TUE", "Tuesday"],
  ["WED", "Wednesday"],
  ["THU", "Thursday"],
  ["FRI", "Friday"],
  ["SAT", "Saturday"],
  ["SUN", "Sunday"],
];

export function weekdayQuestion(): ChoiceQuestion<Weekday> {
  return { message: "On which day?", choices: WEEKDAYS.map(([value, name]) => ({ value, name })), default: "MON" };
}

export function dayOfMonthQuestion(): TextQuestion {
  return {
    message: "On which day of the month? (1–31)",
    help: "29, 30 and 31 are skipped in months without them.",
    default: "1",
    validate: (value) => (/^\s*\d{1,2}\s*$/.test(value) && Number(value) >= 1 && Number(value) <= 31 ? true : `"${value}" is not a day 1–31`),
  };
}

export function expressionQuestion(current: string | undefined): TextQuestion {
  return checkedQuestion(
    "Schedule expression",
    "rate(5 minutes), rate(1 day), or cron(minutes hours day-of-month month day-of-week year),\ne.g. cron(0 7 ? * MON-FRI *) for 07:00 on weekdays.",
    current,
    checkSchedule,
  );
}

export interface PresetAnswers {
  every?: number;
  time?: string;
  weekday?: Weekday;
  dayOfMonth?: number;
  expression?: string;
}

/** The EventBridge expression of a preset and its follow-up answers. */
export function presetExpression(preset: Exclude<SchedulePreset, "keep">, answers: PresetAnswers): string {
  const time = answers.time ?? "06:00";
  switch (preset) {
    case "minutes":
    case "hours":
    case "days":
      return UNIT[preset].make(answers.every ?? 1);
    case "daily":
      return dailyAt(time);
    case "weekdays":
      return weekdaysAt(time);
    case "weekly":
      return weeklyAt(answers.weekday ?? "MON", time);
    case "monthly":
      return monthlyAt(answers.dayOfMonth ?? 1, time);
    case "expression":
      return (answers.expression ?? "").trim();
  }
}

export const isRate = (expression: string): boolean => expression.trim().startsWith("rate(");

export const OTHER_ZONE = "\u0000other";

export function timezoneQuestion(current: string | undefined, localZone: string): ChoiceQuestion<string> {
  // Only zones EventBridge Scheduler takes: a hand-edited support-job.json or an odd system zone is left out.
  const usable = (zone: string | undefined): string[] => {
    const check = checkTimezone(zone ?? "");
    return zone && check.ok ? [check.value] : [];
  };
  const zones = [...usable(localZone), "UTC", ...usable(current)].filter((z, i, all) => all.indexOf(z) === i);
  return {
    message: "In which time zone?",
    help: "A city's zone follows its daylight saving changes (EventBridge Scheduler); UTC never moves.",
    choices: [
      ...zones.map((zone) => ({
        value: zone,
        name: zone === localZone ? `${zone} (this computer's zone)` : zone === "UTC" ? "UTC" : `${zone} (as now)`,
        short: zone,
      })),
      { value: OTHER_ZONE, name: "Other…", description: "Type an IANA name such as America/New_York" },
    ],
    default: usable(current)[0] ?? zones[0],
  };
}

export function otherZoneQuestion(current: string | undefined): TextQuestion {
  return checkedQuestion("Time zone (IANA name)", "e.g. Europe/Paris, America/New_York, Asia/Tokyo", current, checkTimezone);
}

function describeOrRaw(expression: string, timezone: string): string | undefined {
  try {
    return describeSchedule(expression, timezone);
  } catch {
    return undefined;
  }
}

/** What a schedule means in words and when it runs next, in its zone and on this computer's clock. */
export function schedulePreview(expression: string, timezone: string, localZone: string, from: Date, count = 5): string[] {
  const lines = [`  Runs ${paint.bold(describeSchedule(expression, timezone))}.`];
  lines.push(isRate(expression) ? `  Next ${count} runs if it started now (a rate counts from when the job is created):` : `  Next ${count} runs:`);
  const runs = nextRuns(expression, { from, count, timezone });
  for (const run of runs) {
    // Etc/UTC on this computer reads the same as a UTC schedule, and is not repeated.
    const [there, here] = timeInZones(run, [timezone, localZone]);
    lines.push(here === undefined ? `    ${there ?? ""}` : `    ${there ?? ""}   ${paint.dim(`${here} on this computer`)}`);
  }
  // An empty list would read as a display glitch: say that it never fires, and why (init refuses it anyway).
  if (runs.length === 0) lines.push(`    ${paint.yellow(neverFiresProblem(expression, timezone, from) ?? "it never fires")}; answer No to pick another.`);
  return lines;
}

export function confirmScheduleQuestion(): YesNoQuestion {
  return { message: "Use this schedule?", help: "No to pick another one.", default: true };
}

// ---------------------------------------------------------------------------------------------------
// Compute

export const computeKey = (computeType: string, arch: Arch): string => `${computeType} ${arch}`;

export function parseComputeKey(key: string): { computeType: string; arch: Arch } {
  const [computeType = "", arch] = key.split(" ");
  return { computeType, arch: arch === "arm64" ? "arm64" : "x86_64" };
}

export function computeQuestion(current: string, only?: { computeType?: string | undefined; arch?: Arch | undefined }): ChoiceQuestion<string> {
  const choices: (Choice<string> | Heading)[] = [];
  for (const arch of ["x86_64", "arm64"] as const) {
    if (only?.arch && only.arch !== arch) continue;
    choices.push({ heading: arch === "x86_64" ? "x86_64 (Intel/AMD)" : "arm64 (AWS Graviton: cheaper per minute; the script must run on ARM)" });
    for (const type of COMPUTE_TYPES) {
      const size = arch === "x86_64" ? type.x86 : type.arm;
      if (!size || (only?.computeType && only.computeType !== type.id)) continue;
      choices.push({
        value: computeKey(type.id, arch),
        name: `${type.label.padEnd(8)} ${String(size.vcpus).padStart(2)} vCPUs  ${size.memory.padStart(6)} memory  ${minutePrice({ computeType: type.id, arch })}${type.note ? paint.dim(`  (${type.note})`) : ""}`,
        short: `${type.label} ${arch} (${size.vcpus} vCPUs, ${size.memory})`,
        description: `${type.id} on ${arch}, image ${DEFAULT_IMAGES[arch]}`,
      });
    }
  }
  return {
    message: "Compute size",
    help: `Memory and CPUs of the container the script runs in; small fits most scripts. On-demand prices per build-minute in ${PRICES.region} (${PRICES.date}; other regions may differ), billed per started minute; the first ${PRICES.freeTierMinutes} minutes a month on small are free.`,
    choices,
    default: current,
  };
}

/** "$0.005/min" in the size list, or "price: see AWS" for a size the table has no price for. */
function minutePrice(compute: Compute): string {
  const price = pricePerMinute(compute);
  return price === undefined ? paint.dim("price: see AWS") : `$${price}/min`;
}

export function advancedQuestion(image: string | undefined, timeout: string | number | undefined, webhooks?: number): YesNoQuestion {
  const parts = [
    ...(image !== undefined ? [`image ${image} (follows the compute size)`] : []),
    ...(timeout !== undefined ? [`timeout ${timeout} minutes`] : []),
    ...(webhooks !== undefined ? [webhooks ? `${webhooks} chat webhook${webhooks === 1 ? "" : "s"}` : "alerts by email only"] : []),
  ];
  const change = [image !== undefined ? "image" : "", timeout !== undefined ? "timeout" : ""].filter(Boolean).join(" or the ");
  const chat = webhooks !== undefined ? "send alerts to chat" : "";
  return {
    message: change && chat ? `Change the ${change}, or ${chat}?` : change ? `Change the ${change}?` : `${chat[0]?.toUpperCase() ?? ""}${chat.slice(1)}?`,
    help: `Now: ${parts.join(", ")}. Yes also asks about overlapping runs, retries and the missed-run alarm's grace.`,
    default: false,
  };
}

/** One more chat webhook (Slack, Teams Workflows, Discord or kind=URL); Enter on an empty line: no more. */
export function webhookQuestion(count: number): TextQuestion {
  return {
    message: count ? "Another chat webhook URL" : "Chat webhook URL",
    help: "Slack, Teams (Workflows), Discord or generic=https://...; the URL is a secret: it is never saved or shown. Enter: none.",
    emptyAnswer: "none",
    validate: (value) => (value.trim() === "" ? true : fromCheck(checkAlertWebhook(value))),
    shown: (value) => {
      const check = value.trim() ? checkAlertWebhook(value) : undefined;
      return check?.ok ? `${check.value.key} (${check.value.display ?? ""})` : "";
    },
  };
}

export function imageQuestion(current: string, arch: Arch): TextQuestion {
  const help = `A CodeBuild image (aws/codebuild/...), an ECR image or a public one; it must be built for ${arch}.`;
  return checkedQuestion("Build image", help, current, (value) => checkImage(value, arch));
}

export function timeoutQuestion(current: string | number): TextQuestion {
  return checkedQuestion("Timeout (minutes)", "CodeBuild stops a run after this long (5–2160) and reports TIMED_OUT.", current, checkTimeout);
}

export function maxParallelQuestion(current: string | number): TextQuestion {
  return checkedQuestion(
    "Runs at once (max parallel)",
    "1: a scheduled start while a run is still going is refused (the missed-run alarm notices); up to 100.",
    current,
    checkMaxParallel,
  );
}

export function retriesQuestion(current: string | number): TextQuestion {
  return checkedQuestion(
    "Retries of a failed run",
    "CodeBuild re-runs a failed run itself this many times (0–10); the alert comes only from the last attempt.",
    current,
    checkRetries,
  );
}

export function graceQuestion(current: string | undefined): TextQuestion {
  return checkedQuestion(
    "Missed-run alarm grace (empty: 10% of the gap, at least 15m)",
    "How late a run may succeed before the alarm emails you, e.g. 30m or 2h.",
    current ?? "",
    (value) => checkDuration("--grace", value),
  );
}

/** The image for an architecture: the current one if it fits, else that architecture's default. */
export function imageFor(current: string | undefined, arch: Arch): string {
  return current && checkImage(current, arch).ok ? current : DEFAULT_IMAGES[arch];
}

// ---------------------------------------------------------------------------------------------------
// Alerts

export function emailQuestion(current: string | undefined): TextQuestion {
  return checkedQuestion("Alert email", "AWS first sends it a confirmation link: alerts arrive only once it is clicked.", current, checkEmail);
}

const ALERT_HELP: Record<AlertStatus, string> = {
  FAILED: "the script failed (a command exited with an error)",
  STOPPED: "someone stopped the run",
  TIMED_OUT: "the run took longer than the timeout",
  FAULT: "CodeBuild itself failed (e.g. could not clone the repository)",
  SUCCEEDED: "every run that worked: handy for a first trial, turn it off later",
  IN_PROGRESS: "every time a run starts (noisy)",
};

export function alertQuestion(current: readonly string[] | undefined): PickQuestion<AlertStatus> {
  const chosen = current && current.length > 0 ? current.map((s) => s.trim().toUpperCase()) : DEFAULT_ALERT_ON;
  return {
    message: "Send an alert when a run…",
    choices: ALERT_STATUSES.map((status) => ({
      value: status,
      name: `${status.padEnd(11)} ${paint.dim(ALERT_HELP[status])}`,
      short: status,
      checked: chosen.includes(status),
    })),
    required: "tick at least one, or nobody hears about failures",
  };
}

// ---------------------------------------------------------------------------------------------------
// Environment variables

export type EnvKind = "plain" | "ssm" | "secretsmanager";

/** `KEY=VALUE`, `KEY=ssm:/name` or `KEY=secretsmanager:id` as --env and support-job.json spell them. */
export function envEntry(name: string, kind: EnvKind, value: string): string {
  const key = name.trim();
  const v = value.trim();
  if (kind === "ssm") return `${key}=ssm:${v.replace(/^ssm:/, "")}`;
  if (kind === "secretsmanager") return `${key}=secretsmanager:${v.replace(/^secretsmanager:/, "")}`;
  // As with --env: a value written as a reference (ssm:..., secretsmanager:...) is one, plain:VALUE forces plain.
  return `${key}=${value}`;
}

export const envName = (entry: string): string => entry.slice(0, Math.max(0, entry.indexOf("="))).trim();

/** "STAGE = prod", "DB_PASSWORD ← Parameter Store /cleanup/db" */
export function envLabel(entry: string): string {
  const check = checkEnv(entry);
  if (!check.ok) return entry;
  const { name, value, type } = check.value;
  if (type === "PARAMETER_STORE") return `${name} ← Parameter Store ${value}`;
  if (type === "SECRETS_MANAGER") return `${name} ← Secrets Manager ${value}`;
  return `${name} = ${value}`;
}

/** A name whose plain value checkEnv would refuse as a likely secret. */
const looksSecret = (name: string): boolean => !checkEnv(`${name}=x`).ok && checkEnv(`${name}=plain:x`).ok;

export type ListAction = { kind: "done" } | { kind: "add" } | { kind: "file" } | { kind: "remove"; item: string };

export function envMenuQuestion(entries: readonly string[]): ChoiceQuestion<ListAction> {
  return {
    message: "Environment variables for the script (optional)",
    help: [
      ...entries.map((entry) => `• ${envLabel(entry)}`),
      "Secrets stay in Parameter Store or Secrets Manager: the job gets a reference, never the value.",
    ].join("\n"),
    choices: [
      {
        value: { kind: "done" },
        name: entries.length ? "Keep these, continue" : "None, continue",
        short: entries.length ? entries.map(envName).join(", ") : "none",
      },
      { value: { kind: "add" }, name: "Add a variable", short: "adding one" },
      ...entries.map((entry) => ({ value: { kind: "remove" as const, item: entry }, name: `Remove ${envLabel(entry)}`, short: `removing ${envName(entry)}` })),
    ],
  };
}

export function envNameQuestion(taken: readonly string[]): TextQuestion {
  return {
    message: "Variable name",
    help: "e.g. STAGE or DB_PASSWORD",
    validate: (value) => {
      const name = value.trim();
      if (taken.includes(name)) return `${name} is already set; remove it first to change it`;
      return fromCheck(checkEnv(`${name}=plain:x`));
    },
  };
}

export function envKindQuestion(name: string): ChoiceQuestion<EnvKind> {
  return {
    message: `Where does ${name}'s value come from?`,
    choices: [
      { value: "plain", name: "A plain value", description: "Stored in the CodeBuild project, readable by anyone who can see it" },
      { value: "ssm", name: "A Parameter Store parameter", description: "The job reads it at start; a SecureString stays encrypted at rest" },
      { value: "secretsmanager", name: "A Secrets Manager secret", description: "secret-id, or secret-id:json-key for one key of a JSON secret" },
    ],
    default: looksSecret(name) ? "ssm" : "plain",
  };
}

export function envValueQuestion(name: string, kind: EnvKind): TextQuestion {
  const message = { plain: `Value of ${name}`, ssm: `Parameter name for ${name}`, secretsmanager: `Secret for ${name}` }[kind];
  const help = {
    plain: "Not a secret: write plain:VALUE to keep a value that only looks like one.",
    ssm: "e.g. /cleanup/db-password (the job is allowed to read this parameter)",
    secretsmanager: "e.g. cleanup/api-token or cleanup/api:token for one JSON key (the job is allowed to read it)",
  }[kind];
  return { message, help, validate: (value) => fromCheck(checkEnv(envEntry(name, kind, value))) };
}

// ---------------------------------------------------------------------------------------------------
// Extra permissions

export function permissionsMenuQuestion(
  policyArns: readonly string[],
  policyFile: string | undefined,
  allow: { arns: boolean; file: boolean },
): ChoiceQuestion<ListAction> {
  const now = [...policyArns, ...(policyFile ? [policyFile] : [])];
  const short = (item: string) => item.replace(/^arn:[^:]+:iam::[^:]*:policy\//, "");
  return {
    message: "Extra AWS permissions for the script (optional)",
    help: [
      ...now.map((item) => `• ${item}`),
      "The job can already write its logs and read the parameters and secrets its variables name;",
      "add what the script itself does in AWS, e.g. read an S3 bucket.",
    ].join("\n"),
    choices: [
      { value: { kind: "done" }, name: now.length ? "Keep these, continue" : "None, continue", short: now.length ? now.map(short).join(", ") : "none" },
      ...(allow.arns ? [{ value: { kind: "add" as const }, name: "Attach a managed policy (ARN)", short: "adding a policy" }] : []),
      ...(allow.file
        ? [
            {
              value: { kind: "file" as const },
              name: policyFile ? `Use another policy file than ${policyFile}` : "Use a JSON policy file",
              short: "policy file",
            },
          ]
        : []),
      ...(allow.arns
        ? policyArns.map((arn) => ({ value: { kind: "remove" as const, item: arn }, name: `Remove ${arn}`, short: `removing ${short(arn)}` }))
        : []),
      ...(allow.file && policyFile
        ? [{ value: { kind: "remove" as const, item: policyFile }, name: `Remove ${policyFile}`, short: `removing ${policyFile}` }]
        : []),
    ],
  };
}

export function policyArnQuestion(taken: readonly string[]): TextQuestion {
  return {
    message: "Managed policy ARN",
    help: "e.g. arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess, or one of your account's policies",
    validate: (value) => (taken.includes(value.trim()) ? "already attached" : fromCheck(checkPolicyArn(value))),
  };
}

export function policyFileQuestion(current: string | undefined, cwd: string): TextQuestion {
  const help = 'An IAM identity policy: {"Version": "2012-10-17", "Statement": [...]}; it becomes one managed policy.';
  return checkedQuestion("Policy file (JSON, relative to this folder)", help, current, (value) => checkPolicyFile(value.trim(), cwd));
}

// ---------------------------------------------------------------------------------------------------
// Advanced: log retention, queued timeout, GPU, S3 cache, VPC (Enter keeps each as it is)

export interface ExtrasNow {
  logRetentionDays: number;
  queuedTimeout: number;
  gpu: boolean;
  cache: string | undefined;
  vpcId: string | undefined;
}

export function extrasQuestion(now: ExtrasNow): YesNoQuestion {
  const parts = [
    now.logRetentionDays === 0 ? "logs never expire" : `logs kept ${now.logRetentionDays} days`,
    `a queued run waits up to ${now.queuedTimeout} minutes`,
    now.gpu ? "GPU" : "no GPU",
    now.cache ? `cache ${now.cache}` : "no cache",
    now.vpcId ? `in ${now.vpcId}` : "no VPC",
  ];
  return { message: "Change log retention, queue timeout, GPU, cache or VPC?", help: `Now: ${parts.join(", ")}.`, default: false };
}

const RETENTION_CHOICES: readonly Choice<number>[] = [
  ...LOG_RETENTION_DAYS.map((days) => ({
    value: days,
    name: days % 365 === 0 || days === 731 ? `${days} days (${Math.round(days / 365)} y)` : `${days} days`,
  })),
  { value: 0, name: "never expire" },
];

export function logRetentionQuestion(current: number): ChoiceQuestion<number> {
  const help = "CloudWatch Logs deletes older log events; logs that never expire keep costing storage.";
  return { message: "Keep the runs' logs for", help, choices: RETENTION_CHOICES, default: current };
}

export function queuedTimeoutQuestion(current: string | number): TextQuestion {
  const help = "How long a run may wait for build capacity before CodeBuild gives up on it: 5–480.";
  return checkedQuestion("Queued timeout (minutes)", help, current, checkQueuedTimeout);
}

export function gpuQuestion(current: boolean, computeType: string): YesNoQuestion {
  return { message: "Run on a GPU?", help: `${computeType} with a GPU: ${GPU_COMPUTE[computeType] ?? ""}; only in some regions.`, default: current };
}

export function cacheQuestion(current: string | undefined): TextQuestion {
  return {
    message: "S3 cache (s3://bucket/prefix, empty for none)",
    help: "Files the buildspec lists under cache: are kept there between runs. Local cache is not offered: AWS drops it after minutes unused.",
    default: current ?? "",
    emptyAnswer: "none",
    validate: (value) => fromCheck(checkCache(value)),
  };
}

export const NO_VPC = "";

const labelled = (c: NamedChoice) => (c.name ? `${c.name} (${c.id})` : c.id);

export function vpcQuestion(vpcs: readonly NamedChoice[], current: string | undefined): ChoiceQuestion<string> {
  return {
    message: "Run inside a VPC?",
    help: "To reach a private database or service; the runs then need a NAT gateway to reach the internet.",
    choices: [{ value: NO_VPC, name: "no VPC" }, ...vpcs.map((v) => ({ value: v.id, name: labelled(v) }))],
    default: current ?? NO_VPC,
  };
}

export function subnetsQuestion(subnets: readonly (NamedChoice & { route: string })[], current: readonly string[]): PickQuestion<string> {
  return {
    message: "Private subnets",
    help: "Subnets with a route to the internet through a NAT gateway (public ones are not listed: runs there get no public IP).",
    choices: subnets.map((s) => ({
      value: s.id,
      name: `${labelled(s)}${s.route === "nat" ? "" : paint.dim(" (no NAT route: no internet)")}`,
      checked: current.includes(s.id),
    })),
    required: "a VPC job needs at least one subnet",
  };
}

export function securityGroupsQuestion(groups: readonly NamedChoice[], current: readonly string[]): PickQuestion<string> {
  return {
    message: "Security groups",
    help: "At most 5; they must allow the runs' outbound traffic.",
    choices: groups.map((g) => ({ value: g.id, name: labelled(g), checked: current.includes(g.id) })),
    required: "a VPC job needs at least one security group",
  };
}
