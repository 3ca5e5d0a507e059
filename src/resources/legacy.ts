/**
 * Roles and the job policy named before IAM names carried the region (`support-job-<job>-build`, …). One account
 * could hold two regions' jobs under them; a role is this region's when its documents name this region's resources.
 */
import type { Clients } from "../aws/clients.js";
import {
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyTagsCommand,
  ListRolePoliciesCommand,
  type Role,
} from "@aws-sdk/client-iam";
import { orMissing } from "../aws/errors.js";
import { iamOwner, jobArns, jobNames, legacyIamNames, TAG_KEY, type Where } from "../desired/names.js";
import { absentStep, readScope, removalStep, roleDetails, thenIfFound, type RemovalStep, type Resource } from "./types.js";
import { deleteJobPolicy, policyHolders } from "./job-policy.js";
import { deleteRole } from "./role.js";

/** Whether an old role starts, or runs as, this region's project: its trust or inline policies name it (or its group). */
async function legacyRoleServes(iam: Clients["iam"], role: Role, inlineNames: readonly string[], where: Where, job: string): Promise<boolean> {
  const arns = jobArns(jobNames(job, where.region), where);
  const policies = await Promise.all(inlineNames.map((PolicyName) => orMissing(iam.send(new GetRolePolicyCommand({ RoleName: role.RoleName, PolicyName })))));
  const texts = [role.AssumeRolePolicyDocument, ...policies.map((p) => p?.PolicyDocument)].map((t) =>
    t && t.startsWith("%") ? decodeURIComponent(t) : (t ?? ""),
  );
  return texts.some((t) => t.includes(arns.project) || t.includes(arns.scheduleGroup) || t.includes(arns.logGroup));
}

const LEGACY_LABEL = "old IAM roles (no region in their names)";

interface LegacyRole {
  name: string;
  owner: string | undefined;
  inline: number;
  attached: number;
}

export interface LegacyState {
  /** Old roles of this job that serve this region (the others are another region's, left alone). */
  roles: LegacyRole[];
  /** The old job policy, when it is this job's. */
  policyArn: string | undefined;
  /** Who holds the old job policy ("role <name>", …), read only when it is this job's. */
  policyHolders: string[];
}

/** Moving a job off the old names: its new roles are created and used first; then this removes the old ones. */
export const legacyIamResource: Resource<LegacyState> = {
  key: "legacyIam",
  label: LEGACY_LABEL,
  nameOf: (ref) => legacyIamNames(ref.job).serviceRole,
  async read(ref, { iam }, scope = readScope()) {
    const legacy = legacyIamNames(ref.job);
    const roleNames = [legacy.serviceRole, legacy.scheduleRole, legacy.schedulerRole];
    const policyArn = `arn:${ref.where.partition}:iam::${ref.where.account}:policy/${legacy.jobPolicy}`;
    const [roles, policy] = await Promise.all([
      Promise.all(
        roleNames.map(async (RoleName) => {
          // Only for an old role of this job (rare): the common read, with no old roles, is one call per name.
          const got = await thenIfFound(
            scope,
            "legacyIam",
            orMissing(iam.send(new GetRoleCommand({ RoleName }))).then((r) =>
              r?.Role?.Tags?.find((t) => t.Key === TAG_KEY)?.Value === ref.job ? r.Role : undefined,
            ),
            () => orMissing(iam.send(new ListRolePoliciesCommand({ RoleName }))),
          );
          if (!got) return undefined;
          const [role, inline] = got;
          const inlineNames = inline?.PolicyNames ?? [];
          const [serves, attached] = await Promise.all([
            legacyRoleServes(iam, role, inlineNames, ref.where, ref.job),
            orMissing(iam.send(new ListAttachedRolePoliciesCommand({ RoleName, MaxItems: 100 }))),
          ]);
          const found: LegacyRole = {
            name: RoleName,
            owner: iamOwner(role.Tags, ref.where.region),
            inline: inlineNames.length,
            attached: attached?.AttachedPolicies?.length ?? 0,
          };
          return serves ? found : undefined;
        }),
      ),
      // Its tags once it is found (GetPolicy's own Tags are not returned by every server).
      thenIfFound(
        scope,
        "legacyIam",
        orMissing(iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).then((got) => got?.Policy),
        () => orMissing(iam.send(new ListPolicyTagsCommand({ PolicyArn: policyArn }))),
      ).then(async (got) => {
        const ours = got !== undefined && (got[1]?.Tags ?? got[0].Tags)?.find((t) => t.Key === TAG_KEY)?.Value === ref.job;
        return { ours, holders: ours ? await policyHolders(iam, policyArn) : [] };
      }),
    ]);
    const found = roles.filter((r): r is LegacyRole => r !== undefined);
    if (found.length === 0 && !policy.ours) return undefined;
    return { roles: found, policyArn: policy.ours ? policyArn : undefined, policyHolders: policy.holders };
  },
  plan(spec, current) {
    const base = { key: "legacyIam" as const, label: LEGACY_LABEL, notes: [] as string[], after: [] };
    if (!current || current.roles.length === 0) return absentStep("legacyIam", LEGACY_LABEL, legacyIamNames(spec.job).serviceRole);
    return {
      ...base,
      name: current.roles.map((r) => r.name).join(", "),
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
        await Promise.all(current.roles.map((r) => deleteRole(iam, r.name)));
        if (current.policyArn) await deleteIfUnheld(iam, current.policyArn);
      },
    };
  },
  remove(current, ref) {
    const legacy = legacyIamNames(ref.job);
    const steps: RemovalStep[] = current.roles.map((r) =>
      removalStep(ref.job, r.owner, {
        key: "legacyRole",
        label: "old role (no region in its name)",
        name: r.name,
        details: roleDetails(r.inline, r.attached),
        stage: 3,
        run: async ({ iam }) => void (await deleteRole(iam, r.name)),
      }),
    );
    const legacyRoles = new Set([legacy.serviceRole, legacy.scheduleRole, legacy.schedulerRole, legacy.tryRole].map((n) => `role ${n}`));
    const arn = current.policyArn;
    // Still attached to something else (another region's old role, a person): theirs to keep, not even listed.
    if (arn && current.policyHolders.every((h) => legacyRoles.has(h)))
      steps.push({
        key: "legacyJobPolicy",
        label: "old job permissions policy",
        name: legacy.jobPolicy,
        action: "delete",
        details: [],
        stage: 4,
        // Detached from the old roles in stage 3; if another region's old role still holds it, it stays.
        run: ({ iam }) => deleteIfUnheld(iam, arn),
      });
    return steps;
  },
};

/** The old policy goes only when no role of any region (nor anyone else) holds it any more. */
async function deleteIfUnheld(iam: Clients["iam"], PolicyArn: string): Promise<void> {
  if ((await policyHolders(iam, PolicyArn)).length === 0) await deleteJobPolicy(iam, PolicyArn);
}
