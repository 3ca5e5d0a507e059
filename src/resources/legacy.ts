/**
 * Roles and the job policy named before IAM names carried the region (`support-job-<job>-build`, …). One account
 * could hold two regions' jobs under them; a role is this region's when its documents name this region's resources.
 */
import {
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyTagsCommand,
  ListRolePoliciesCommand,
  type IAMClient,
  type Role,
} from "@aws-sdk/client-iam";
import { orMissing } from "../aws/errors.js";
import { jobArns, jobNames, legacyIamNames, TAG_KEY, type Where } from "../desired/names.js";
import { absentStep, type Resource } from "./types.js";
import { deleteJobPolicy } from "./job-policy.js";
import { deleteRole } from "./role.js";

/** Whether an old role starts, or runs as, this region's project: its trust or inline policies name it (or its group). */
export async function legacyRoleServes(iam: IAMClient, role: Role, inlineNames: readonly string[], where: Where, job: string): Promise<boolean> {
  const arns = jobArns(jobNames(job, where.region), where);
  const policies = await Promise.all(inlineNames.map((PolicyName) => orMissing(iam.send(new GetRolePolicyCommand({ RoleName: role.RoleName, PolicyName })))));
  const texts = [role.AssumeRolePolicyDocument, ...policies.map((p) => p?.PolicyDocument)].map((t) =>
    t && t.startsWith("%") ? decodeURIComponent(t) : (t ?? ""),
  );
  return texts.some((t) => t.includes(arns.project) || t.includes(arns.scheduleGroup) || t.includes(arns.logGroup));
}

const LEGACY_LABEL = "old IAM roles (no region in their names)";

export interface LegacyState {
  /** Old roles of this job that serve this region (the others are another region's, left alone). */
  roles: string[];
  /** The old job policy, when it is this job's. */
  policyArn: string | undefined;
}

/** Moving a job off the old names: its new roles are created and used first; then this removes the old ones. */
export const legacyIamResource: Resource<LegacyState> = {
  key: "legacyIam",
  label: LEGACY_LABEL,
  nameOf: (ref) => legacyIamNames(ref.job).serviceRole,
  async read(ref, { iam }) {
    const legacy = legacyIamNames(ref.job);
    const roleNames = [legacy.serviceRole, legacy.scheduleRole, legacy.schedulerRole];
    const policyArn = `arn:${ref.where.partition}:iam::${ref.where.account}:policy/${legacy.jobPolicy}`;
    const [roles, policy] = await Promise.all([
      Promise.all(
        roleNames.map(async (RoleName) => {
          const [role, inline] = await Promise.all([
            orMissing(iam.send(new GetRoleCommand({ RoleName }))),
            orMissing(iam.send(new ListRolePoliciesCommand({ RoleName }))),
          ]);
          if (!role?.Role || role.Role.Tags?.find((t) => t.Key === TAG_KEY)?.Value !== ref.job) return undefined;
          return (await legacyRoleServes(iam, role.Role, inline?.PolicyNames ?? [], ref.where, ref.job)) ? RoleName : undefined;
        }),
      ),
      Promise.all([
        orMissing(iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))),
        orMissing(iam.send(new ListPolicyTagsCommand({ PolicyArn: policyArn }))),
      ]),
    ]);
    const found = roles.filter((r): r is string => r !== undefined);
    const [got, tags] = policy;
    const ours = Boolean(got?.Policy) && (tags?.Tags ?? got?.Policy?.Tags)?.find((t) => t.Key === TAG_KEY)?.Value === ref.job;
    if (found.length === 0 && !ours) return undefined;
    return { roles: found, policyArn: ours ? policyArn : undefined };
  },
  plan(spec, current) {
    const base = { key: "legacyIam" as const, label: LEGACY_LABEL, notes: [] as string[], after: [] };
    if (!current || current.roles.length === 0) return absentStep("legacyIam", LEGACY_LABEL, legacyIamNames(spec.job).serviceRole);
    return {
      ...base,
      name: current.roles.join(", "),
      action: "delete",
      changes: [],
      notes: [
        `replaced by ${[spec.serviceRole, spec.scheduleRole ?? spec.schedulerRole]
          .map((r) => r?.name)
          .filter(Boolean)
          .join(", ")}; deleted only after the project and schedule use the new ones`,
      ],
      last: true,
      apply: async (ctx) => {
        const { iam } = ctx.clients;
        await Promise.all(current.roles.map((name) => deleteRole(iam, name)));
        // The old policy goes only when no role of any region holds it any more.
        const arn = current.policyArn;
        if (!arn) return;
        const holders = await orMissing(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn })));
        const held = [...(holders?.PolicyRoles ?? []), ...(holders?.PolicyUsers ?? []), ...(holders?.PolicyGroups ?? [])].length;
        if (holders && held === 0) await deleteJobPolicy(iam, arn);
      },
    };
  },
};
