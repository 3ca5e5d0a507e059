import { createHash } from "node:crypto";
/** Every name and ARN the job uses, derived from the job name alone, so ARNs are known before resources exist. */

export const TAG_KEY = "support-job:job";
/** On the alert topic: the email address(es) support-job subscribed, so it never touches anyone else's. */
export const SUBSCRIBED_TAG_KEY = "support-job:email";

/** On IAM roles and policies (global): the region whose job owns them, so another region's job never touches them. */
export const REGION_TAG_KEY = "support-job:region";

type Tags = readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined;

/** Who owns an IAM role or policy: the job tag, qualified by region when another region's job holds it. */
export function iamOwner(tags: Tags, region: string): string | undefined {
  const job = tags?.find((t) => t.Key === TAG_KEY)?.Value;
  const owner = tags?.find((t) => t.Key === REGION_TAG_KEY)?.Value;
  return job !== undefined && owner !== undefined && owner !== region ? `${job} in ${owner}` : job;
}

/** CloudWatch alarm names are regional; the operator policy scopes them to support-job-*. */
export function missedRunAlarmName(job: string): string {
  return `support-job-${job}-missed-run`;
}

export function startRefusedAlarmName(job: string): string {
  return `support-job-${job}-start-refused`;
}

export interface JobNames {
  project: string;
  serviceRole: string;
  scheduleRole: string;
  schedulerRole: string;
  tryRole: string;
  /** The role EventBridge invokes the job's chat webhooks (API destinations) with. */
  chatRole: string;
  jobPolicy: string;
  scheduleRule: string;
  alertRule: string;
  alertTopic: string;
  scheduleGroup: string;
  schedule: string;
  logGroup: string;
  /** The missed-run CloudWatch alarm (regional, like the project). */
  missedRunAlarm: string;
  /** The CloudWatch alarm on the trigger's refused starts (FailedInvocations / InvocationDroppedCount). */
  startRefusedAlarm: string;
  /** The EventBridge rule that sends the job's alarms' state changes to its chat webhooks. */
  alarmChatRule: string;
}

/** IAM role names are at most 64 characters (policy names 128: the same cap keeps them alike). */
const IAM_NAME_MAX = 64;
const DIRECTIONS: Record<string, string> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** A short, readable, unique code per region: eu-west-1 → euw1, ap-southeast-5 → apse5, us-gov-west-1 → usgovw1. */
function regionCode(region: string): string {
  return region
    .split("-")
    .map((part) => DIRECTIONS[part] ?? part)
    .join("");
}

/**
 * IAM names are global to the account, so they carry the region: `support-job-<job>-<region code>-<kind>`. When
 * that is over 64 characters, the job part is cut and a hash of the whole job name keeps it unique and deterministic.
 */
export function iamName(job: string, region: string, kind: string): string {
  const tail = `-${regionCode(region)}-${kind}`;
  const full = `support-job-${job}${tail}`;
  if (full.length <= IAM_NAME_MAX) return full;
  const hash = createHash("sha256").update(job).digest("hex").slice(0, 8);
  const room = IAM_NAME_MAX - "support-job-".length - tail.length - hash.length - 1;
  return `support-job-${job.slice(0, Math.max(room, 1))}-${hash}${tail}`.slice(0, IAM_NAME_MAX);
}

/** The IAM names of the first releases, without the region: read only to move a job off them (see the README). */
export function legacyIamNames(job: string): Pick<JobNames, "serviceRole" | "scheduleRole" | "schedulerRole" | "tryRole" | "jobPolicy"> {
  const p = `support-job-${job}`;
  return { serviceRole: `${p}-build`, scheduleRole: `${p}-start`, schedulerRole: `${p}-scheduler`, tryRole: `${p}-try`, jobPolicy: `${p}-permissions` };
}

export function jobNames(job: string, region: string): JobNames {
  const p = `support-job-${job}`;
  return {
    project: job,
    serviceRole: iamName(job, region, "build"),
    scheduleRole: iamName(job, region, "start"),
    schedulerRole: iamName(job, region, "scheduler"),
    tryRole: iamName(job, region, "try"),
    chatRole: iamName(job, region, "chat"),
    jobPolicy: iamName(job, region, "permissions"),
    scheduleRule: `${p}-schedule`,
    alertRule: `${p}-alerts`,
    alertTopic: `${p}-alerts`,
    scheduleGroup: p,
    schedule: p,
    logGroup: `/aws/codebuild/${job}`,
    missedRunAlarm: missedRunAlarmName(job),
    startRefusedAlarm: startRefusedAlarmName(job),
    alarmChatRule: `${p}-alarms`,
  };
}

/** EventBridge connection and API destination names: [.-_A-Za-z0-9]+, at most 64 (botocore events model). */
const CHAT_NAME_MAX = 64;
/** The longest webhook key (desired/chat.ts): "generic-" or "discord-" and 8 hex. */
const CHAT_KEY_MAX = 16;

/**
 * The name prefix of a job's chat connections and API destinations: `support-job-<job>-`, then the webhook's key.
 * A job name too long for that to fit 64 is cut, with a hash of the whole name to keep it unique.
 */
export function chatPrefix(job: string): string {
  const full = `support-job-${job}-`;
  if (full.length + CHAT_KEY_MAX <= CHAT_NAME_MAX) return full;
  const hash = createHash("sha256").update(job).digest("hex").slice(0, 8);
  const room = CHAT_NAME_MAX - CHAT_KEY_MAX - "support-job-".length - hash.length - 2;
  return `support-job-${job.slice(0, room)}-${hash}-`;
}

export interface Where {
  account: string;
  region: string;
  partition: string;
}

export function jobArns(names: JobNames, { account, region, partition }: Where) {
  const iam = (kind: "role" | "policy", name: string) => `arn:${partition}:iam::${account}:${kind}/${name}`;
  return {
    project: `arn:${partition}:codebuild:${region}:${account}:project/${names.project}`,
    serviceRole: iam("role", names.serviceRole),
    scheduleRole: iam("role", names.scheduleRole),
    schedulerRole: iam("role", names.schedulerRole),
    tryRole: iam("role", names.tryRole),
    chatRole: iam("role", names.chatRole),
    jobPolicy: iam("policy", names.jobPolicy),
    scheduleRule: `arn:${partition}:events:${region}:${account}:rule/${names.scheduleRule}`,
    alertRule: `arn:${partition}:events:${region}:${account}:rule/${names.alertRule}`,
    alertTopic: `arn:${partition}:sns:${region}:${account}:${names.alertTopic}`,
    scheduleGroup: `arn:${partition}:scheduler:${region}:${account}:schedule-group/${names.scheduleGroup}`,
    schedule: `arn:${partition}:scheduler:${region}:${account}:schedule/${names.scheduleGroup}/${names.schedule}`,
    logGroup: `arn:${partition}:logs:${region}:${account}:log-group:${names.logGroup}`,
    missedRunAlarm: `arn:${partition}:cloudwatch:${region}:${account}:alarm:${names.missedRunAlarm}`,
    startRefusedAlarm: `arn:${partition}:cloudwatch:${region}:${account}:alarm:${names.startRefusedAlarm}`,
    alarmChatRule: `arn:${partition}:events:${region}:${account}:rule/${names.alarmChatRule}`,
  };
}
export type JobArns = ReturnType<typeof jobArns>;

/** A job by name and place, with every name and ARN: all that reading its resources needs. */
export function jobRef(job: string, where: Where): { job: string; where: Where; names: JobNames; arns: JobArns } {
  const names = jobNames(job, where.region);
  return { job, where, names, arns: jobArns(names, where) };
}

function consoleUrl(region: string, path: string): string {
  return `https://${region}.console.aws.amazon.com/${path}`;
}

export function buildConsoleUrl(region: string, account: string, buildId: string): string {
  const [project] = buildId.split(":");
  return consoleUrl(region, `codesuite/codebuild/${account}/projects/${project}/build/${encodeURIComponent(buildId)}/?region=${region}`);
}
