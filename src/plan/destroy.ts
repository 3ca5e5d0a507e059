/**
 * Removing a job: read what is left (in parallel), then delete it in a safe order, stage by stage:
 *   1. rules and the scheduler schedule (each rule's targets first), so nothing starts a run or sends an alert;
 *   2. the project, the alert topic (its subscriptions first) and the schedule group;
 *   3. the roles (inline policies deleted, managed policies detached first);
 *   4. the job's own managed policy (detached from whatever still holds it, non-default versions first).
 * Only resources tagged support-job:job=<name> are deleted; anything else with the job's names is skipped with a
 * note. Missing resources are simply not there: a second run after a partial failure finishes the job.
 * The runs' logs (CloudWatch Logs group /aws/codebuild/<name>) are kept.
 */
import { DeleteProjectCommand } from "@aws-sdk/client-codebuild";
import { readProject } from "../resources/project.js";
import { DescribeRuleCommand, ListTagsForResourceCommand as ListRuleTagsCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import {
  GetPolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyTagsCommand,
  ListRolePoliciesCommand,
  type ListEntitiesForPolicyCommandOutput,
} from "@aws-sdk/client-iam";
import { GetScheduleCommand, GetScheduleGroupCommand, ListTagsForResourceCommand as ListSchedulerTagsCommand } from "@aws-sdk/client-scheduler";
import { DeleteTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand as ListTopicTagsCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import type { Clients } from "../aws/clients.js";
import { deleteJobPolicy } from "../resources/job-policy.js";
import { deleteRole } from "../resources/role.js";
import { deleteRule } from "../resources/rule.js";
import { deleteSchedule, deleteScheduleGroup } from "../resources/scheduler.js";
import { isPending, listSubscriptions } from "../resources/topic.js";
import { iamOwner, jobArns, jobNames, legacyIamNames, TAG_KEY, type JobNames, type Where } from "../desired/names.js";
import { legacyRoleServes } from "../resources/legacy.js";
import { orMissing } from "../aws/errors.js";

type DestroyKey =
  | "scheduleRule"
  | "alertRule"
  | "schedule"
  | "alertTopic"
  | "project"
  | "scheduleGroup"
  | "serviceRole"
  | "scheduleRole"
  | "schedulerRole"
  | "tryRole"
  | "jobPolicy"
  | "legacyRole"
  | "legacyJobPolicy";

export interface DestroyStep {
  key: DestroyKey;
  label: string;
  name: string;
  /** delete: present and tagged for this job; skip: present but not the job's. */
  action: "delete" | "skip";
  /** What goes with it: "1 target", "2 inline policies", "subscription ops@example.com". */
  details: string[];
  /** Why a skipped resource is left alone. */
  note?: string | undefined;
  /** Steps of one stage run in parallel; a stage starts when the one before has finished. */
  stage: 1 | 2 | 3 | 4;
  run: (clients: Clients) => Promise<void>;
}

type Tags = { Key?: string | undefined; Value?: string | undefined }[] | undefined;

const ownerOf = (tags: Tags) => tags?.find((t) => t.Key === TAG_KEY)?.Value;

function ownership(job: string, owner: string | undefined): { action: "delete" | "skip"; note?: string } {
  if (owner === job) return { action: "delete" };
  return {
    action: "skip",
    note:
      owner === undefined ? `not tagged ${TAG_KEY}=${job} (support-job did not create it): left alone` : `belongs to support-job job "${owner}": left alone`,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Reads what is left of the job; only existing resources come back, in the order they will be deleted. */
export async function planDestroy(clients: Clients, job: string, where: Where): Promise<DestroyStep[]> {
  const names = jobNames(job, where.region);
  const arns = jobArns(names, where);
  const legacy = legacyIamNames(job);
  const found = await Promise.all([
    ruleStep(clients, job, "scheduleRule", "schedule rule", names.scheduleRule),
    ruleStep(clients, job, "alertRule", "alert rule", names.alertRule),
    ...schedulerSteps(clients, job, names, arns.scheduleGroup),
    topicStep(clients, job, names.alertTopic, arns.alertTopic),
    projectStep(clients, job, names.project),
    roleStep(clients, job, "serviceRole", "CodeBuild service role", names.serviceRole),
    roleStep(clients, job, "scheduleRole", "schedule role", names.scheduleRole),
    roleStep(clients, job, "schedulerRole", "scheduler role", names.schedulerRole),
    roleStep(clients, job, "tryRole", "try-it role", names.tryRole),
    policyStep(clients, job, names, arns.jobPolicy),
    // Roles named before IAM names carried the region: only the ones that serve this region's job.
    ...Object.entries(legacy)
      .filter(([kind]) => kind !== "jobPolicy")
      .map(([, name]) => roleStep(clients, job, "legacyRole", "old role (no region in its name)", name, where)),
    legacyPolicyStep(clients, job, legacy, where),
  ]);
  return found.filter((s): s is DestroyStep => s !== undefined).sort((a, b) => a.stage - b.stage);
}

export interface DestroyHooks {
  start?: (step: DestroyStep) => void;
  done?: (step: DestroyStep) => void;
  failed?: (step: DestroyStep, error: unknown) => void;
}

export interface DestroyResult {
  deleted: DestroyStep[];
  failed: { step: DestroyStep; error: unknown }[];
}

/** Deletes the steps marked delete, stage by stage; keeps going after a failure so one re-run finishes the rest. */
export async function applyDestroy(steps: readonly DestroyStep[], clients: Clients, hooks: DestroyHooks = {}): Promise<DestroyResult> {
  const result: DestroyResult = { deleted: [], failed: [] };
  for (const stage of [1, 2, 3, 4] as const) {
    const now = steps.filter((s) => s.stage === stage && s.action === "delete");
    await Promise.all(
      now.map(async (step) => {
        hooks.start?.(step);
        try {
          await step.run(clients);
          result.deleted.push(step);
          hooks.done?.(step);
        } catch (error) {
          result.failed.push({ step, error });
          hooks.failed?.(step, error);
        }
      }),
    );
  }
  return result;
}

// ---- one reader per kind of resource; each returns its step, or undefined when the resource is gone ----

async function ruleStep(clients: Clients, job: string, key: DestroyKey, label: string, name: string): Promise<DestroyStep | undefined> {
  const { events } = clients;
  const [rule, targets] = await Promise.all([
    orMissing(events.send(new DescribeRuleCommand({ Name: name }))),
    orMissing(events.send(new ListTargetsByRuleCommand({ Rule: name }))),
  ]);
  if (!rule?.Arn) return undefined;
  const tags = await orMissing(events.send(new ListRuleTagsCommand({ ResourceARN: rule.Arn })));
  const count = targets?.Targets?.length ?? 0;
  return {
    key,
    label,
    name,
    ...ownership(job, ownerOf(tags?.Tags)),
    details: count ? [plural(count, "target")] : [],
    stage: 1,
    run: async ({ events: eb }) => {
      await deleteRule(eb, name);
    },
  };
}

/** EventBridge Scheduler: the job's schedule lives in its own schedule group, which carries the tag. */
function schedulerSteps(clients: Clients, job: string, names: JobNames, groupArn: string): Promise<DestroyStep | undefined>[] {
  const { scheduler } = clients;
  const group = orMissing(scheduler.send(new GetScheduleGroupCommand({ Name: names.scheduleGroup })));
  const owner = group.then(async (g) => {
    if (!g) return undefined;
    const tags = await orMissing(scheduler.send(new ListSchedulerTagsCommand({ ResourceArn: g.Arn ?? groupArn })));
    return ownerOf(tags?.Tags);
  });
  const schedule = group.then((g) =>
    g ? orMissing(scheduler.send(new GetScheduleCommand({ Name: names.schedule, GroupName: names.scheduleGroup }))) : undefined,
  );
  return [
    schedule.then(async (s) =>
      s
        ? {
            key: "schedule" as const,
            label: "schedule",
            name: `${names.scheduleGroup}/${names.schedule}`,
            ...ownership(job, await owner),
            details: [],
            stage: 1 as const,
            run: async ({ scheduler: client }) => {
              await deleteSchedule(client, names.schedule, names.scheduleGroup);
            },
          }
        : undefined,
    ),
    group.then(async (g) =>
      g
        ? {
            key: "scheduleGroup" as const,
            label: "schedule group",
            name: names.scheduleGroup,
            ...ownership(job, await owner),
            details: [],
            stage: 2 as const,
            run: async ({ scheduler: client }) => {
              await deleteScheduleGroup(client, names.scheduleGroup);
            },
          }
        : undefined,
    ),
  ];
}

async function topicStep(clients: Clients, job: string, name: string, arn: string): Promise<DestroyStep | undefined> {
  const { sns } = clients;
  const [attrs, tags, subs] = await Promise.all([
    orMissing(sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))),
    orMissing(sns.send(new ListTopicTagsCommand({ ResourceArn: arn }))),
    listSubscriptions(sns, arn),
  ]);
  if (!attrs) return undefined;
  const details = (subs ?? []).map((s) => `${isPending(s) ? "pending " : ""}subscription ${s.Endpoint ?? s.Protocol ?? ""}`.trim());
  return {
    key: "alertTopic",
    label: "alert topic",
    name,
    ...ownership(job, ownerOf(tags?.Tags)),
    details,
    stage: 2,
    run: async ({ sns: client }) => {
      // Confirmed subscriptions first; a pending one has no ARN to unsubscribe and goes with the topic.
      const current = (await listSubscriptions(client, arn)) ?? [];
      await Promise.all(
        current.filter((s) => !isPending(s)).map((s) => orMissing(client.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn })))),
      );
      await orMissing(client.send(new DeleteTopicCommand({ TopicArn: arn })));
    },
  };
}

async function projectStep(clients: Clients, job: string, name: string): Promise<DestroyStep | undefined> {
  const project = (await orMissing(readProject(clients.codebuild, name)))?.project;
  if (!project) return undefined;
  return {
    key: "project",
    label: "CodeBuild project",
    name,
    ...ownership(job, project.tags?.find((t) => t.key === TAG_KEY)?.value),
    details: [],
    stage: 2,
    run: async ({ codebuild }) => {
      await orMissing(codebuild.send(new DeleteProjectCommand({ name })));
    },
  };
}

async function roleStep(clients: Clients, job: string, key: DestroyKey, label: string, RoleName: string, legacyOf?: Where): Promise<DestroyStep | undefined> {
  const { iam } = clients;
  const [role, inline, attached] = await Promise.all([
    orMissing(iam.send(new GetRoleCommand({ RoleName }))),
    orMissing(iam.send(new ListRolePoliciesCommand({ RoleName }))),
    orMissing(iam.send(new ListAttachedRolePoliciesCommand({ RoleName, MaxItems: 100 }))),
  ]);
  if (!role?.Role) return undefined;
  // An old role serving another region's job is not this destroy's to see, let alone delete.
  if (legacyOf && !(ownerOf(role.Role.Tags) === job && (await legacyRoleServes(iam, role.Role, inline?.PolicyNames ?? [], legacyOf, job)))) return undefined;
  const inlineCount = inline?.PolicyNames?.length ?? 0;
  const attachedCount = attached?.AttachedPolicies?.length ?? 0;
  const details = [
    inlineCount ? plural(inlineCount, "inline policy", "inline policies") : "",
    attachedCount ? `${plural(attachedCount, "managed policy", "managed policies")} detached` : "",
  ].filter(Boolean);
  return {
    key,
    label,
    name: RoleName,
    ...ownership(job, iamOwner(role.Role.Tags, clients.region)),
    details,
    stage: 3,
    run: async ({ iam: client }) => {
      await deleteRole(client, RoleName);
    },
  };
}

function entitiesOf(out: ListEntitiesForPolicyCommandOutput | undefined): string[] {
  return [
    ...(out?.PolicyRoles ?? []).map((r) => `role ${r.RoleName ?? ""}`),
    ...(out?.PolicyUsers ?? []).map((u) => `user ${u.UserName ?? ""}`),
    ...(out?.PolicyGroups ?? []).map((g) => `group ${g.GroupName ?? ""}`),
  ];
}

async function policyStep(clients: Clients, job: string, names: JobNames, PolicyArn: string): Promise<DestroyStep | undefined> {
  const { iam } = clients;
  const [policy, tags, entities] = await Promise.all([
    orMissing(iam.send(new GetPolicyCommand({ PolicyArn }))),
    orMissing(iam.send(new ListPolicyTagsCommand({ PolicyArn }))),
    orMissing(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn }))),
  ]);
  if (!policy?.Policy) return undefined;
  const ourRoles = new Set([names.serviceRole, names.scheduleRole, names.schedulerRole, names.tryRole]);
  // Our own roles are detached with the roles; anyone else holding the policy is named before confirming.
  const others = entitiesOf(entities).filter((e) => !(e.startsWith("role ") && ourRoles.has(e.slice(5))));
  return {
    key: "jobPolicy",
    label: "job permissions policy",
    name: names.jobPolicy,
    ...ownership(job, iamOwner(tags?.Tags ?? policy.Policy.Tags, clients.region)),
    details: others.length ? [`also attached to ${others.join(", ")}: detached from them too`] : [],
    stage: 4,
    run: async ({ iam: client }) => {
      await deleteJobPolicy(client, PolicyArn);
    },
  };
}

/** The job policy named before IAM names carried the region: deleted once no role of any region uses it. */
async function legacyPolicyStep(clients: Clients, job: string, legacy: ReturnType<typeof legacyIamNames>, where: Where): Promise<DestroyStep | undefined> {
  const PolicyArn = `arn:${where.partition}:iam::${where.account}:policy/${legacy.jobPolicy}`;
  const [policy, tags, entities] = await Promise.all([
    orMissing(clients.iam.send(new GetPolicyCommand({ PolicyArn }))),
    orMissing(clients.iam.send(new ListPolicyTagsCommand({ PolicyArn }))),
    orMissing(clients.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn }))),
  ]);
  if (!policy?.Policy || ownerOf(tags?.Tags ?? policy.Policy.Tags) !== job) return undefined;
  const legacyRoles = new Set([legacy.serviceRole, legacy.scheduleRole, legacy.schedulerRole, legacy.tryRole]);
  const holders = entitiesOf(entities);
  // Still attached to something else (another region's old role, a person): theirs to keep.
  if (holders.some((e) => !(e.startsWith("role ") && legacyRoles.has(e.slice(5))))) return undefined;
  return {
    key: "legacyJobPolicy",
    label: "old job permissions policy",
    name: legacy.jobPolicy,
    action: "delete",
    details: [],
    stage: 4,
    run: async ({ iam }) => {
      // Detached from the old roles in stage 3; if another region's old role still holds it, keep it.
      const again = await orMissing(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn })));
      if (entitiesOf(again).length === 0) await deleteJobPolicy(iam, PolicyArn);
    },
  };
}
