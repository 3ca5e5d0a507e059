/** The job's settings: what the user chose, validated. Saved (minus nothing secret) to support-job.json. */

export type Arch = "x86_64" | "arm64";
export type SourceType = "GITHUB" | "GITHUB_ENTERPRISE" | "GITLAB" | "GITLAB_SELF_MANAGED" | "BITBUCKET" | "CODECOMMIT";
/** An ECR image: the service role must be allowed to pull it. */
export const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9._/-]+)(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})?$/;
export type EnvVarType = "PLAINTEXT" | "PARAMETER_STORE" | "SECRETS_MANAGER";
export type AlertStatus = "FAILED" | "STOPPED" | "TIMED_OUT" | "FAULT" | "SUCCEEDED" | "IN_PROGRESS";

export const ALERT_STATUSES: readonly AlertStatus[] = ["FAILED", "STOPPED", "TIMED_OUT", "FAULT", "SUCCEEDED", "IN_PROGRESS"];
export const DEFAULT_ALERT_ON: readonly AlertStatus[] = ["FAILED", "STOPPED", "TIMED_OUT", "FAULT"];

export type ChatKind = "slack" | "teams" | "discord" | "generic";
export const CHAT_KINDS: readonly ChatKind[] = ["slack", "teams", "discord", "generic"];

export interface EnvVar {
  name: string;
  /** PLAINTEXT: the value; PARAMETER_STORE: the parameter name; SECRETS_MANAGER: secret-id[:json-key[:stage[:version]]]. */
  value: string;
  type: EnvVarType;
}

export interface JobSettings {
  name: string;
  repository: string;
  sourceType: SourceType;
  /** Branch, tag or commit; undefined = the repository's default branch. */
  branch: string | undefined;
  buildspec: string;
  schedule: string;
  /** IANA zone; "UTC" keeps an EventBridge rule, any other zone uses EventBridge Scheduler. */
  timezone: string;
  computeType: string;
  arch: Arch;
  image: string;
  timeoutMinutes: number;
  email: string;
  alertOn: AlertStatus[];
  env: EnvVar[];
  policyArns: string[];
  /** Path of a JSON policy document with the job's own permissions, relative to the working directory. */
  policyFile: string | undefined;
  /** Managed policy ARN set as the permissions boundary of every role support-job creates (delegated role creation). */
  permissionsBoundary?: string | undefined;
  /** Days CloudWatch Logs keeps the runs' logs (one of LOG_RETENTION_DAYS); 0 = never expire. */
  logRetentionDays: number;
  /** Minutes a run may wait for capacity before CodeBuild gives up on it, 5–480. */
  queuedTimeoutMinutes: number;
  /** A GPU environment (LINUX_GPU_CONTAINER): BUILD_GENERAL1_SMALL or _LARGE, in GPU_REGIONS only. */
  gpu: boolean;
  /** S3 cache `bucket/prefix` (given as s3://bucket/prefix); undefined: no cache. */
  cache: { bucket: string; prefix: string } | undefined;
  /** Runs inside the user's VPC: its subnets (private, with a NAT route) and security groups. */
  vpc: VpcSettings | undefined;
  /** The missed-run alarm; undefined or true: on (false with --no-missed-run-alarm). */
  missedRunAlarm?: boolean | undefined;
  /** --grace in seconds; undefined: 10% of the schedule's longest gap, at least 15 minutes. */
  graceSeconds?: number | undefined;
  /** --expect-every in seconds: watch this window instead of the schedule's longest gap. */
  expectEverySeconds?: number | undefined;
  /** The project's concurrentBuildLimit (--max-parallel); undefined: 1, no overlapping runs. */
  maxParallel?: number | undefined;
  /** The project's autoRetryLimit (--retries), 0–10; undefined: 0. */
  retries?: number | undefined;
  /**
   * Chat webhooks alerts also go to (--alert-webhook). support-job.json keeps only each one's key ("slack-1a2b3c4d");
   * the URL (a secret) is known only in the run that was given it.
   */
  alertWebhooks?: WebhookSetting[] | undefined;
}

export interface VpcSettings {
  vpcId: string;
  subnets: string[];
  securityGroups: string[];
}

/** One --alert-webhook: its secret-free key and kind; the URL only when given in this run (never saved). */
export interface WebhookSetting {
  key: string;
  kind: ChatKind;
  /** The full URL: a secret. Undefined when only the key is known (from support-job.json or AWS). */
  url?: string | undefined;
  /** Scheme and host only: safe to show. */
  display?: string | undefined;
}

/** EventBridge allows 5 targets per rule; the alert rule's first is the email topic. */
export const MAX_ALERT_WEBHOOKS = 4;

/** What the engine needs besides the settings: the policy document read from policyFile. */
export interface ResolvedSettings extends JobSettings {
  policyDocument: PolicyDocument | undefined;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface ComputeType {
  id: string;
  label: string;
  x86: { memory: string; vcpus: number };
  arm: { memory: string; vcpus: number } | undefined;
  note?: string;
}

/** CodeBuild's Linux container compute types, memory and vCPUs per architecture. Lambda types are not offered: see README; GPU: GPU_COMPUTE. */
export const COMPUTE_TYPES: readonly ComputeType[] = [
  { id: "BUILD_GENERAL1_SMALL", label: "small", x86: { memory: "3 GB", vcpus: 2 }, arm: { memory: "4 GB", vcpus: 2 } },
  { id: "BUILD_GENERAL1_MEDIUM", label: "medium", x86: { memory: "7 GB", vcpus: 4 }, arm: { memory: "8 GB", vcpus: 4 } },
  { id: "BUILD_GENERAL1_LARGE", label: "large", x86: { memory: "15 GB", vcpus: 8 }, arm: { memory: "16 GB", vcpus: 8 } },
  { id: "BUILD_GENERAL1_XLARGE", label: "xlarge", x86: { memory: "70 GB", vcpus: 36 }, arm: { memory: "64 GB", vcpus: 32 } },
  {
    id: "BUILD_GENERAL1_2XLARGE",
    label: "2xlarge",
    x86: { memory: "145 GB", vcpus: 72 },
    arm: { memory: "96 GB", vcpus: 48 },
    note: "not offered in every region",
  },
];

export const DEFAULT_IMAGES: Record<Arch, string> = {
  x86_64: "aws/codebuild/standard:7.0",
  arm64: "aws/codebuild/amazonlinux-aarch64-standard:3.0",
};

export function environmentType(arch: Arch, gpu = false): "LINUX_CONTAINER" | "ARM_CONTAINER" | "LINUX_GPU_CONTAINER" {
  if (gpu) return "LINUX_GPU_CONTAINER";
  return arch === "arm64" ? "ARM_CONTAINER" : "LINUX_CONTAINER";
}

/** CloudWatch Logs' allowed retention periods (PutRetentionPolicy); 0 here means "never expire" (no policy). */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** GPU compute: the two sizes CodeBuild offers a LINUX_GPU_CONTAINER on, and what each has. */
export const GPU_COMPUTE: Readonly<Record<string, string>> = {
  BUILD_GENERAL1_SMALL: "4 vCPU, 16 GB, 1 NVIDIA A10G",
  BUILD_GENERAL1_LARGE: "32 vCPU, 255 GB, 4 NVIDIA V100",
};

/**
 * The regions where CodeBuild offers LINUX_GPU_CONTAINER, as botocore's CodeBuild model (2016-10-06, the environment
 * type's documentation) lists them: the one list init checks --gpu against. moto cannot confirm it.
 */
export const GPU_REGIONS: readonly string[] = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2"];

export const DEFAULTS = {
  buildspec: "buildspec.yml",
  computeType: "BUILD_GENERAL1_SMALL",
  arch: "x86_64" as Arch,
  timeoutMinutes: 60,
  timezone: "UTC",
  /** Kept three months: enough to look back at a quarter's runs; logs never expire unless a retention is set. */
  logRetentionDays: 90,
  /** CodeBuild's own default. */
  queuedTimeoutMinutes: 480,
  maxParallel: 1,
  retries: 0,
};

/** CodeBuild's autoRetryLimit range (AWS CDK enforces the same). */
export const MAX_RETRIES = 10;

/** Job names are capped so every derived name (`support-job-<name>-scheduler`, 64 max) still fits. */
export const MAX_JOB_NAME = 40;
