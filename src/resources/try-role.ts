/**
 * The role `support-job permissions try` runs a command with: exactly the job's own permissions (the managed
 * policies attached to its CodeBuild service role), assumable only by the identity that asked for it.
 * Iterating on the command line finds a job's minimal permissions in seconds; iterating through scheduled runs takes hours.
 *
 * Read (all in parallel) → diff (pure) → create or update only what differs, as init does for its resources.
 */
import type { Clients } from "../aws/clients.js";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  type Role,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, type AssumeRoleCommandOutput } from "@aws-sdk/client-sts";
import { isAlreadyExists, orMissing } from "../aws/errors.js";
import { OperationError } from "../errors.js";
import { parsePolicyText, samePolicy } from "./compare.js";
import { deleteRole } from "./role.js";
import type { Tag } from "../desired/job.js";
import { iamOwner, jobArns, jobNames, REGION_TAG_KEY, TAG_KEY, type Where } from "../desired/names.js";
import type { PolicyDocument } from "../settings/types.js";
import { named, readScope, removalStep, roleDetails, thenIfFound, type Owned, type ReadResource, type ReadScope } from "./types.js";

/** The longest session AssumeRole may ask for; also the most a chained role session (SSO → this role) may last. */
const TRY_SESSION_SECONDS = 3600;

/** Who may assume the try role: the caller, as IAM's `aws:PrincipalArn` names it. */
export interface CallerPrincipal {
  kind: "user" | "role";
  /** The caller as a person recognises it: the user's ARN, or the role's (its path unknown). */
  display: string;
  /** The condition operator and the ARNs aws:PrincipalArn must match. */
  operator: "ArnEquals" | "ArnLike";
  principalArns: string[];
}

/**
 * GetCallerIdentity's ARN → the principal the trust policy names. An assumed-role session
 * (`arn:aws:sts::<acct>:assumed-role/<RoleName>/<session>`) is its role, whose path GetCallerIdentity does not
 * show (SSO roles live under /aws-reserved/sso.amazonaws.com/...): ArnLike with and without a path. Role and user
 * names are unique in an account whatever their path, so `role/*\/<RoleName>` names no one else.
 */
export function callerPrincipal(identityArn: string): CallerPrincipal {
  const parts = identityArn.split(":");
  const partition = parts[1] || "aws";
  const account = parts[4] ?? "";
  const resource = parts.slice(5).join(":");
  const iam = (rest: string) => `arn:${partition}:iam::${account}:${rest}`;
  if (resource.startsWith("assumed-role/")) {
    const roleName = resource.split("/")[1] ?? "";
    if (roleName)
      return { kind: "role", display: iam(`role/${roleName}`), operator: "ArnLike", principalArns: [iam(`role/${roleName}`), iam(`role/*/${roleName}`)] };
  }
  // An IAM user (moto says `arn:aws:sts::…:user/moto`; AWS says iam): the user's ARN, with its path if any.
  if (resource.startsWith("user/")) return { kind: "user", display: iam(resource), operator: "ArnEquals", principalArns: [iam(resource)] };
  if (resource === "root")
    throw new OperationError(
      "You are signed in as the account's root user, which cannot assume roles. Run `support-job permissions try` as an IAM user or role (e.g. your SSO role).",
    );
  if (resource.startsWith("federated-user/"))
    throw new OperationError(
      `You are signed in with GetFederationToken credentials (${identityArn}), which cannot call sts:AssumeRole. Run \`support-job permissions try\` as an IAM user or role.`,
    );
  throw new OperationError(
    `support-job cannot tell which IAM user or role you are from ${identityArn || "(no ARN)"}, so it cannot let you assume the try role.`,
  );
}

export interface TryRoleSpec {
  job: string;
  name: string;
  arn: string;
  description: string;
  trustPolicy: PolicyDocument;
  maxSessionDuration: number;
  tags: Tag[];
  /** The job's own permissions: the managed policies attached to its service role. */
  policyArns: string[];
  /** The job's service role's permissions boundary, so the try role can do no more than a run. */
  permissionsBoundary: string | undefined;
}

export function tryRoleSpec(job: string, where: Where, caller: CallerPrincipal, policyArns: readonly string[], permissionsBoundary?: string): TryRoleSpec {
  const names = jobNames(job, where.region);
  return {
    job,
    name: names.tryRole,
    arn: jobArns(names, where).tryRole,
    description: `support-job ${job}: the job's own permissions, for trying its script on the command line (support-job permissions try); delete it with support-job permissions done`,
    trustPolicy: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OnlyTheCallerOfPermissionsTry",
          Effect: "Allow",
          // The account as principal, narrowed by a condition: a role or user named as principal must exist when
          // the policy is written, and an SSO role's path is not known from its session ARN.
          Principal: { AWS: `arn:${where.partition}:iam::${where.account}:root` },
          Action: "sts:AssumeRole",
          Condition: { [caller.operator]: { "aws:PrincipalArn": caller.principalArns } },
        },
      ],
    },
    maxSessionDuration: TRY_SESSION_SECONDS,
    tags: [
      { Key: TAG_KEY, Value: job },
      { Key: REGION_TAG_KEY, Value: where.region },
    ],
    policyArns: [...new Set(policyArns)].sort(),
    permissionsBoundary,
  };
}

export interface TryRoleState extends Owned {
  role: Role;
  attached: string[];
  inlinePolicyNames: string[];
}

/** The try role as it is; undefined when it does not exist. GetRole, then its two lists once it is found: most jobs have none. */
async function readTryRole(iam: Clients["iam"], RoleName: string, scope: ReadScope = readScope()): Promise<TryRoleState | undefined> {
  const got = await thenIfFound(
    scope,
    "tryRole",
    orMissing(iam.send(new GetRoleCommand({ RoleName }))).then((r) => r?.Role),
    () =>
      Promise.all([
        orMissing(iam.send(new ListAttachedRolePoliciesCommand({ RoleName, MaxItems: 100 }))),
        orMissing(iam.send(new ListRolePoliciesCommand({ RoleName }))),
      ]),
  );
  if (!got) return undefined;
  const [role, [attached, inline]] = got;
  return {
    role,
    owner: ownerOf(role),
    attached: (attached?.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])),
    inlinePolicyNames: inline?.PolicyNames ?? [],
  };
}

/** The try role among the job's resources: read with the others (status shows it, destroy removes it). */
export const tryRoleResource: ReadResource<TryRoleState> = {
  ...named("tryRole", "permissions try role"),
  read: (ref, { iam }, scope) => readTryRole(iam, ref.names.tryRole, scope),
  remove(current, ref) {
    const name = ref.names.tryRole;
    return [
      removalStep(ref.job, iamOwner(current.role.Tags, ref.where.region), {
        key: "tryRole",
        label: "try-it role",
        name,
        details: roleDetails(current.inlinePolicyNames.length, current.attached.length),
        stage: 3,
        run: async ({ iam }) => void (await deleteRole(iam, name)),
      }),
    ];
  },
};

function ownerOf(role: Pick<Role, "Tags">): string | undefined {
  return role.Tags?.find((t) => t.Key === TAG_KEY)?.Value;
}

/** What `permissions try` does to the role, with a reason a person can read for each change. */
export type TryRolePlan =
  | { action: "create"; changes: string[] }
  | { action: "unchanged"; changes: [] }
  | {
      action: "update";
      changes: string[];
      trust: boolean;
      settings: boolean;
      boundary: boolean;
      attach: string[];
      detach: string[];
      deleteInline: string[];
    }
  | { action: "conflict"; owner: string | undefined; changes: [] };

/** Pure: the wanted role and the current one → the plan. */
export function planTryRole(want: TryRoleSpec, current: TryRoleState | undefined): TryRolePlan {
  if (!current) return { action: "create", changes: [`create role ${want.name}`, ...want.policyArns.map((a) => `attach ${a}`)] };
  if (current.owner !== want.job) return { action: "conflict", owner: current.owner, changes: [] };
  const changes: string[] = [];
  const trust = !samePolicy(parsePolicyText(current.role.AssumeRolePolicyDocument), want.trustPolicy);
  if (trust) changes.push("trust policy: only you may assume it");
  const settings =
    (current.role.Description ?? "") !== want.description || (current.role.MaxSessionDuration ?? TRY_SESSION_SECONDS) !== want.maxSessionDuration;
  if (settings) changes.push("description and session length");
  const boundary = current.role.PermissionsBoundary?.PermissionsBoundaryArn !== want.permissionsBoundary;
  if (boundary)
    changes.push(want.permissionsBoundary ? `permissions boundary ${want.permissionsBoundary}` : "remove the permissions boundary (the job's role has none)");
  const attach = want.policyArns.filter((a) => !current.attached.includes(a));
  const detach = current.attached.filter((a) => !want.policyArns.includes(a));
  for (const a of attach) changes.push(`attach ${a}`);
  for (const a of detach) changes.push(`detach ${a} (not one of the job's policies)`);
  const deleteInline = current.inlinePolicyNames;
  for (const n of deleteInline) changes.push(`delete inline policy ${n} (not one of the job's policies)`);
  if (changes.length === 0) return { action: "unchanged", changes: [] };
  return { action: "update", changes, trust, settings, boundary, attach, detach, deleteInline };
}

/** Applies a create or update plan; the caller has refused a conflict. */
export async function applyTryRole(iam: Clients["iam"], want: TryRoleSpec, plan: TryRolePlan): Promise<void> {
  const RoleName = want.name;
  if (plan.action === "create") {
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: JSON.stringify(want.trustPolicy),
          Description: want.description,
          MaxSessionDuration: want.maxSessionDuration,
          Tags: want.tags,
          ...(want.permissionsBoundary ? { PermissionsBoundary: want.permissionsBoundary } : {}),
        }),
      );
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // A retried CreateRole whose first attempt did land (or a concurrent try): bring it to the wanted state.
      const again = planTryRole(want, await readTryRole(iam, RoleName));
      if (again.action === "conflict") throw new OperationError(conflictMessage(want, again.owner));
      if (again.action === "update") await applyTryRole(iam, want, again);
      return;
    }
    await Promise.all(want.policyArns.map((PolicyArn) => iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }))));
    return;
  }
  if (plan.action !== "update") return;
  // The boundary first: an operator policy that requires it refuses policy changes on a role without it.
  if (plan.boundary)
    await (want.permissionsBoundary
      ? iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: want.permissionsBoundary }))
      : iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName })));
  const calls: Promise<unknown>[] = [];
  if (plan.trust) calls.push(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(want.trustPolicy) })));
  if (plan.settings) calls.push(iam.send(new UpdateRoleCommand({ RoleName, Description: want.description, MaxSessionDuration: want.maxSessionDuration })));
  for (const PolicyArn of plan.attach) calls.push(iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn })));
  for (const PolicyArn of plan.detach) calls.push(iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn })));
  for (const PolicyName of plan.deleteInline) calls.push(iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })));
  await Promise.all(calls);
}

export function conflictMessage(want: Pick<TryRoleSpec, "job" | "name">, owner: string | undefined): string {
  const tag = owner ? `is tagged for job ${owner}` : `has no ${TAG_KEY}=${want.job} tag`;
  return `IAM role ${want.name} exists but ${tag} (support-job did not create it for this job), so support-job leaves it alone. Delete or rename it, then run the command again.`;
}

/** `permissions try`: one AssumeRole of the try role as the caller, for the longest session allowed (the caller retries while IAM propagates). */
export function assumeRole(sts: Clients["sts"], want: Pick<TryRoleSpec, "arn" | "job">): Promise<AssumeRoleCommandOutput> {
  return sts.send(
    new AssumeRoleCommand({ RoleArn: want.arn, RoleSessionName: `support-job-try-${want.job}`.slice(0, 64), DurationSeconds: TRY_SESSION_SECONDS }),
  );
}

export type RemoveResult =
  { removed: true; detached: number } | { removed: false; reason: "absent" } | { removed: false; reason: "not-ours"; owner: string | undefined };

/** `permissions done`: deletes the try role, only when it is tagged for this job; `beforeWrite` is awaited before the first write. */
export async function removeTryRole(iam: Clients["iam"], job: string, region: string, beforeWrite?: () => Promise<void>): Promise<RemoveResult> {
  const RoleName = jobNames(job, region).tryRole;
  const current = await readTryRole(iam, RoleName);
  if (!current) return { removed: false, reason: "absent" };
  if (current.owner !== job) return { removed: false, reason: "not-ours", owner: current.owner };
  await beforeWrite?.();
  const deleted = await deleteRole(iam, RoleName);
  if (!deleted) return { removed: false, reason: "absent" };
  return { removed: true, detached: current.attached.length + current.inlinePolicyNames.length };
}
