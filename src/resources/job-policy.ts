/** The job's own permissions as one customer managed policy: unlike an inline policy, it can be attached to a CLI role too, to try them. */
import type { Clients } from "../aws/clients.js";
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  TagPolicyCommand,
  type Policy,
} from "@aws-sdk/client-iam";
import { isAlreadyExists, orMissing } from "../aws/errors.js";
import { parsePolicyText, policyDiff, samePolicy } from "./compare.js";
import {
  absentStep,
  conflictStep,
  createStep,
  isForeign,
  named,
  readScope,
  removalStep,
  thenIfFound,
  updateOrUnchanged,
  type Owned,
  type Resource,
} from "./types.js";
import type { PolicyDocument } from "../settings/types.js";
import { iamOwner, TAG_KEY } from "../desired/names.js";

export interface JobPolicyState extends Owned {
  policy: Policy;
  document: unknown;
  /** Who holds the policy: "role <name>", "user <name>", "group <name>". */
  holders: string[];
}

const LABEL = "job permissions policy";

export const jobPolicyResource: Resource<JobPolicyState> = {
  ...named("jobPolicy", LABEL),
  async read(ref, { iam }, scope = readScope()) {
    const arn = ref.arns.jobPolicy;
    // The rest once GetPolicy found it: only a job with a policy file has one. The document's read needs the
    // default version GetPolicy names, so it waits for GetPolicy even when the rest goes out with it.
    const get = orMissing(iam.send(new GetPolicyCommand({ PolicyArn: arn }))).then((p) => p?.Policy);
    const got = await thenIfFound(scope, "jobPolicy", get, () =>
      Promise.all([
        orMissing(iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))),
        get.then((found) => found && orMissing(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: found.DefaultVersionId })))),
        policyHolders(iam, arn),
      ]),
    );
    if (!got) return undefined;
    const [policy, [tags, version, holders]] = got;
    const owner = iamOwner(tags?.Tags ?? policy.Tags ?? [], ref.where.region);
    return { policy, owner, document: parsePolicyText(version?.PolicyVersion?.Document), holders };
  },
  plan(spec, current, { adopt }) {
    const want = spec.jobPolicy;
    const base = { key: "jobPolicy" as const, label: LABEL, name: spec.names.jobPolicy, arn: spec.arns.jobPolicy, notes: [], after: [] };
    if (!want) {
      // The policy file was dropped from the settings: detach (the role step does) and delete our policy.
      if (!current || current.owner !== spec.job) return absentStep("jobPolicy", LABEL, base.name);
      return {
        ...base,
        action: "delete",
        changes: [],
        after: ["serviceRole"],
        apply: async (ctx) => void (await deleteJobPolicy(ctx.clients.iam, spec.arns.jobPolicy)),
      };
    }
    if (!current)
      return createStep(base, async (ctx) => {
        try {
          await ctx.clients.iam.send(
            new CreatePolicyCommand({
              PolicyName: want.name,
              PolicyDocument: JSON.stringify(want.document),
              Description: `support-job ${spec.job}: the job's own permissions`,
              Tags: spec.iamTags,
            }),
          );
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
          // A retried CreatePolicy whose first attempt did land: version it only if it differs, never twice.
          const existing = await jobPolicyResource.read(ctx.spec, ctx.clients);
          if (!samePolicy(existing?.document, want.document)) await newDefaultVersion(ctx.clients.iam, want.arn, want.document);
        }
        ctx.exists();
      });
    if (isForeign(current.owner, spec.job, adopt)) return conflictStep("jobPolicy", LABEL, want.name, current.owner, spec.job);
    const changes = [];
    if (!samePolicy(current.document, want.document))
      changes.push({ field: "policy document", from: "current version", to: policyDiff(current.document, want.document) });
    if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job });
    return updateOrUnchanged(base, changes, async (ctx) => {
      if (current.owner === undefined) await ctx.clients.iam.send(new TagPolicyCommand({ PolicyArn: want.arn, Tags: spec.iamTags }));
      if (!samePolicy(current.document, want.document)) await newDefaultVersion(ctx.clients.iam, want.arn, want.document);
    });
  },
  remove(current, ref) {
    const { names } = ref;
    const ourRoles = new Set([names.serviceRole, names.scheduleRole, names.schedulerRole, names.tryRole].map((r) => `role ${r}`));
    // Our own roles are detached with the roles; anyone else holding the policy is named before confirming.
    const others = current.holders.filter((h) => !ourRoles.has(h));
    return [
      removalStep(ref.job, current.owner, {
        key: "jobPolicy",
        label: LABEL,
        name: names.jobPolicy,
        details: others.length ? [`also attached to ${others.join(", ")}: detached from them too`] : [],
        stage: 4,
        run: async ({ iam }) => void (await deleteJobPolicy(iam, ref.arns.jobPolicy)),
      }),
    ];
  },
};

/** Whether a managed policy (the job's, a team's, AWS's) exists: init checks every --policy-arn and the boundary before writing anything. */
export async function managedPolicyExists(iam: Clients["iam"], PolicyArn: string): Promise<boolean> {
  return (await orMissing(iam.send(new GetPolicyCommand({ PolicyArn })))) !== undefined;
}

/** Every role, user and group the policy is attached to (empty: none, or no such policy). */
export async function policyHolders(iam: Clients["iam"], PolicyArn: string): Promise<string[]> {
  const out = await orMissing(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn })));
  return [
    ...(out?.PolicyRoles ?? []).map((r) => `role ${r.RoleName ?? ""}`),
    ...(out?.PolicyUsers ?? []).map((u) => `user ${u.UserName ?? ""}`),
    ...(out?.PolicyGroups ?? []).map((g) => `group ${g.GroupName ?? ""}`),
  ];
}

/** IAM keeps at most five versions: remove the oldest non-default one first when five exist. */
async function newDefaultVersion(iam: Clients["iam"], PolicyArn: string, document: PolicyDocument): Promise<void> {
  const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn }));
  const versions = listed.Versions ?? [];
  if (versions.length >= 5) {
    const oldest = versions
      .filter((v) => !v.IsDefaultVersion)
      .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0) || versionNumber(a.VersionId) - versionNumber(b.VersionId))[0];
    if (oldest?.VersionId) await iam.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: oldest.VersionId }));
  }
  await iam.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: JSON.stringify(document), SetAsDefault: true }));
}

function versionNumber(id: string | undefined): number {
  return Number(/\d+/.exec(id ?? "")?.[0] ?? 0);
}

/**
 * Detached from everyone who holds it (our roles, and a CLI user or role it was attached to while finding the
 * job's permissions), non-default versions first: IAM refuses to delete a policy that has either.
 */
export async function deleteJobPolicy(iam: Clients["iam"], PolicyArn: string): Promise<boolean> {
  const held = await orMissing(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn })));
  if (!held) return false;
  await Promise.all([
    ...(held.PolicyRoles ?? []).map((r) => orMissing(iam.send(new DetachRolePolicyCommand({ RoleName: r.RoleName, PolicyArn })))),
    ...(held.PolicyUsers ?? []).map((u) => orMissing(iam.send(new DetachUserPolicyCommand({ UserName: u.UserName, PolicyArn })))),
    ...(held.PolicyGroups ?? []).map((g) => orMissing(iam.send(new DetachGroupPolicyCommand({ GroupName: g.GroupName, PolicyArn })))),
  ]);
  const versions = await orMissing(iam.send(new ListPolicyVersionsCommand({ PolicyArn })));
  await Promise.all(
    (versions?.Versions ?? [])
      .filter((v) => !v.IsDefaultVersion)
      .map((v) => orMissing(iam.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: v.VersionId })))),
  );
  return (await orMissing(iam.send(new DeletePolicyCommand({ PolicyArn })))) !== undefined;
}
