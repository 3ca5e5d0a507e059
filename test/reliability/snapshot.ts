// Every resource of a job, read back from (local) AWS into one plain, normalized object, so two account states
// compare with a single toEqual: the same roles, policies, versions, tags, targets and subscriptions, no more.
import { BatchGetProjectsCommand, ListProjectsCommand, type Project } from "@aws-sdk/client-codebuild";
import {
  DescribeRuleCommand,
  ListRulesCommand,
  ListTagsForResourceCommand as ListRuleTagsCommand,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  type Tag as IamTag,
} from "@aws-sdk/client-iam";
import {
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand as ListSchedulerTagsCommand,
} from "@aws-sdk/client-scheduler";
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand as ListTopicTagsCommand,
  ListTopicsCommand,
} from "@aws-sdk/client-sns";
import type { AwsClients } from "../../tools/local-aws/env.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface RoleSnapshot {
  path: string;
  description: string;
  trust: Json;
  tags: Record<string, string>;
  inline: Record<string, Json>;
  attached: string[];
}

interface ManagedPolicySnapshot {
  description: string;
  tags: Record<string, string>;
  /** How many versions IAM holds: a retried CreatePolicy or CreatePolicyVersion shows up here. */
  versions: number;
  defaultVersion: string;
  document: Json;
}

interface ProjectSnapshot {
  description: string;
  source: Json;
  sourceVersion: string | null;
  artifacts: Json;
  environment: Json;
  serviceRole: string;
  timeoutInMinutes: number | null;
  logsConfig: Json;
  tags: Record<string, string>;
}

interface RuleSnapshot {
  state: string;
  description: string;
  scheduleExpression: string | null;
  eventPattern: Json;
  roleArn: string | null;
  tags: Record<string, string>;
  /** Every target, sorted by Id: a second PutTargets with another Id would show as a second entry. */
  targets: Json[];
}

interface TopicSnapshot {
  policy: Json;
  tags: Record<string, string>;
  /** "protocol:endpoint", sorted, duplicates kept: two email subscriptions for one address show twice. */
  subscriptions: string[];
}

interface ScheduleGroupSnapshot {
  state: string;
  tags: Record<string, string>;
  schedules: Record<string, Json>;
}

export interface AccountSnapshot {
  roles: Record<string, RoleSnapshot>;
  policies: Record<string, ManagedPolicySnapshot>;
  projects: Record<string, ProjectSnapshot>;
  rules: Record<string, RuleSnapshot>;
  topics: Record<string, TopicSnapshot>;
  scheduleGroups: Record<string, ScheduleGroupSnapshot>;
}

/** A name that belongs to the job: the project itself, or anything derived as support-job-<job>-… */
function belongsTo(job: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return name === job || name === `support-job-${job}` || name.startsWith(`support-job-${job}-`);
}

/** Reads every resource of `job` (IAM, CodeBuild, EventBridge, SNS, Scheduler) into a normalized object. */
export async function snapshotAccount(aws: AwsClients, job: string): Promise<AccountSnapshot> {
  const [roles, policies, projects, rules, topics, scheduleGroups] = await Promise.all([
    snapshotRoles(aws, job),
    snapshotPolicies(aws, job),
    snapshotProjects(aws, job),
    snapshotRules(aws, job),
    snapshotTopics(aws, job),
    snapshotScheduleGroups(aws, job),
  ]);
  return { roles, policies, projects, rules, topics, scheduleGroups };
}

/** True when nothing of the job is left in the account. */
export function isEmpty(snapshot: AccountSnapshot): boolean {
  return Object.values(snapshot).every((kind) => Object.keys(kind as object).length === 0);
}

/** How many resources a snapshot holds (each role, policy, project, rule, target, topic, subscription, group, schedule). */
export function countResources(snapshot: AccountSnapshot): number {
  let n = Object.keys(snapshot.roles).length + Object.keys(snapshot.policies).length + Object.keys(snapshot.projects).length;
  for (const rule of Object.values(snapshot.rules)) n += 1 + rule.targets.length;
  for (const topic of Object.values(snapshot.topics)) n += 1 + topic.subscriptions.length;
  for (const group of Object.values(snapshot.scheduleGroups)) n += 1 + Object.keys(group.schedules).length;
  return n;
}

// ---------------------------------------------------------------------------------------------------

async function snapshotRoles(aws: AwsClients, job: string): Promise<Record<string, RoleSnapshot>> {
  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await aws.iam.send(new ListRolesCommand({ Marker, MaxItems: 1000 }));
    for (const role of page.Roles ?? []) if (belongsTo(job, role.RoleName)) names.push(role.RoleName ?? "");
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  const out: Record<string, RoleSnapshot> = {};
  for (const RoleName of names.sort()) {
    const [role, inlineNames, attached] = await Promise.all([
      aws.iam.send(new GetRoleCommand({ RoleName })),
      aws.iam.send(new ListRolePoliciesCommand({ RoleName })),
      aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName, MaxItems: 100 })),
    ]);
    const inline: Record<string, Json> = {};
    for (const PolicyName of [...(inlineNames.PolicyNames ?? [])].sort()) {
      const doc = await aws.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
      inline[PolicyName] = policyJson(doc.PolicyDocument);
    }
    out[RoleName] = {
      path: role.Role?.Path ?? "/",
      description: role.Role?.Description ?? "",
      trust: policyJson(role.Role?.AssumeRolePolicyDocument),
      tags: iamTags(role.Role?.Tags),
      inline,
      attached: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? "").sort(),
    };
  }
  return out;
}

async function snapshotPolicies(aws: AwsClients, job: string): Promise<Record<string, ManagedPolicySnapshot>> {
  const listed = await aws.iam.send(new ListPoliciesCommand({ Scope: "Local", MaxItems: 1000 }));
  const out: Record<string, ManagedPolicySnapshot> = {};
  for (const policy of (listed.Policies ?? []).filter((p) => belongsTo(job, p.PolicyName)).sort(byKey((p) => p.PolicyName ?? ""))) {
    const PolicyArn = policy.Arn ?? "";
    const [got, tags, versions] = await Promise.all([
      aws.iam.send(new GetPolicyCommand({ PolicyArn })),
      aws.iam.send(new ListPolicyTagsCommand({ PolicyArn })),
      aws.iam.send(new ListPolicyVersionsCommand({ PolicyArn })),
    ]);
    const defaultVersion = (versions.Versions ?? []).find((v) => v.IsDefaultVersion)?.VersionId ?? "";
    const doc = await aws.iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: defaultVersion }));
    out[policy.PolicyName ?? ""] = {
      description: got.Policy?.Description ?? "",
      tags: iamTags(tags.Tags),
      versions: (versions.Versions ?? []).length,
      defaultVersion,
      document: policyJson(doc.PolicyVersion?.Document),
    };
  }
  return out;
}

async function snapshotProjects(aws: AwsClients, job: string): Promise<Record<string, ProjectSnapshot>> {
  const listed = await aws.codebuild.send(new ListProjectsCommand({}));
  const names = (listed.projects ?? []).filter((n) => belongsTo(job, n)).sort();
  if (names.length === 0) return {};
  const got = await aws.codebuild.send(new BatchGetProjectsCommand({ names }));
  const out: Record<string, ProjectSnapshot> = {};
  for (const project of got.projects ?? []) out[project.name ?? ""] = projectSnapshot(project);
  return out;
}

function projectSnapshot(p: Project): ProjectSnapshot {
  const env = p.environment;
  return {
    description: p.description ?? "",
    source: normalize(p.source),
    sourceVersion: p.sourceVersion ?? null,
    artifacts: normalize(p.artifacts),
    environment: normalize({
      ...env,
      environmentVariables: [...(env?.environmentVariables ?? [])].sort(byKey((v) => `${v.name ?? ""}=${v.type ?? ""}:${v.value ?? ""}`)),
    }),
    serviceRole: p.serviceRole ?? "",
    timeoutInMinutes: p.timeoutInMinutes ?? null,
    logsConfig: normalize(p.logsConfig),
    tags: Object.fromEntries((p.tags ?? []).map((t) => [t.key ?? "", t.value ?? ""]).sort()),
  };
}

async function snapshotRules(aws: AwsClients, job: string): Promise<Record<string, RuleSnapshot>> {
  const listed = await aws.events.send(new ListRulesCommand({ NamePrefix: `support-job-${job}`, Limit: 100 }));
  const out: Record<string, RuleSnapshot> = {};
  for (const rule of (listed.Rules ?? []).filter((r) => belongsTo(job, r.Name)).sort(byKey((r) => r.Name ?? ""))) {
    const Name = rule.Name ?? "";
    const [described, targets, tags] = await Promise.all([
      aws.events.send(new DescribeRuleCommand({ Name })),
      aws.events.send(new ListTargetsByRuleCommand({ Rule: Name })),
      aws.events.send(new ListRuleTagsCommand({ ResourceARN: rule.Arn })),
    ]);
    out[Name] = {
      state: described.State ?? "",
      description: described.Description ?? "",
      scheduleExpression: described.ScheduleExpression ?? null,
      eventPattern: described.EventPattern ? normalize(JSON.parse(described.EventPattern)) : null,
      roleArn: described.RoleArn ?? null,
      tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]).sort()),
      targets: [...(targets.Targets ?? [])].sort(byKey((t) => t.Id ?? "")).map((t) => normalize(t)),
    };
  }
  return out;
}

async function snapshotTopics(aws: AwsClients, job: string): Promise<Record<string, TopicSnapshot>> {
  const arns: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await aws.sns.send(new ListTopicsCommand({ NextToken }));
    for (const t of page.Topics ?? []) if (belongsTo(job, t.TopicArn?.split(":").pop())) arns.push(t.TopicArn ?? "");
    NextToken = page.NextToken;
  } while (NextToken);
  const out: Record<string, TopicSnapshot> = {};
  for (const TopicArn of arns.sort()) {
    const [attrs, tags] = await Promise.all([
      aws.sns.send(new GetTopicAttributesCommand({ TopicArn })),
      aws.sns.send(new ListTopicTagsCommand({ ResourceArn: TopicArn })),
    ]);
    const subscriptions: string[] = [];
    let token: string | undefined;
    do {
      const page = await aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken: token }));
      for (const s of page.Subscriptions ?? []) subscriptions.push(`${s.Protocol ?? ""}:${s.Endpoint ?? ""}`);
      token = page.NextToken;
    } while (token);
    out[TopicArn.split(":").pop() ?? ""] = {
      policy: policyJson(attrs.Attributes?.Policy),
      tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]).sort()),
      subscriptions: subscriptions.sort(),
    };
  }
  return out;
}

async function snapshotScheduleGroups(aws: AwsClients, job: string): Promise<Record<string, ScheduleGroupSnapshot>> {
  const listed = await aws.scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: `support-job-${job}` }));
  const out: Record<string, ScheduleGroupSnapshot> = {};
  for (const group of (listed.ScheduleGroups ?? []).filter((g) => belongsTo(job, g.Name)).sort(byKey((g) => g.Name ?? ""))) {
    const GroupName = group.Name ?? "";
    const [schedules, tags] = await Promise.all([
      aws.scheduler.send(new ListSchedulesCommand({ GroupName })),
      aws.scheduler.send(new ListSchedulerTagsCommand({ ResourceArn: group.Arn })),
    ]);
    const bySchedule: Record<string, Json> = {};
    for (const s of [...(schedules.Schedules ?? [])].sort(byKey((x) => x.Name ?? ""))) {
      const got = await aws.scheduler.send(new GetScheduleCommand({ Name: s.Name, GroupName }));
      bySchedule[s.Name ?? ""] = normalize({
        State: got.State,
        Description: got.Description,
        ScheduleExpression: got.ScheduleExpression,
        ScheduleExpressionTimezone: got.ScheduleExpressionTimezone,
        FlexibleTimeWindow: got.FlexibleTimeWindow,
        Target: got.Target,
      });
    }
    out[GroupName] = {
      state: group.State ?? "",
      tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]).sort()),
      schedules: bySchedule,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

/** IAM documents come URL-encoded from AWS (not from moto): decode either way, then normalize. */
function policyJson(text: string | undefined): Json {
  if (text === undefined || text === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = JSON.parse(decodeURIComponent(text));
  }
  return normalize(parsed);
}

/** Keys sorted, undefined dropped, SDK metadata and dates dropped: plain JSON that toEqual compares exactly. */
function normalize(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return null;
  if (Array.isArray(value)) return value.map((v) => normalize(v));
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || key === "$metadata" || v instanceof Date) continue;
      out[key] = normalize(v);
    }
    return out;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
}

function iamTags(tags: IamTag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]).sort());
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
