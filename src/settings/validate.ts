/**
 * Every field is checked here, before any AWS call. Each check returns the value or a problem with an
 * example of a right value; the wizard uses the same checks as prompt validators.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InputError, InputErrors } from "../errors.js";
import { looksLikeSecret, secretReason } from "./secrets.js";
import { isValidTimeZone, neverFiresProblem, scheduleProblem, suggestTimeZones } from "../schedule/index.js";
import { checkPolicyDocument, dangerousGrants, policySize, ROLE_INLINE_POLICIES_MAX, serviceRoleStatements } from "./policy.js";
import { DAY_SECONDS, HOUR_SECONDS, MINUTE_SECONDS, missedRunWatch } from "./missed-run-window.js";
import {
  ALERT_STATUSES,
  COMPUTE_TYPES,
  DEFAULT_ALERT_ON,
  DEFAULT_IMAGES,
  DEFAULTS,
  ECR_IMAGE,
  GPU_COMPUTE,
  GPU_REGIONS,
  LOG_RETENTION_DAYS,
  MAX_ALERT_WEBHOOKS,
  MAX_JOB_NAME,
  MAX_RETRIES,
  type AlertStatus,
  type Arch,
  type ChatKind,
  type EnvVar,
  type JobSettings,
  type PolicyDocument,
  type ResolvedSettings,
  type SourceType,
  type VpcSettings,
  type WebhookSetting,
} from "./types.js";
import { parseAlertWebhook } from "./webhook.js";

export type Check<T> = { ok: true; value: T } | { ok: false; problem: string; example: string };

/** A bound of our own: AWS caps it only by the account's concurrent-build quota (20 a compute type by default). */
const MAX_PARALLEL = 100;

const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const bad = <T>(problem: string, example: string): Check<T> => ({ ok: false, problem, example });

/** Raw answers as they come from flags, the wizard or support-job.json (strings, not yet checked). */
export interface RawSettings {
  name?: string | undefined;
  repository?: string | undefined;
  sourceType?: string | undefined;
  branch?: string | undefined;
  buildspec?: string | undefined;
  schedule?: string | undefined;
  timezone?: string | undefined;
  computeType?: string | undefined;
  arch?: string | undefined;
  image?: string | undefined;
  timeout?: string | number | undefined;
  email?: string | undefined;
  alertOn?: string | string[] | undefined;
  /** `KEY=VALUE`, `KEY=ssm:/param/name`, `KEY=secretsmanager:secret-id[:json-key]`, `KEY=plain:VALUE`. */
  env?: string[] | undefined;
  policyArns?: string[] | undefined;
  policyFile?: string | undefined;
  permissionsBoundary?: string | undefined;
  /** Days; 0 = never expire. */
  logRetentionDays?: string | number | undefined;
  queuedTimeout?: string | number | undefined;
  gpu?: boolean | string | undefined;
  /** s3://bucket/prefix; "" = no cache. */
  cache?: string | undefined;
  vpcId?: string | undefined;
  subnets?: string[] | undefined;
  securityGroups?: string[] | undefined;
  /** false with --no-missed-run-alarm. */
  missedRunAlarm?: boolean | undefined;
  /** "30m", "2h": the missed-run alarm's grace time. */
  grace?: string | undefined;
  /** "26h", "3d": a looser window for the missed-run alarm. */
  expectEvery?: string | undefined;
  maxParallel?: string | number | undefined;
  retries?: string | number | undefined;
  /** `[kind=]URL` as given, or a saved key ("slack-1a2b3c4d") from support-job.json. */
  alertWebhooks?: string[] | undefined;
}

/** The flag each field is set with; problems name it so the user knows what to change. */
export const FIELD_FLAGS: Record<keyof RawSettings, string> = {
  name: "--name",
  repository: "--repo",
  sourceType: "--source-type",
  branch: "--branch",
  buildspec: "--buildspec",
  schedule: "--schedule",
  timezone: "--timezone",
  computeType: "--compute-type",
  arch: "--arch",
  image: "--image",
  timeout: "--timeout",
  email: "--email",
  alertOn: "--alert-on",
  env: "--env",
  policyArns: "--policy-arn",
  policyFile: "--policy-file",
  permissionsBoundary: "--permissions-boundary",
  logRetentionDays: "--log-retention-days",
  queuedTimeout: "--queued-timeout",
  gpu: "--gpu",
  cache: "--cache",
  vpcId: "--vpc-id",
  subnets: "--subnet",
  securityGroups: "--security-group",
  missedRunAlarm: "--no-missed-run-alarm",
  grace: "--grace",
  expectEvery: "--expect-every",
  maxParallel: "--max-parallel",
  retries: "--retries",
  alertWebhooks: "--alert-webhook",
};

/** Fields without a default: without a TTY, a missing one is an error that lists the flags to pass. */
const REQUIRED_FIELDS = ["name", "repository", "schedule", "email"] as const satisfies readonly (keyof RawSettings)[];

// ---------------------------------------------------------------------------------------------------

export function checkName(raw: string): Check<string> {
  const value = raw.trim();
  const example = "cleanup-expired-accounts";
  if (!value) return bad("the job name is empty", example);
  if (value.length > MAX_JOB_NAME)
    return bad(
      `"${value}" is ${value.length} characters; at most ${MAX_JOB_NAME}, so derived names such as support-job-<name>-scheduler fit IAM's 64`,
      example,
    );
  if (value.length < 2) return bad(`"${value}" is too short; at least 2 characters`, example);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value))
    return bad(`"${value}" may only contain letters, digits, - and _, and must start with a letter or digit`, example);
  return ok(value);
}

export interface Repository {
  location: string;
  sourceType: SourceType;
  /** CodeCommit only: the repository's region and name, for the GitPull permission. */
  codecommit?: { region: string; name: string };
}

const SOURCE_TYPES: readonly SourceType[] = ["GITHUB", "GITHUB_ENTERPRISE", "GITLAB", "GITLAB_SELF_MANAGED", "BITBUCKET", "CODECOMMIT"];

/** `git@github.com:owner/repo.git` and `ssh://git@host/owner/repo` → the HTTPS clone URL, when it can be told. */
export function sshToHttps(url: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(url.trim());
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const ssh = /^ssh:\/\/(?:[\w.-]+@)?([\w.-]+)(?::\d+)?\/(.+)$/.exec(url.trim());
  if (ssh) return `https://${ssh[1]}/${ssh[2]}`;
  return undefined;
}

function checkSourceType(raw: string): Check<SourceType> {
  const t = raw.trim().toUpperCase().replace(/-/g, "_") as SourceType;
  if (!SOURCE_TYPES.includes(t)) return bad(`unknown source type "${raw}"; one of ${SOURCE_TYPES.join(", ")}`, "GITHUB_ENTERPRISE");
  return ok(t);
}

/** A URL as it may be shown: user, password or token before the host are dropped, whatever the scheme. */
export function withoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, "$1").replace(/^[^@\s/:]+:[^@\s/]*@(?=[\w.-]+[:/])/, "");
}

export function checkRepository(raw: string, sourceTypeOverride?: string): Check<Repository> {
  const typed = raw.trim();
  // Every message below quotes this form: a token in the URL must never reach a terminal or a CI log.
  const value = withoutCredentials(typed);
  const example = "https://github.com/acme/ops-scripts.git";
  if (!value) return bad("the repository URL is empty", example);
  const afterScheme = typed.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  if (value !== typed && (/^https?:/i.test(typed) || /^[^@\s/]*:[^@\s/]*@/.test(afterScheme)))
    return bad(
      `${value} holds a user name, password or token; CodeBuild uses stored source credentials or a connection instead, never one in the URL`,
      httpsForm(value) ?? example,
    );
  const https = sshToHttps(value);
  if (https) return bad(`"${value}" is an SSH URL; CodeBuild clones over HTTPS`, https.endsWith(".git") ? https : `${https}.git`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return bad(`"${value}" is not a URL`, example);
  }
  if (url.protocol === "http:") return bad(`"${value}" uses http://; CodeBuild needs an https:// clone URL`, value.replace(/^http:/, "https:"));
  if (url.protocol !== "https:") return bad(`"${value}" is not an https:// clone URL`, example);
  if (url.search || url.hash) return bad(`"${value}" has a query or fragment; give the plain clone URL`, example);
  const host = url.hostname.toLowerCase();
  const path = url.pathname.replace(/^\/+|\/+$/g, "");
  const segments = path.split("/").filter(Boolean);

  let override: SourceType | undefined;
  if (sourceTypeOverride !== undefined && sourceTypeOverride !== "") {
    const t = checkSourceType(sourceTypeOverride);
    if (!t.ok) return t;
    override = t.value;
  }

  const codecommit = /^git-codecommit\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
  if (codecommit) {
    const name = segments[0] === "v1" && segments[1] === "repos" && segments.length === 3 ? segments[2] : undefined;
    if (!name) return bad(`"${value}" is not a CodeCommit clone URL`, `https://git-codecommit.${codecommit[1]}.amazonaws.com/v1/repos/ops-scripts`);
    return ok({ location: `https://${host}/v1/repos/${name}`, sourceType: "CODECOMMIT", codecommit: { region: codecommit[1] ?? "", name } });
  }

  const known: Record<string, SourceType> = { "github.com": "GITHUB", "gitlab.com": "GITLAB", "bitbucket.org": "BITBUCKET" };
  let sourceType = override ?? known[host];
  if (!sourceType) {
    if (host.includes("github")) sourceType = "GITHUB_ENTERPRISE";
    else if (host.includes("gitlab")) sourceType = "GITLAB_SELF_MANAGED";
  }
  if (!sourceType)
    return bad(
      `cannot tell which kind of repository ${host} hosts; support-job knows GitHub, GitHub Enterprise, GitLab, Bitbucket and CodeCommit (pass --source-type GITHUB_ENTERPRISE or GITLAB_SELF_MANAGED for a self-hosted server)`,
      example,
    );
  if (segments.length < 2) return bad(`"${value}" has no owner/repository path`, `https://${host}/acme/ops-scripts.git`);
  const web = webPage(sourceType, segments);
  if (web)
    return bad(
      `"${value}" is the address of a web page, not a clone URL${web.branch ? `; give the branch with --branch ${web.branch}` : ""}`,
      `https://${url.host}/${web.repository}.git`,
    );
  const location = `https://${url.host}/${segments.join("/")}${path.endsWith(".git") ? "" : ".git"}`;
  return ok({ location, sourceType });
}

/** The https form of an ssh or http URL already stripped of credentials, for the example. */
function httpsForm(value: string): string | undefined {
  const ssh = sshToHttps(value);
  if (ssh) return ssh.endsWith(".git") ? ssh : `${ssh}.git`;
  return /^https?:\/\//i.test(value) ? value.replace(/^http:/i, "https:") : undefined;
}

/**
 * A repository's web page (…/tree/main, …/blob/…, GitLab's …/-/tree/…, Bitbucket's …/src/…) pasted instead of its
 * clone URL: the repository part and, when the page names one, the branch.
 */
function webPage(sourceType: SourceType, segments: string[]): { repository: string; branch?: string | undefined } | undefined {
  const gitlab = sourceType === "GITLAB" || sourceType === "GITLAB_SELF_MANAGED";
  const marker = gitlab ? segments.indexOf("-") : 2;
  if (marker < 0 || (!gitlab && segments.length <= 2)) return undefined;
  const repository = segments
    .slice(0, marker)
    .join("/")
    .replace(/\.git$/, "");
  const page = segments[marker + (gitlab ? 1 : 0)];
  const branch = page === "tree" || page === "src" || page === "blob" ? segments[marker + (gitlab ? 2 : 1)] : undefined;
  return { repository, branch };
}

export function checkBranch(raw: string): Check<string | undefined> {
  const value = raw.trim();
  const example = "support-jobs";
  if (!value) return ok(undefined);
  if (
    value.length > 255 ||
    // eslint-disable-next-line no-control-regex -- git refuses control characters in a ref name
    /[\s~^:?*[\\\x00-\x1f\x7f]/.test(value) ||
    value.includes("..") ||
    value.includes("@{") ||
    value.startsWith("-") ||
    value.startsWith("/") ||
    value.endsWith("/") ||
    value.endsWith(".") ||
    value.endsWith(".lock") ||
    value.includes("//")
  )
    return bad(`"${value}" is not a valid git branch, tag or commit name`, example);
  return ok(value);
}

export function checkBuildspec(raw: string): Check<string> {
  const value = raw.trim() || DEFAULTS.buildspec;
  const example = "jobs/cleanup/buildspec.yml";
  if (value.startsWith("/") || /^[A-Za-z]:[\\/]/.test(value)) return bad(`"${value}" is absolute; give a path relative to the repository root`, example);
  if (value.includes("\\")) return bad(`"${value}" uses backslashes; use / between folders`, example);
  if (value.split("/").some((s) => s === ".." || s === "")) return bad(`"${value}" must stay inside the repository (no .. or empty folders)`, example);
  if (/^(version|phases)\s*:/m.test(value) || value.includes("\n")) return bad("give the path of the buildspec file, not its YAML", example);
  if (value.length > 1024) return bad("the path is longer than 1024 characters", example);
  return ok(value.replace(/^\.\//, ""));
}

export function checkSchedule(raw: string): Check<string> {
  const value = raw.trim();
  const problem = scheduleProblem(value);
  // The schedule module's messages usually carry their own "e.g."; add an example only when they do not.
  if (problem) return bad(problem, problem.includes("e.g.") ? "" : "rate(1 day) or cron(0 7 ? * MON-FRI *)");
  return ok(value);
}

export function checkTimezone(raw: string): Check<string> {
  const value = raw.trim() || DEFAULTS.timezone;
  if (value.toUpperCase() === "UTC" || value === "Etc/UTC") return ok("UTC");
  if (isValidTimeZone(value)) return ok(value);
  const near = suggestTimeZones(value, 3);
  return bad(`"${value}" is not an IANA time zone${near.length ? `; did you mean ${near.join(", ")}?` : ""}`, near[0] ?? "Europe/Paris");
}

export function checkComputeType(raw: string): Check<string> {
  const value = raw.trim().toUpperCase() || DEFAULTS.computeType;
  const example = "BUILD_GENERAL1_SMALL";
  if (COMPUTE_TYPES.some((c) => c.id === value)) return ok(value);
  if (value.startsWith("BUILD_LAMBDA_"))
    return bad(`${value} runs on Lambda, limited to 15 minutes with no custom timeout; support jobs use a container compute type`, example);
  return bad(`unknown compute type "${raw.trim()}"; one of ${COMPUTE_TYPES.map((c) => c.id).join(", ")}`, example);
}

export function checkArch(raw: string): Check<Arch> {
  const value = raw.trim().toLowerCase() || DEFAULTS.arch;
  if (value === "x86_64" || value === "amd64" || value === "x86") return ok("x86_64");
  if (value === "arm64" || value === "arm" || value === "aarch64") return ok("arm64");
  return bad(`unknown architecture "${raw.trim()}"; x86_64 or arm64 (Graviton)`, "arm64");
}

export function checkImage(raw: string, arch: Arch): Check<string> {
  const value = raw.trim() || DEFAULT_IMAGES[arch];
  const example = DEFAULT_IMAGES[arch];
  if (/\s/.test(value)) return bad(`"${value}" contains spaces`, example);
  if (value.startsWith("aws/codebuild/")) {
    if (!/^aws\/codebuild\/[a-z0-9._-]+(?:\/[a-z0-9._-]+)*:[\w.-]+$/.test(value)) return bad(`"${value}" is not a CodeBuild curated image name`, example);
    if (/^aws\/codebuild\/standard:[1-4]\.0$/.test(value)) return bad(`${value} is deprecated; use a current image`, example);
    if (arch === "arm64" && !value.includes("aarch64")) return bad(`${value} is an x86_64 image but the job runs on arm64`, DEFAULT_IMAGES.arm64);
    if (arch === "x86_64" && value.includes("aarch64")) return bad(`${value} is an arm64 image but the job runs on x86_64`, DEFAULT_IMAGES.x86_64);
    return ok(value);
  }
  if (ECR_IMAGE.test(value)) return ok(value);
  // A Docker Hub or other public registry reference: [registry/]repo[:tag|@digest].
  if (/^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})?$/.test(value))
    return ok(value);
  return bad(`"${value}" is not an image name`, example);
}

/** A whole number from a flag, the wizard or support-job.json; empty gives the default. */
function wholeNumber(raw: string | number, fallback: number, unit: string, example: string): Check<number> {
  const text = String(raw).trim();
  if (text === "") return ok(fallback);
  if (!/^\d+$/.test(text)) return bad(`"${text}" is not a whole number of ${unit}`, example);
  return ok(Number(text));
}

export function checkTimeout(raw: string | number): Check<number> {
  const example = "60";
  const number = wholeNumber(raw, DEFAULTS.timeoutMinutes, "minutes", example);
  if (!number.ok) return number;
  const value = number.value;
  if (value < 5 || value > 2160) return bad(`${value} minutes is outside CodeBuild's 5–2160 (36 hours)`, example);
  return ok(value);
}

export function checkEmail(raw: string): Check<string> {
  const value = raw.trim();
  const example = "ops@example.com";
  if (!value) return bad("the alert email is empty", example);
  if (value.length > 254 || !/^[^\s@,;<>()"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(value))
    return bad(`"${value}" is not an email address`, example);
  return ok(value);
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  s: 1,
  m: MINUTE_SECONDS,
  min: MINUTE_SECONDS,
  minute: MINUTE_SECONDS,
  minutes: MINUTE_SECONDS,
  h: HOUR_SECONDS,
  hour: HOUR_SECONDS,
  hours: HOUR_SECONDS,
  d: DAY_SECONDS,
  day: DAY_SECONDS,
  days: DAY_SECONDS,
};

/** "30m", "2h", "1d", "90 minutes" → seconds, in whole minutes; anything else is an InputError naming the flag. */
export function parseDuration(field: string, text: string, example = "30m"): number {
  const match = /^(\d+)\s*([a-z]+)$/.exec(text.trim().toLowerCase());
  const unit = match ? DURATION_UNITS[match[2] ?? ""] : undefined;
  if (!match || unit === undefined) {
    throw new InputError(field, `${JSON.stringify(text)} is not a duration; write a number and m, h or d`, example);
  }
  const seconds = Number(match[1]) * unit;
  if (seconds < MINUTE_SECONDS || seconds % MINUTE_SECONDS !== 0) {
    throw new InputError(field, `must be a whole number of minutes, at least 1m`, example);
  }
  return seconds;
}

/** --grace / --expect-every: "30m", "2h", "1d"; empty: the default. */
export function checkDuration(flag: "--grace" | "--expect-every", raw: string): Check<number | undefined> {
  const value = raw.trim();
  if (!value) return ok(undefined);
  const example = flag === "--grace" ? "30m" : "26h";
  try {
    return ok(parseDuration(flag, value, example));
  } catch (error) {
    return bad(error instanceof InputError ? error.problem : String(error), example);
  }
}

/** The project's concurrentBuildLimit: how many runs may overlap (1: none). */
export function checkMaxParallel(raw: string | number): Check<number> {
  const text = String(raw).trim();
  if (text === "") return ok(DEFAULTS.maxParallel);
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PARALLEL)
    return bad(`"${text}" is not a whole number from 1 to ${MAX_PARALLEL} (1: a run never starts while another is going)`, "1");
  return ok(Number(text));
}

/** The project's autoRetryLimit: how many times CodeBuild re-runs a failed run itself. */
export function checkRetries(raw: string | number): Check<number> {
  const text = String(raw).trim();
  if (text === "") return ok(DEFAULTS.retries);
  if (!/^\d+$/.test(text) || Number(text) > MAX_RETRIES) return bad(`"${text}" is not a whole number from 0 to ${MAX_RETRIES} (CodeBuild's limit)`, "2");
  return ok(Number(text));
}

/** The missed-run alarm's settings against the schedule (a too-short --expect-every, a window over 7 days). */
function missedRunProblem(
  schedule: string,
  timezone: string,
  options: { enabled: boolean; graceSeconds: number | undefined; expectEverySeconds: number | undefined },
): InputError | undefined {
  if (!options.enabled) return undefined;
  try {
    missedRunWatch({ expression: schedule, timezone, ...options, now: new Date() });
    return undefined;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
}

function checkAlertOn(raw: string | string[]): Check<AlertStatus[]> {
  const parts = (Array.isArray(raw) ? raw : raw.split(","))
    .flatMap((p) => p.split(","))
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean);
  if (parts.length === 0) return ok([...DEFAULT_ALERT_ON]);
  const unknown = parts.filter((p) => !ALERT_STATUSES.includes(p as AlertStatus));
  if (unknown.length) return bad(`unknown build status ${unknown.join(", ")}; choose from ${ALERT_STATUSES.join(", ")}`, "FAILED,STOPPED,TIMED_OUT");
  return ok(ALERT_STATUSES.filter((s) => parts.includes(s)));
}

/** A saved webhook's key in support-job.json: its kind and 8 hex of the URL's hash (webhook.ts). */
export const WEBHOOK_KEY = /^(slack|teams|discord|generic)-([0-9a-f]{8})$/;

/** `[kind=]URL`, or a saved key. The problem never holds the URL: it carries the webhook's secret. */
export function checkAlertWebhook(raw: string): Check<WebhookSetting> {
  const key = WEBHOOK_KEY.exec(raw.trim());
  if (key) return ok({ key: raw.trim(), kind: key[1] as ChatKind });
  try {
    const hook = parseAlertWebhook(raw);
    return ok({ key: hook.key, kind: hook.kind, url: hook.url, display: hook.display });
  } catch (error) {
    if (error instanceof InputError) return bad(error.problem, error.example ?? "");
    throw error;
  }
}

/** A Parameter Store reference: a name (/a/b or a_b) or, for a parameter shared from another account, its ARN. */
const PARAMETER_NAME = /^\/?[A-Za-z0-9_.\-/]{1,2048}$/;
const PARAMETER_ARN = /^arn:aws(?:-cn|-us-gov)?:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]{1,2048}$/;

export function checkEnv(raw: string): Check<EnvVar> {
  const eq = raw.indexOf("=");
  const example = "STAGE=prod, DB_PASSWORD=ssm:/cleanup/db-password or API_TOKEN=secretsmanager:cleanup/api-token";
  // Without "=" the whole entry may be a pasted value: never quote it.
  if (eq <= 0) return bad(`an entry is not KEY=VALUE${eq < 0 ? " (it has no =)" : " (it starts with =)"}`, example);
  const name = raw.slice(0, eq).trim();
  const value = raw.slice(eq + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    return bad(`${quotedName(name)} is not a valid variable name (letters, digits, _; not starting with a digit)`, example);
  if (/^CODEBUILD_/i.test(name)) return bad(`${name}: names starting with CODEBUILD_ are reserved by CodeBuild`, example);
  if (value.startsWith("ssm:")) {
    const param = value.slice(4);
    const isArn = param.startsWith("arn:");
    const path = isArn ? param.slice(param.indexOf(":parameter") + ":parameter".length) : param;
    if (!(isArn ? PARAMETER_ARN.test(param) : PARAMETER_NAME.test(param)) || path.includes("//") || path.endsWith("/"))
      return bad(`${name}: "${param}" is not a Parameter Store name or ARN`, `${name}=ssm:/cleanup/db-password`);
    return ok({ name, value: param, type: "PARAMETER_STORE" });
  }
  if (value.startsWith("secretsmanager:")) {
    const ref = value.slice("secretsmanager:".length);
    const secretId = ref.startsWith("arn:") ? ref.split(":").slice(0, 7).join(":") : (ref.split(":")[0] ?? "");
    if (!secretId || !/^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+|[\w/+=.@-]{1,512})$/.test(secretId))
      return bad(`${name}: "${ref}" is not a Secrets Manager secret name or ARN`, `${name}=secretsmanager:cleanup/api-token`);
    return ok({ name, value: ref, type: "SECRETS_MANAGER" });
  }
  const plain = value.startsWith("plain:") ? value.slice(6) : value;
  const reason = value.startsWith("plain:") ? undefined : secretReason(name, value);
  if (reason)
    return bad(
      `${name} looks like a secret; ${reason}, and a plaintext value is visible to anyone who can read the project: reference Parameter Store or Secrets Manager instead (or write plain:VALUE if it is not a secret)`,
      `${name}=ssm:/cleanup/${name.toLowerCase().replace(/_/g, "-")}`,
    );
  if (plain.length > 4096) return bad(`${name}: the value is longer than 4096 characters`, example);
  return ok({ name, value: plain, type: "PLAINTEXT" });
}

/** A bad name may be a pasted value (a URL, a token): quoted only when it reads like a name with a typo. */
function quotedName(name: string): string {
  return /^[\w.-]{1,40}$/.test(name) && !looksLikeSecret("", name) ? `"${name}"` : "the name before =";
}

export function envToString(v: EnvVar): string {
  if (v.type === "PARAMETER_STORE") return `${v.name}=ssm:${v.value}`;
  if (v.type === "SECRETS_MANAGER") return `${v.name}=secretsmanager:${v.value}`;
  return looksLikeSecret(v.name, v.value) || /^(ssm|secretsmanager|plain):/.test(v.value) ? `${v.name}=plain:${v.value}` : `${v.name}=${v.value}`;
}

export function checkLogRetention(raw: string | number): Check<number> {
  const number = wholeNumber(raw, DEFAULTS.logRetentionDays, "days", "90 (or 0: never expire)");
  if (!number.ok) return number;
  const value = number.value;
  if (value === 0 || LOG_RETENTION_DAYS.includes(value)) return ok(value);
  const near = LOG_RETENTION_DAYS.reduce((a, b) => (Math.abs(b - value) < Math.abs(a - value) ? b : a));
  return bad(`${value} days is not a retention CloudWatch Logs offers; one of ${LOG_RETENTION_DAYS.join(", ")}, or 0 to never expire`, String(near));
}

export function checkQueuedTimeout(raw: string | number): Check<number> {
  const number = wholeNumber(raw, DEFAULTS.queuedTimeoutMinutes, "minutes", "60");
  if (!number.ok || (number.value >= 5 && number.value <= 480)) return number;
  return bad(`${number.value} minutes is outside CodeBuild's 5–480 for a run waiting in the queue`, "60");
}

function checkGpu(raw: boolean | string): Check<boolean> {
  if (typeof raw === "boolean") return ok(raw);
  const text = raw.trim().toLowerCase();
  if (text === "" || text === "false" || text === "no") return ok(false);
  if (text === "true" || text === "yes") return ok(true);
  return bad(`"${raw}" is not true or false`, "true");
}

/** GPU containers come in two sizes, x86 only. */
function gpuProblem(computeType: string, arch: Arch): Check<true> {
  if (arch !== "x86_64") return bad("GPU containers run on x86_64 only; drop --arch arm64", "--gpu --compute-type BUILD_GENERAL1_SMALL");
  if (!GPU_COMPUTE[computeType])
    return bad(
      `${computeType} has no GPU; with --gpu use ${Object.entries(GPU_COMPUTE)
        .map(([id, what]) => `${id} (${what})`)
        .join(" or ")}`,
      "--gpu --compute-type BUILD_GENERAL1_SMALL",
    );
  return ok(true);
}

/** S3 bucket names: 3–63 characters, lower-case letters, digits, dots and hyphens, starting and ending alphanumeric. */
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `s3://bucket/prefix` → bucket and prefix. Only the shape is checked: support-job has no S3 client, and the
 * bucket's existence is CodeBuild's to find at run time (the service role may reach only that prefix).
 */
export function checkCache(raw: string): Check<{ bucket: string; prefix: string } | undefined> {
  const value = raw.trim();
  const example = "s3://acme-build-cache/nightly-cleanup";
  if (value === "") return ok(undefined);
  if (/^(local|LOCAL)/.test(value))
    return bad("local cache is not offered: AWS drops it after minutes unused, so a scheduled job never finds it; use an S3 prefix", example);
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  if (!match) return bad(`"${value}" is not s3://bucket/prefix (a prefix keeps this job's cache apart from anything else in the bucket)`, example);
  const bucket = match[1] ?? "";
  const prefix = (match[2] ?? "").replace(/\/+$/, "");
  if (!BUCKET.test(bucket) || bucket.includes(".."))
    return bad(`"${bucket}" is not an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)`, example);
  if (!prefix || prefix.split("/").some((part) => part === "" || part === "." || part === "..") || /[*?\s]/.test(prefix))
    return bad(`"${prefix}" is not a plain S3 prefix (no empty parts, wildcards, spaces or ..)`, example);
  return ok({ bucket, prefix });
}

const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** All three or none: a VPC, 1–16 of its subnets, 1–5 security groups (CodeBuild's VpcConfig limits). */
function checkVpc(raw: RawSettings): { field: keyof RawSettings; check: Check<VpcSettings | undefined> } {
  const vpcId = raw.vpcId?.trim() ?? "";
  const subnets = [...new Set((raw.subnets ?? []).map((s) => s.trim()).filter(Boolean))];
  const groups = [...new Set((raw.securityGroups ?? []).map((s) => s.trim()).filter(Boolean))];
  if (!vpcId && subnets.length === 0 && groups.length === 0) return { field: "vpcId", check: ok(undefined) };
  const example = "--vpc-id vpc-0a1b2c3d --subnet subnet-0a1b2c3d --security-group sg-0a1b2c3d";
  if (!vpcId) return { field: "vpcId", check: bad("is required with --subnet and --security-group (the VPC they are in)", example) };
  if (!VPC_ID.test(vpcId)) return { field: "vpcId", check: bad(`"${vpcId}" is not a VPC id`, "vpc-0a1b2c3d") };
  if (subnets.length === 0) return { field: "subnets", check: bad("a VPC job needs at least one private subnet", example) };
  const badSubnet = subnets.find((s) => !SUBNET_ID.test(s));
  if (badSubnet) return { field: "subnets", check: bad(`"${badSubnet}" is not a subnet id`, "subnet-0a1b2c3d") };
  if (subnets.length > 16) return { field: "subnets", check: bad(`${subnets.length} subnets; CodeBuild takes at most 16`, example) };
  if (groups.length === 0) return { field: "securityGroups", check: bad("a VPC job needs at least one security group", example) };
  const badGroup = groups.find((g) => !SECURITY_GROUP_ID.test(g));
  if (badGroup) return { field: "securityGroups", check: bad(`"${badGroup}" is not a security group id`, "sg-0a1b2c3d") };
  if (groups.length > 5) return { field: "securityGroups", check: bad(`${groups.length} security groups; CodeBuild takes at most 5`, example) };
  return { field: "vpcId", check: ok({ vpcId, subnets, securityGroups: groups }) };
}

export function checkPolicyArn(raw: string): Check<string> {
  const value = raw.trim();
  if (!/^arn:aws(-cn|-us-gov)?:iam::(aws|\d{12}):policy\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/.test(value))
    return bad(`"${value}" is not an IAM managed policy ARN`, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
  return ok(value);
}

/** Reads a policy document and checks it in full (policy.ts): IAM's grammar, identity-policy rules, size. */
export function checkPolicyFile(path: string, cwd: string): Check<PolicyDocument> {
  const example = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/*"}]}';
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return bad(code === "ENOENT" ? `${path} does not exist` : `${path} cannot be read (${code ?? "error"})`, "policy.json");
  }
  let doc: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
    doc = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    // JSON.parse quotes the text around the error, newlines and all: keep the problem on one line.
    return bad(`${path} is not valid JSON (${(error as Error).message.replace(/\s+/g, " ")})`, example);
  }
  const checked = checkPolicyDocument(doc, path);
  if (!checked.ok) return bad(checked.problem, checked.problem.includes("characters") ? "split it, or attach AWS managed policies with --policy-arn" : example);
  return ok(checked.value);
}

/** Grants that need a warning and an explicit yes: `*` on `*`, privilege escalation, near-admin managed policies. */
export function broadGrants(settings: Pick<ResolvedSettings, "policyDocument" | "policyArns">): string[] {
  return dangerousGrants(settings.policyDocument, settings.policyArns).map((g) =>
    g.where.startsWith("arn:") ? `${g.where} ${g.why}` : `${g.where} of the policy file ${g.why}`,
  );
}

// ---------------------------------------------------------------------------------------------------

/**
 * All fields at once: collects every problem (one line each) so the user fixes them in one go.
 * `raw` holds flags over config; defaults fill what is optional.
 */
export function validateSettings(raw: RawSettings, cwd: string): ResolvedSettings {
  const problems: InputError[] = [];
  const take = <T>(field: keyof RawSettings, check: Check<T>): T | undefined => {
    if (check.ok) return check.value;
    problems.push(new InputError(FIELD_FLAGS[field], check.problem, check.example));
    return undefined;
  };
  const missing = REQUIRED_FIELDS.filter((f) => raw[f] === undefined || String(raw[f]).trim() === "");
  for (const f of missing) problems.push(new InputError(FIELD_FLAGS[f], "is required", requiredExample(f)));

  const name = raw.name?.trim() ? take("name", checkName(raw.name)) : undefined;
  // A bad --source-type is reported under its own flag, not as a problem with --repo.
  const sourceTypeOk = raw.sourceType?.trim() ? take("sourceType", checkSourceType(raw.sourceType)) !== undefined : true;
  const repo = raw.repository?.trim() && sourceTypeOk ? take("repository", checkRepository(raw.repository, raw.sourceType)) : undefined;
  const branch = take("branch", checkBranch(raw.branch ?? ""));
  const buildspec = take("buildspec", checkBuildspec(raw.buildspec ?? ""));
  const schedule = raw.schedule?.trim() ? take("schedule", checkSchedule(raw.schedule)) : undefined;
  const timezone = take("timezone", checkTimezone(raw.timezone ?? ""));
  // Only the two together tell whether it ever fires (a DST gap depends on the zone, a past year on today).
  const never = schedule && timezone ? neverFiresProblem(schedule, timezone, new Date()) : undefined;
  if (never) problems.push(new InputError("--schedule", never, ""));
  const computeType = take("computeType", checkComputeType(raw.computeType ?? ""));
  const arch = take("arch", checkArch(raw.arch ?? ""));
  const image = arch ? take("image", checkImage(raw.image ?? "", arch)) : undefined;
  const timeoutMinutes = take("timeout", checkTimeout(raw.timeout ?? ""));
  const email = raw.email?.trim() ? take("email", checkEmail(raw.email)) : undefined;
  const alertOn = take("alertOn", checkAlertOn(raw.alertOn ?? ""));
  const env: EnvVar[] = [];
  for (const entry of raw.env ?? []) {
    const v = take("env", checkEnv(entry));
    if (!v) continue;
    if (env.some((e) => e.name === v.name)) problems.push(new InputError("--env", `${v.name} is given twice`, `${v.name}=value once`));
    else env.push(v);
  }
  const policyArns: string[] = [];
  for (const arn of raw.policyArns ?? []) {
    const v = take("policyArns", checkPolicyArn(arn));
    if (v && !policyArns.includes(v)) policyArns.push(v);
  }
  if (policyArns.length > 9)
    problems.push(
      new InputError("--policy-arn", `${policyArns.length} policies; IAM attaches at most 10 to a role, one of them ours`, "merge them into --policy-file"),
    );
  const policyFile = raw.policyFile?.trim() || undefined;
  const policyDocument = policyFile ? take("policyFile", checkPolicyFile(policyFile, cwd)) : undefined;
  const permissionsBoundary = raw.permissionsBoundary?.trim() ? take("permissionsBoundary", checkPolicyArn(raw.permissionsBoundary)) : undefined;
  const logRetentionDays = take("logRetentionDays", checkLogRetention(raw.logRetentionDays ?? ""));
  const queuedTimeoutMinutes = take("queuedTimeout", checkQueuedTimeout(raw.queuedTimeout ?? ""));
  const gpu = take("gpu", checkGpu(raw.gpu ?? false));
  if (gpu && computeType && arch) take("gpu", gpuProblem(computeType, arch));
  const cache = take("cache", checkCache(raw.cache ?? ""));
  const vpcCheck = checkVpc(raw);
  const vpc = take(vpcCheck.field, vpcCheck.check);
  const missedRunAlarm = raw.missedRunAlarm !== false;
  const graceSeconds = take("grace", checkDuration("--grace", raw.grace ?? ""));
  const expectEverySeconds = take("expectEvery", checkDuration("--expect-every", raw.expectEvery ?? ""));
  const missed =
    schedule && timezone && !never ? missedRunProblem(schedule, timezone, { enabled: missedRunAlarm, graceSeconds, expectEverySeconds }) : undefined;
  if (missed) problems.push(missed);
  const maxParallel = take("maxParallel", checkMaxParallel(raw.maxParallel ?? ""));
  const retries = take("retries", checkRetries(raw.retries ?? ""));

  const alertWebhooks: WebhookSetting[] = [];
  for (const entry of raw.alertWebhooks ?? []) {
    if (!entry.trim()) continue;
    const v = take("alertWebhooks", checkAlertWebhook(entry));
    if (v && !alertWebhooks.some((w) => w.key === v.key)) alertWebhooks.push(v);
  }
  if (alertWebhooks.length > MAX_ALERT_WEBHOOKS)
    problems.push(
      new InputError(
        "--alert-webhook",
        `${alertWebhooks.length} webhooks; EventBridge allows 5 targets per rule and the alert rule's first is the email topic, so at most ${MAX_ALERT_WEBHOOKS}`,
        "one webhook per chat channel, at most 4",
      ),
    );

  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new InputErrors(problems);
  const settings: JobSettings = {
    name: name!,
    repository: repo!.location,
    sourceType: repo!.sourceType,
    branch,
    buildspec: buildspec!,
    schedule: schedule!,
    timezone: timezone!,
    computeType: computeType!,
    arch: arch!,
    image: image!,
    timeoutMinutes: timeoutMinutes!,
    email: email!,
    alertOn: alertOn!,
    env,
    policyArns,
    policyFile,
    permissionsBoundary,
    logRetentionDays: logRetentionDays!,
    queuedTimeoutMinutes: queuedTimeoutMinutes!,
    gpu: gpu ?? false,
    cache,
    vpc,
    missedRunAlarm,
    graceSeconds,
    expectEverySeconds,
    maxParallel,
    retries,
    ...(alertWebhooks.length ? { alertWebhooks } : {}),
  };
  const resolved = { ...settings, policyDocument };
  const inline = serviceRoleInlineProblem(resolved);
  if (inline) throw inline;
  return resolved;
}

/** The longest ARNs the job's references can have (the longest region name): the size check holds in every region. */
const LONGEST_WHERE = { account: "123456789012", region: "ap-southeast-5", partition: "aws" };

/** Each Parameter Store / Secrets Manager reference adds its ARN to the service role's inline policy, which IAM caps. */
function serviceRoleInlineProblem(settings: ResolvedSettings): InputError | undefined {
  // The longest log group ARN too: the job's logs are /aws/codebuild/<name> in its region.
  const logGroupArn = `arn:${LONGEST_WHERE.partition}:logs:${LONGEST_WHERE.region}:${LONGEST_WHERE.account}:log-group:/aws/codebuild/${settings.name}`;
  const size = policySize({ Version: "2012-10-17", Statement: serviceRoleStatements(settings, LONGEST_WHERE, logGroupArn) });
  if (size <= ROLE_INLINE_POLICIES_MAX) return undefined;
  const references = settings.env.filter((e) => e.type !== "PLAINTEXT").length;
  return new InputError(
    "--env",
    `the ${references} Parameter Store and Secrets Manager references make the CodeBuild role's policy up to ${size.toLocaleString("en-US")} characters; IAM allows ${ROLE_INLINE_POLICIES_MAX.toLocaleString("en-US")} for a role's inline policies`,
    "keep several values in one JSON secret and reference its keys: DB_USER=secretsmanager:cleanup/db:user DB_PASSWORD=secretsmanager:cleanup/db:password",
  );
}

function requiredExample(field: (typeof REQUIRED_FIELDS)[number]): string {
  switch (field) {
    case "name":
      return "--name cleanup-expired-accounts";
    case "repository":
      return "--repo https://github.com/acme/ops-scripts.git";
    case "schedule":
      return '--schedule "cron(0 7 ? * MON-FRI *)"';
    case "email":
      return "--email ops@example.com";
  }
}

/** The settings as saved in support-job.json: the raw, re-checkable forms, never a secret value. */
export function toRaw(settings: JobSettings): RawSettings {
  return {
    name: settings.name,
    repository: settings.repository,
    ...(settings.sourceType === "GITHUB_ENTERPRISE" || settings.sourceType === "GITLAB_SELF_MANAGED" ? { sourceType: settings.sourceType } : {}),
    ...(settings.branch ? { branch: settings.branch } : {}),
    buildspec: settings.buildspec,
    schedule: settings.schedule,
    timezone: settings.timezone,
    computeType: settings.computeType,
    arch: settings.arch,
    image: settings.image,
    timeout: settings.timeoutMinutes,
    email: settings.email,
    alertOn: settings.alertOn,
    env: settings.env.map(envToString),
    policyArns: settings.policyArns,
    ...(settings.policyFile ? { policyFile: settings.policyFile } : {}),
    ...(settings.permissionsBoundary ? { permissionsBoundary: settings.permissionsBoundary } : {}),
    // Written when not the default, so files from before these settings existed stay as they are.
    ...(settings.logRetentionDays !== DEFAULTS.logRetentionDays ? { logRetentionDays: settings.logRetentionDays } : {}),
    ...(settings.queuedTimeoutMinutes !== DEFAULTS.queuedTimeoutMinutes ? { queuedTimeout: settings.queuedTimeoutMinutes } : {}),
    ...(settings.gpu ? { gpu: true } : {}),
    ...(settings.cache ? { cache: cacheUrl(settings.cache) } : {}),
    ...(settings.vpc ? { vpcId: settings.vpc.vpcId, subnets: settings.vpc.subnets, securityGroups: settings.vpc.securityGroups } : {}),
    ...(settings.missedRunAlarm === false ? { missedRunAlarm: false } : {}),
    ...(settings.graceSeconds !== undefined ? { grace: durationFlag(settings.graceSeconds) } : {}),
    ...(settings.expectEverySeconds !== undefined ? { expectEvery: durationFlag(settings.expectEverySeconds) } : {}),
    ...((settings.maxParallel ?? DEFAULTS.maxParallel) !== DEFAULTS.maxParallel ? { maxParallel: settings.maxParallel } : {}),
    ...((settings.retries ?? DEFAULTS.retries) !== DEFAULTS.retries ? { retries: settings.retries } : {}),
    // Keys only: a webhook URL holds its secret and is never saved.
    ...(settings.alertWebhooks?.length ? { alertWebhooks: settings.alertWebhooks.map((w) => w.key) } : {}),
  };
}

/** GPU containers exist in a few regions only: refused elsewhere, once the region is known and before any AWS call. */
export function gpuRegionProblem(settings: Pick<JobSettings, "gpu">, region: string): InputError | undefined {
  if (!settings.gpu || GPU_REGIONS.includes(region)) return undefined;
  return new InputError("--gpu", `CodeBuild has no GPU containers in ${region}; they run in ${GPU_REGIONS.join(", ")}`, `--region ${GPU_REGIONS[0]}`);
}

function cacheUrl(cache: { bucket: string; prefix: string }): string {
  return `s3://${cache.bucket}/${cache.prefix}`;
}

/** Seconds → the shortest exact "90m", "26h", "2d" (what --grace and --expect-every read back). */
function durationFlag(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${Math.round(seconds / 60)}m`;
}
