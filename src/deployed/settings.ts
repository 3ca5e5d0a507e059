/**
 * A deployed job's settings, read back from AWS: lets `init --name N` on a machine without support-job.json
 * pre-fill the wizard with what is running, so it doubles as "edit" there too. Same reads as init and status.
 */
import type { Clients } from "../aws/clients.js";
import { readJobWithIdentity, type JobRead } from "../plan/plan.js";
import type { ProjectState } from "../resources/project.js";
import type { LogGroupState } from "../resources/log-group.js";
import type { RoleState } from "../resources/role.js";
import type { RuleState } from "../resources/rule.js";
import type { CurrentSubscriptions } from "../resources/topic.js";
import type { ChatState } from "../resources/chat.js";
import { isPending, isRecorded } from "../resources/topic.js";
import { jobArns, jobNames } from "../desired/names.js";
import { looksLikeSecret } from "../settings/secrets.js";
import { envToString, type RawSettings } from "../settings/validate.js";
import type { EnvVarType } from "../settings/types.js";
import { scheduleFrom } from "./schedule.js";

/** The group's retention when support-job set it; one CodeBuild made (untagged, no retention) gets the default. */
function logRetention(group: LogGroupState | undefined): { logRetentionDays?: number } {
  if (!group || group.owner === undefined) return {};
  return { logRetentionDays: group.retentionInDays ?? 0 };
}

export interface DeployedSettings {
  settings: RawSettings;
  /** What was left out and why (a plaintext variable that looks like a secret), each naming the variable, never its value. */
  warnings: string[];
}

/** undefined when there is no such job (or it is not support-job's): the wizard then starts from scratch. */
export async function deployedSettings(clients: Clients, name: string, keep?: (read: JobRead) => void): Promise<DeployedSettings | undefined> {
  const read = await readJobWithIdentity(name, clients, undefined);
  // init plans from these very reads (a fresh job too), rather than reading everything a second time.
  keep?.(read);
  const { where, current } = read;
  const found = current.get("project") as ProjectState | undefined;
  if (!found || found.owner !== name) return undefined;
  const project = found.project;
  const names = jobNames(name, clients.region);
  const arns = jobArns(names, where);
  const schedule = scheduleFrom(current, names);
  const alertRule = (current.get("alertRule") as RuleState | undefined)?.rule;
  const serviceRole = current.get("serviceRole") as RoleState | undefined;
  const subs = current.get("alertSubscription") as CurrentSubscriptions | undefined;
  const emails = subs?.emails ?? [];
  // The address support-job subscribed (the topic's tag); a topic from before the tag: its first confirmed one.
  const ours = subs?.recorded !== undefined ? emails.filter((s) => isRecorded(subs.recorded, s.Endpoint)) : emails;
  const email = (ours.find((s) => !isPending(s)) ?? ours[0])?.Endpoint;
  const pattern = alertRule?.EventPattern ? (JSON.parse(alertRule.EventPattern) as { detail?: { "build-status"?: string[] } }) : undefined;
  // The job's chat webhooks by key: init keeps them as deployed (their URLs are not read back into any setting).
  const chat = current.get("chatWebhooks") as ChatState | undefined;
  const alertWebhooks = (chat?.webhooks ?? []).filter((h) => h.owner === name && h.destination).map((h) => h.key);
  const warnings: string[] = [];
  const env: string[] = [];
  for (const v of project.environment?.environmentVariables ?? []) {
    const type = (v.type ?? "PLAINTEXT") as EnvVarType;
    const value = v.value ?? "";
    // Never into support-job.json as KEY=plain:VALUE: a secret set by hand stays out of every file.
    if (type === "PLAINTEXT" && looksLikeSecret(v.name ?? "", value)) {
      warnings.push(
        `env ${v.name ?? ""} is a plaintext variable of the deployed project that looks like a secret: left out of the starting settings (its value is not shown); reference it with --env ${v.name ?? "KEY"}=ssm:/parameter/name, or pass --env ${v.name ?? "KEY"}=plain:VALUE if it is not a secret`,
      );
      continue;
    }
    env.push(envToString({ name: v.name ?? "", value, type }));
  }
  return {
    settings: {
      name,
      repository: project.source?.location,
      branch: project.sourceVersion,
      buildspec: project.source?.buildspec,
      schedule: schedule?.expression,
      timezone: schedule?.timezone,
      computeType: project.environment?.computeType,
      arch: project.environment?.type === "ARM_CONTAINER" ? "arm64" : "x86_64",
      image: project.environment?.image,
      timeout: project.timeoutInMinutes,
      email,
      alertOn: pattern?.detail?.["build-status"],
      env,
      // The job's own policy comes back from its file; the wizard asks for it again (its path is not in AWS).
      policyArns: (serviceRole?.attached ?? []).filter((arn) => arn && arn !== arns.jobPolicy),
      permissionsBoundary: serviceRole?.role.PermissionsBoundary?.PermissionsBoundaryArn,
      ...logRetention(current.get("logGroup") as LogGroupState | undefined),
      queuedTimeout: project.queuedTimeoutInMinutes,
      gpu: project.environment?.type === "LINUX_GPU_CONTAINER",
      ...(project.cache?.type === "S3" && project.cache.location ? { cache: `s3://${project.cache.location}` } : {}),
      ...(project.vpcConfig?.vpcId
        ? { vpcId: project.vpcConfig.vpcId, subnets: project.vpcConfig.subnets ?? [], securityGroups: project.vpcConfig.securityGroupIds ?? [] }
        : {}),
      // A project from before --max-parallel has no limit: it gets the default (1) unless a flag says otherwise.
      maxParallel: project.concurrentBuildLimit,
      retries: project.autoRetryLimit,
      ...(alertWebhooks.length ? { alertWebhooks } : {}),
    },
    warnings,
  };
}
