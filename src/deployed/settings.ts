/**
 * A deployed job's settings, read back from AWS: lets `init --name N` on a machine without support-job.json
 * pre-fill the wizard with what is running, so it doubles as "edit" there too.
 */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import type { Clients } from "../aws/clients.js";
import { orMissing } from "../aws/errors.js";
import { listSubscriptions } from "../resources/topic.js";
import { jobArns, jobNames, TAG_KEY } from "../desired/names.js";
import { envToString, type RawSettings } from "../settings/validate.js";
import type { EnvVarType } from "../settings/types.js";
import { accountOf } from "../aws/call.js";
import { readSchedule } from "./schedule.js";

/** undefined when there is no such job (or it is not support-job's): the wizard then starts from scratch. */
export async function deployedSettings(clients: Clients, name: string): Promise<RawSettings | undefined> {
  const names = jobNames(name, clients.region);
  const [projects, schedule, alertRule, attached] = await Promise.all([
    orMissing(clients.codebuild.send(new BatchGetProjectsCommand({ names: [name] }))),
    readSchedule(clients, names),
    orMissing(clients.events.send(new DescribeRuleCommand({ Name: names.alertRule }))),
    orMissing(clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: names.serviceRole, MaxItems: 100 }))),
  ]);
  const project = projects?.projects?.[0];
  const account = accountOf(project?.arn);
  if (!project || !account || !project.tags?.some((t) => t.key === TAG_KEY && t.value === name)) return undefined;
  const partition = project.arn?.split(":")[1] ?? "aws";
  const arns = jobArns(names, { account, region: clients.region, partition });
  const emails = ((await listSubscriptions(clients.sns, arns.alertTopic)) ?? []).filter((s) => s.Protocol === "email");
  const pattern = alertRule?.EventPattern ? (JSON.parse(alertRule.EventPattern) as { detail?: { "build-status"?: string[] } }) : undefined;
  const env = project.environment?.environmentVariables ?? [];
  return {
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
    email: emails.find((s) => s.SubscriptionArn?.startsWith("arn:"))?.Endpoint ?? emails[0]?.Endpoint,
    alertOn: pattern?.detail?.["build-status"],
    env: env.map((v) => envToString({ name: v.name ?? "", value: v.value ?? "", type: (v.type ?? "PLAINTEXT") as EnvVarType })),
    // The job's own policy comes back from its file; the wizard asks for it again (its path is not in AWS).
    policyArns: (attached?.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? "").filter((arn) => arn && arn !== arns.jobPolicy),
  };
}
