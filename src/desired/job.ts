/**
 * Pure: settings + where (account, region) → the desired state of every resource, including the IAM
 * documents. No AWS calls here, so the whole of it is unit-tested with plain objects.
 */
import type { ComputeType as CodeBuildComputeType, EnvironmentVariable, ProjectCache, ProjectSource, VpcConfig } from "@aws-sdk/client-codebuild";
import { alarmStateEventPattern, failedRunTransformer, missedRunAlarmTransformer, type InputTransformer } from "./chat.js";
import { chatPrefix, jobArns, jobNames, REGION_TAG_KEY, TAG_KEY, type JobArns, type JobNames, type Where } from "./names.js";
import { serviceRoleStatements } from "../settings/policy.js";
import { missedRunAlarmInput, startRefusedAlarmInput, type MetricAlarmInput } from "./missed-run.js";
import { durationInWords, missedRunWatch, runGraceSeconds, type MissedRunWatch } from "../settings/missed-run-window.js";
import {
  DEFAULTS,
  ECR_IMAGE,
  MAX_RETRIES,
  environmentType,
  type AlertStatus,
  type PolicyDocument,
  type ChatKind,
  type PolicyStatement,
  type ResolvedSettings,
} from "../settings/types.js";

export interface Tag {
  Key: string;
  Value: string;
}

export interface RoleSpec {
  name: string;
  arn: string;
  description: string;
  trustPolicy: PolicyDocument;
  inlinePolicyName: string;
  inlinePolicy: PolicyDocument;
  managedPolicyArns: string[];
  /** The most any of the role's policies can grant (--permissions-boundary); undefined: none. */
  permissionsBoundary: string | undefined;
  /** What uses the role checks its inline policy when it is created (CodeBuild and a VPC): it must exist first. */
  policyBeforeUse?: boolean | undefined;
}

export interface ProjectSpec {
  name: string;
  arn: string;
  description: string;
  source: ProjectSource;
  sourceVersion: string | undefined;
  environment: {
    type: "LINUX_CONTAINER" | "ARM_CONTAINER" | "LINUX_GPU_CONTAINER";
    computeType: CodeBuildComputeType;
    image: string;
    imagePullCredentialsType: "CODEBUILD" | "SERVICE_ROLE";
    privilegedMode: false;
    environmentVariables: EnvironmentVariable[];
  };
  serviceRole: string;
  timeoutInMinutes: number;
  queuedTimeoutInMinutes: number;
  /** S3 only: a local cache is gone long before a scheduled job's next run. */
  cache: ProjectCache;
  vpcConfig: VpcConfig | undefined;
  /** How many runs may go at once; a start over it is refused by CodeBuild, not queued. */
  concurrentBuildLimit: number;
  /** How many times CodeBuild re-runs a failed run itself (0: never). */
  autoRetryLimit: number;
}

/** The job's own log group, created ahead of CodeBuild so it has a retention and the job's tag. */
export interface LogGroupSpec {
  name: string;
  arn: string;
  /** undefined: never expire (no retention policy). */
  retentionInDays: number | undefined;
}

interface ScheduleRuleSpec {
  name: string;
  arn: string;
  expression: string;
  description: string;
  targetId: string;
  targetArn: string;
  roleArn: string;
}

export interface SchedulerScheduleSpec {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone: string;
  description: string;
  /** Scheduler's templated CodeBuild target: Arn = the project ARN, no Input (as AWS CDK's CodeBuildStartBuild). */
  target: {
    Arn: string;
    RoleArn: string;
    RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
  };
}

/** The missed-run alarm: what is watched (or why not), and the alarm support-job wants when it is. */
interface MissedRunSpec {
  watch: MissedRunWatch;
  /** undefined: not watched (off, or a schedule whose gap does not fit CloudWatch's limits). */
  alarm: MetricAlarmInput | undefined;
  /** The grace time a run has after it was due: the alarm's, and how late status calls a run. */
  graceSeconds: number;
  expression: string;
  timezone: string;
  /** When the desired state was computed: arming compares it with the first due time. */
  now: Date;
}

/** Scheduler: a run that could not start is retried a few times, and never once it is a grace time late. */
const SCHEDULER_RETRY_ATTEMPTS = 5;
const SCHEDULER_EVENT_AGE = { min: 60, max: 86_400 } as const;

interface AlertRuleSpec {
  name: string;
  arn: string;
  description: string;
  eventPattern: Record<string, unknown>;
  targetId: string;
  targetArn: string;
  inputPathsMap: Record<string, string>;
  inputTemplate: string;
}

/** One chat webhook: an EventBridge connection and API destination (both `name`) and a target on the alert rule. */
export interface ChatWebhookSpec {
  key: string;
  kind: ChatKind;
  /** The URL (a secret): undefined when only its key is known, and the deployed API destination is kept as it is. */
  url: string | undefined;
  /** Scheme and host only, or the key when the URL is not known. */
  display: string;
  name: string;
  targetId: string;
  transformer: InputTransformer;
}

/** One target per webhook on the alarm chat rule: its API destination is found by name (AWS adds an id to the ARN). */
export interface AlarmChatTargetSpec {
  key: string;
  /** The webhook's connection and API destination name. */
  destinationName: string;
  /** What its ARN starts with: `arn:…:api-destination/<name>/`. */
  destinationArnPrefix: string;
  targetId: string;
  transformer: InputTransformer;
}

/** The rule that sends the job's alarms' state changes (ALARM, OK) to its chat webhooks. */
export interface AlarmChatSpec {
  name: string;
  arn: string;
  description: string;
  eventPattern: Record<string, unknown>;
  roleArn: string;
  targets: AlarmChatTargetSpec[];
}

export interface ChatSpec {
  /** Every connection and API destination of the job is named prefix + key. */
  prefix: string;
  /** On the connection and the API destination (they take no tags): who owns them. */
  description: string;
  ruleName: string;
  roleArn: string;
  webhooks: ChatWebhookSpec[];
}

interface TopicSpec {
  name: string;
  arn: string;
  policy: PolicyDocument;
}

export interface JobSpec {
  job: string;
  where: Where;
  names: JobNames;
  arns: JobArns;
  tags: Tag[];
  /** IAM is global: its roles and policy also say which region's job owns them. */
  iamTags: Tag[];
  serviceRole: RoleSpec;
  jobPolicy: { name: string; arn: string; document: PolicyDocument } | undefined;
  project: ProjectSpec;
  logGroup: LogGroupSpec;
  /** UTC schedules: an EventBridge rule and the role it starts the project with. */
  scheduleRole: RoleSpec | undefined;
  scheduleRule: ScheduleRuleSpec | undefined;
  /** Any other time zone: an EventBridge Scheduler schedule in a group of the job's own, and its role. */
  schedulerRole: RoleSpec | undefined;
  scheduleGroup: { name: string; arn: string } | undefined;
  schedule: SchedulerScheduleSpec | undefined;
  alertTopic: TopicSpec;
  alertEmail: string;
  alertRule: AlertRuleSpec;
  missedRun: MissedRunSpec;
  /** The fast companion: the trigger's refused starts ≥ 1 in 5 minutes; undefined with --no-missed-run-alarm. */
  startRefusedAlarm: MetricAlarmInput | undefined;
  /** The job's alarms to its chat webhooks; undefined without webhooks or without alarms. */
  alarmChat: AlarmChatSpec | undefined;
  /** The role EventBridge calls the chat webhooks with; undefined without --alert-webhook. */
  chatRole: RoleSpec | undefined;
  /** The chat webhooks (none: any left of the job's are removed). */
  chat: ChatSpec;
}

const VERSION = "2012-10-17" as const;

export const SERVICE_ROLE_POLICY = "support-job-base";
export const SCHEDULE_ROLE_POLICY = "support-job-start-build";
export const SCHEDULE_TARGET_ID = "support-job-codebuild";
export const ALERT_TARGET_ID = "support-job-alert-topic";
export const CHAT_ROLE_POLICY = "support-job-invoke-webhooks";
/** A chat webhook's target on the alert rule: this and its key (Id: [.-_A-Za-z0-9]+, at most 64). */
export const CHAT_TARGET_PREFIX = "support-job-chat-";
/** The Description of a job's connections and API destinations: they take no tags, so it says whose they are. */
function chatDescription(job: string): string {
  return `${TAG_KEY}=${job}: alerts of support-job job ${job} to a chat webhook`;
}

export function buildJobSpec(settings: ResolvedSettings, where: Where, now = new Date()): JobSpec {
  const names = jobNames(settings.name, where.region);
  const arns = jobArns(names, where);
  const { account } = where;
  const tags: Tag[] = [{ Key: TAG_KEY, Value: settings.name }];

  const baseStatements = serviceRoleStatements(settings, where, arns.logGroup);

  // AWS: "CodeBuild will automatically call RetryBuild using the project's service role" (auto-retry user guide).
  if ((settings.retries ?? 0) > 0)
    baseStatements.push({ Sid: "RetryOwnFailedRuns", Effect: "Allow", Action: ["codebuild:RetryBuild"], Resource: [arns.project] });

  const jobPolicy = settings.policyDocument ? { name: names.jobPolicy, arn: arns.jobPolicy, document: settings.policyDocument } : undefined;

  const serviceRole: RoleSpec = {
    name: names.serviceRole,
    arn: arns.serviceRole,
    description: `support-job ${settings.name}: the role its CodeBuild runs use`,
    trustPolicy: {
      Version: VERSION,
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "codebuild.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": arns.project } },
        } as PolicyStatement,
      ],
    },
    inlinePolicyName: SERVICE_ROLE_POLICY,
    inlinePolicy: { Version: VERSION, Statement: baseStatements },
    managedPolicyArns: [...(jobPolicy ? [jobPolicy.arn] : []), ...settings.policyArns],
    permissionsBoundary: settings.permissionsBoundary,
    ...(settings.vpc ? { policyBeforeUse: true } : {}),
  };

  const project: ProjectSpec = {
    name: names.project,
    arn: arns.project,
    description: `Support job managed by support-job; change it with \`support-job init\`.`,
    source: {
      type: settings.sourceType,
      location: settings.repository,
      buildspec: settings.buildspec,
      gitCloneDepth: 1,
      insecureSsl: false,
    },
    sourceVersion: settings.branch,
    environment: {
      type: environmentType(settings.arch, settings.gpu),
      computeType: settings.computeType as CodeBuildComputeType,
      image: settings.image,
      imagePullCredentialsType: ECR_IMAGE.test(settings.image) ? "SERVICE_ROLE" : "CODEBUILD",
      privilegedMode: false,
      environmentVariables: settings.env.map((e) => ({ name: e.name, value: e.value, type: e.type })),
    },
    serviceRole: arns.serviceRole,
    timeoutInMinutes: settings.timeoutMinutes,
    queuedTimeoutInMinutes: settings.queuedTimeoutMinutes,
    cache: settings.cache ? { type: "S3", location: `${settings.cache.bucket}/${settings.cache.prefix}` } : { type: "NO_CACHE" },
    vpcConfig: settings.vpc ? { vpcId: settings.vpc.vpcId, subnets: settings.vpc.subnets, securityGroupIds: settings.vpc.securityGroups } : undefined,
    concurrentBuildLimit: settings.maxParallel ?? DEFAULTS.maxParallel,
    autoRetryLimit: settings.retries ?? DEFAULTS.retries,
  };

  const logGroup: LogGroupSpec = {
    name: names.logGroup,
    arn: arns.logGroup,
    retentionInDays: settings.logRetentionDays === 0 ? undefined : settings.logRetentionDays,
  };

  const startOnly: PolicyDocument = { Version: VERSION, Statement: [{ Effect: "Allow", Action: ["codebuild:StartBuild"], Resource: [arns.project] }] };
  const utc = settings.timezone === "UTC";

  const scheduleRole: RoleSpec | undefined = utc
    ? {
        name: names.scheduleRole,
        arn: arns.scheduleRole,
        description: `support-job ${settings.name}: lets the schedule start the job's runs, nothing else`,
        trustPolicy: eventBridgeTrust(account),
        inlinePolicyName: SCHEDULE_ROLE_POLICY,
        inlinePolicy: startOnly,
        managedPolicyArns: [],
        permissionsBoundary: settings.permissionsBoundary,
      }
    : undefined;

  const scheduleRule: ScheduleRuleSpec | undefined = utc
    ? {
        name: names.scheduleRule,
        arn: arns.scheduleRule,
        expression: settings.schedule,
        description: `support-job ${settings.name}: starts the job on its schedule`,
        targetId: SCHEDULE_TARGET_ID,
        targetArn: arns.project,
        roleArn: arns.scheduleRole,
      }
    : undefined;

  const schedulerRole: RoleSpec | undefined = utc
    ? undefined
    : {
        name: names.schedulerRole,
        arn: arns.schedulerRole,
        description: `support-job ${settings.name}: lets its time-zone schedule start the job's runs, nothing else`,
        trustPolicy: {
          Version: VERSION,
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "scheduler.amazonaws.com" },
              Action: "sts:AssumeRole",
              // AWS: SourceArn is the schedule group's ARN (not a schedule's, not a prefix).
              Condition: { StringEquals: { "aws:SourceAccount": account, "aws:SourceArn": arns.scheduleGroup } },
            } as PolicyStatement,
          ],
        },
        inlinePolicyName: SCHEDULE_ROLE_POLICY,
        inlinePolicy: startOnly,
        managedPolicyArns: [],
        permissionsBoundary: settings.permissionsBoundary,
      };

  const scheduleGroup = utc ? undefined : { name: names.scheduleGroup, arn: arns.scheduleGroup };
  const missedRun = missedRunSpec(settings, names.project, arns.alertTopic, tags, now);
  const schedule: SchedulerScheduleSpec | undefined = utc
    ? undefined
    : {
        name: names.schedule,
        group: names.scheduleGroup,
        arn: arns.schedule,
        expression: settings.schedule,
        timezone: settings.timezone,
        description: `support-job ${settings.name}: starts the job on its schedule (${settings.timezone})`,
        target: {
          Arn: arns.project,
          RoleArn: arns.schedulerRole,
          // A run that cannot start (throttling, a transient CodeBuild error) is retried a few times within the grace
          // time, then dropped: never AWS's default of 185 attempts over 24 hours, so a run never starts hours late.
          RetryPolicy: {
            MaximumRetryAttempts: SCHEDULER_RETRY_ATTEMPTS,
            MaximumEventAgeInSeconds: Math.min(SCHEDULER_EVENT_AGE.max, Math.max(SCHEDULER_EVENT_AGE.min, missedRun.graceSeconds)),
          },
        },
      };

  const alertTopic: TopicSpec = {
    name: names.alertTopic,
    arn: arns.alertTopic,
    policy: {
      Version: VERSION,
      Statement: [
        // No Condition: the EventBridge user guide ("Using resource-based policies", Amazon SNS permissions) says
        // "You can't use Condition blocks in Amazon SNS topic policies for EventBridge"; one would stop every alert.
        {
          Sid: "AllowEventBridgeToPublishAlerts",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sns:Publish",
          Resource: arns.alertTopic,
        } as PolicyStatement,
      ],
    },
  };

  const alertRule: AlertRuleSpec = {
    name: names.alertRule,
    arn: arns.alertRule,
    description: `support-job ${settings.name}: emails when a run ends ${settings.alertOn.join(", ")}`,
    eventPattern: alertEventPattern(settings.name, settings.alertOn, settings.retries ?? 0),
    targetId: ALERT_TARGET_ID,
    targetArn: arns.alertTopic,
    ...alertMessage(),
  };

  const prefix = chatPrefix(settings.name);
  const webhooks: ChatWebhookSpec[] = (settings.alertWebhooks ?? []).map((w) => ({
    key: w.key,
    kind: w.kind,
    url: w.url,
    display: w.display ?? w.key,
    name: `${prefix}${w.key}`,
    targetId: `${CHAT_TARGET_PREFIX}${w.key}`,
    transformer: failedRunTransformer(w.kind, settings.name),
  }));
  const chat: ChatSpec = { prefix, description: chatDescription(settings.name), ruleName: names.alertRule, roleArn: arns.chatRole, webhooks };
  // Created at once (no data is "nothing refused"), on the trigger the job has: the rule (UTC) or the Scheduler group.
  const startRefusedAlarm =
    settings.missedRunAlarm === false
      ? undefined
      : startRefusedAlarmInput({
          job: settings.name,
          trigger: utc ? { kind: "rule", ruleName: names.scheduleRule } : { kind: "scheduler", scheduleGroup: names.scheduleGroup },
          topicArn: arns.alertTopic,
          tags,
        });
  const alarmNames = [missedRun.alarm?.AlarmName, startRefusedAlarm?.AlarmName].filter((n): n is string => n !== undefined);
  const windowWords = missedRun.watch.watched && missedRun.alarm ? durationInWords(missedRun.watch.windowSeconds) : undefined;
  const alarmChat: AlarmChatSpec | undefined =
    webhooks.length && alarmNames.length
      ? {
          name: names.alarmChatRule,
          arn: arns.alarmChatRule,
          description: `support-job ${settings.name}: posts its alarms' changes (ALARM, OK) to its chat webhooks`,
          eventPattern: alarmStateEventPattern(alarmNames),
          roleArn: arns.chatRole,
          targets: webhooks.map((w) => ({
            key: w.key,
            destinationName: w.name,
            destinationArnPrefix: apiDestinationArnPrefix(where, w.name),
            targetId: w.targetId,
            transformer: missedRunAlarmTransformer(w.kind, settings.name, windowWords),
          })),
        }
      : undefined;
  const chatRole: RoleSpec | undefined = webhooks.length
    ? {
        name: names.chatRole,
        arn: arns.chatRole,
        description: `support-job ${settings.name}: lets its alert rule post to the job's chat webhooks, nothing else`,
        trustPolicy: eventBridgeTrust(account),
        inlinePolicyName: CHAT_ROLE_POLICY,
        inlinePolicy: {
          Version: VERSION,
          Statement: [
            {
              Effect: "Allow",
              Action: ["events:InvokeApiDestination"],
              // An API destination's ARN ends in an id AWS makes: name/* matches it and nothing else.
              Resource: webhooks.map((w) => `${apiDestinationArnPrefix(where, w.name)}*`),
            },
          ],
        },
        managedPolicyArns: [],
        permissionsBoundary: settings.permissionsBoundary,
      }
    : undefined;

  return {
    job: settings.name,
    where,
    names,
    arns,
    tags,
    iamTags: [...tags, { Key: REGION_TAG_KEY, Value: where.region }],
    serviceRole,
    jobPolicy,
    project,
    logGroup,
    scheduleRole,
    scheduleRule,
    schedulerRole,
    scheduleGroup,
    schedule,
    alertTopic,
    alertEmail: settings.email,
    alertRule,
    missedRun,
    startRefusedAlarm,
    alarmChat,
    chatRole,
    chat,
  };
}

/** An API destination's ARN up to the id AWS adds: `arn:…:api-destination/<name>/`. */
function apiDestinationArnPrefix(where: Where, name: string): string {
  return `arn:${where.partition}:events:${where.region}:${where.account}:api-destination/${name}/`;
}

/** The missed-run watch from the settings (validated already, so --expect-every and --grace fit). */
function missedRunSpec(settings: ResolvedSettings, project: string, topicArn: string, tags: Tag[], now: Date): MissedRunSpec {
  const base = { expression: settings.schedule, timezone: settings.timezone, now };
  const options = {
    ...base,
    enabled: settings.missedRunAlarm !== false,
    graceSeconds: settings.graceSeconds,
    expectEverySeconds: settings.expectEverySeconds,
  };
  const watch = missedRunWatch(options);
  const alarm = watch.watched ? missedRunAlarmInput({ job: settings.name, project, topicArn, watch, tags }) : undefined;
  return { ...base, watch, graceSeconds: runGraceSeconds(watch, options), alarm };
}

export function alertEventPattern(project: string, statuses: readonly AlertStatus[], retries = 0): Record<string, unknown> {
  const detail: Record<string, unknown> = { "build-status": [...statuses], "project-name": [project] };
  if (retries > 0) detail.$or = lastAttemptOnly();
  return { source: ["aws.codebuild"], "detail-type": ["CodeBuild Build State Change"], detail };
}

/**
 * With retries on, alert only on a run's last attempt: the build's autoRetryConfig says which attempt it is
 * (autoRetryNumber, 0 for the first) out of how many (autoRetryLimit, the project's or StartBuild's override).
 * EventBridge cannot compare two fields, so "number = limit" is one alternative per limit (0–10). The event's
 * additional-information carries the build's fields in kebab case (logs.deep-link, build-start-time...); that
 * auto-retry-config does too is not confirmed here, so an event without it still alerts (every attempt): never
 * silent, at worst noisy.
 */
function lastAttemptOnly(): Record<string, unknown>[] {
  const config = (fields: Record<string, unknown>) => ({ "additional-information": { "auto-retry-config": fields } });
  return [
    config({ "auto-retry-number": [{ exists: false }] }),
    ...Array.from({ length: MAX_RETRIES + 1 }, (_, n) => config({ "auto-retry-limit": [n], "auto-retry-number": [n] })),
  ];
}

/** A readable email: JSON string lines joined by newlines (EventBridge sends the quotes, as in AWS CDK's alerts). */
function alertMessage(): { inputPathsMap: Record<string, string>; inputTemplate: string } {
  const inputPathsMap = {
    project: "$.detail.project-name",
    status: "$.detail.build-status",
    phase: "$.detail.current-phase",
    context: "$.detail.current-phase-context",
    time: "$.time",
    logs: "$.detail.additional-information.logs.deep-link",
    build: "$.detail.build-id",
  };
  const lines = [
    "Support job <project>: the run ended <status> at <time> (UTC).",
    "Phase: <phase> <context>",
    "Logs: <logs>",
    "Run: <build>",
    "See every run with: support-job status --name <project>",
  ];
  return { inputPathsMap, inputTemplate: lines.map((l) => JSON.stringify(l)).join("\n") };
}

/** EventBridge may assume the role, only for rules in the job's own account (the schedule rule, the alert rule's chat targets). */
function eventBridgeTrust(account: string): PolicyDocument {
  return {
    Version: VERSION,
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      } as PolicyStatement,
    ],
  };
}
