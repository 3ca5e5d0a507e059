/** An IAM role with one inline policy of ours and a set of attached managed policies. */
import type { Clients } from "../aws/clients.js";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  type Role,
} from "@aws-sdk/client-iam";
import { isAlreadyExists, orMissing } from "../aws/errors.js";
import { OperationError } from "../errors.js";
import { parsePolicyText, policyDiff, samePolicy, show } from "./compare.js";
import {
  replacedStep,
  conflictStep,
  updateOrUnchanged,
  isForeign,
  named,
  readScope,
  removalStep,
  roleDetails,
  thenIfFound,
  type FieldChange,
  type JobRef,
  type Owned,
  type PlanStep,
  type ReadScope,
  type Resource,
  type ResourceKey,
  type StepContext,
} from "./types.js";
import type { JobSpec, RoleSpec } from "../desired/job.js";
import { iamOwner, TAG_KEY, type JobNames } from "../desired/names.js";

export interface RoleState extends Owned {
  role: Role;
  inlinePolicy: unknown;
  inlinePolicyNames: string[];
  attached: string[];
}

/** A role of the job: the key is both its name in JobNames and its spec in JobSpec. */
type RoleKey = "serviceRole" | "scheduleRole" | "schedulerRole" | "chatRole";

/**
 * Whether the job has what a role serves, from a read made in the first wave: when it says no, the role is not read
 * (most jobs have no chat webhooks, so no chat role), except by a thorough read (destroy).
 */
type RoleGate = (ref: JobRef, clients: Clients, scope: ReadScope) => Promise<boolean>;

/**
 * One of the job's roles: its key, its label, the inline policy support-job writes on it (a fixed name per kind,
 * so a read needs no settings), when it is no longer wanted (the schedule moved to another kind) the step after
 * which it is deleted, and the gate that says whether to read it at all.
 */
export function roleResource(key: RoleKey, label: string, inlinePolicyName: string, replacedBy?: ResourceKey, gate?: RoleGate): Resource<RoleState> {
  const nameOf = (names: JobNames) => names[key];
  const pick = (spec: JobSpec): RoleSpec | undefined => spec[key];
  return {
    ...named(key, label),
    async read(ref, clients, scope = readScope()) {
      const { iam } = clients;
      const RoleName = nameOf(ref.names);
      if (gate && !scope.thorough && !(await gate(ref, clients, scope))) return undefined;
      // Its policies once GetRole found it: a role the job does not have (the other schedule kind's) costs one call.
      // Behind a gate, which already cost a round trip and found what the role serves, or when the caller expects
      // the role, all four at once.
      const got = await thenIfFound(
        scope,
        key,
        orMissing(iam.send(new GetRoleCommand({ RoleName }))).then((r) => r?.Role),
        () =>
          Promise.all([
            orMissing(iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: inlinePolicyName }))),
            orMissing(iam.send(new ListRolePoliciesCommand({ RoleName }))),
            orMissing(iam.send(new ListAttachedRolePoliciesCommand({ RoleName, MaxItems: 100 }))),
          ]),
        gate !== undefined,
      );
      if (!got) return undefined;
      const [role, [inline, names, attached]] = got;
      return {
        role,
        owner: iamOwner(role.Tags, ref.where.region),
        inlinePolicy: parsePolicyText(inline?.PolicyDocument),
        inlinePolicyNames: names?.PolicyNames ?? [],
        attached: (attached?.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ""),
      };
    },
    plan(spec, current, { adopt }) {
      const want = pick(spec);
      if (!want) {
        const name = nameOf(spec.names);
        return replacedStep(key, label, name, current?.owner === spec.job, replacedBy, (ctx) => deleteRole(ctx.clients.iam, name));
      }
      const base = { key, label, name: want.name, arn: want.arn, notes: [] as string[], after: [] as ResourceKey[] };
      if (!current) return { ...base, action: "create", changes: [], apply: (ctx) => createRole(ctx, want) };
      if (current.role.RoleName && current.role.RoleName !== want.name) return caseConflictStep(key, label, want.name, current.role.RoleName, current.owner);
      if (isForeign(current.owner, spec.job, adopt)) return conflictStep(key, label, want.name, current.owner, spec.job);

      const changes: FieldChange[] = [];
      const trust = parsePolicyText(current.role.AssumeRolePolicyDocument);
      if (!samePolicy(trust, want.trustPolicy)) changes.push({ field: "trust policy", from: "current", to: policyDiff(trust, want.trustPolicy) });
      if ((current.role.Description ?? "") !== want.description)
        changes.push({ field: "description", from: show(current.role.Description), to: want.description });
      if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job });
      const boundary = current.role.PermissionsBoundary?.PermissionsBoundaryArn;
      if (boundary !== want.permissionsBoundary) changes.push({ field: "permissions boundary", from: show(boundary), to: show(want.permissionsBoundary) });
      if (!samePolicy(current.inlinePolicy, want.inlinePolicy))
        changes.push({
          field: `inline policy ${want.inlinePolicyName}`,
          from: current.inlinePolicy ? "present" : "(none)",
          to: current.inlinePolicy ? policyDiff(current.inlinePolicy, want.inlinePolicy) : "added",
        });
      const extraInline = current.inlinePolicyNames.filter((n) => n !== want.inlinePolicyName);
      for (const n of extraInline) changes.push({ field: `inline policy ${n}`, from: "present", to: "(removed: not part of the job)" });
      const attach = want.managedPolicyArns.filter((a) => !current.attached.includes(a));
      const detach = current.attached.filter((a) => !want.managedPolicyArns.includes(a));
      for (const a of attach) changes.push({ field: "attached policy", from: "(none)", to: a });
      for (const a of detach) changes.push({ field: "attached policy", from: a, to: "(detached)" });
      const run = async (ctx: StepContext) => {
        const { iam } = ctx.clients;
        const RoleName = want.name;
        // The boundary first: an operator policy that requires it refuses policy changes on a role without it.
        if (boundary !== want.permissionsBoundary)
          await (want.permissionsBoundary
            ? iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: want.permissionsBoundary }))
            : iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName })));
        return Promise.all([
          changes.some((c) => c.field === "trust policy") &&
            iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(want.trustPolicy) })),
          changes.some((c) => c.field === "description") && iam.send(new UpdateRoleCommand({ RoleName, Description: want.description })),
          current.owner === undefined && iam.send(new TagRoleCommand({ RoleName, Tags: spec.iamTags })),
          !samePolicy(current.inlinePolicy, want.inlinePolicy) &&
            iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: want.inlinePolicyName, PolicyDocument: JSON.stringify(want.inlinePolicy) })),
          ...extraInline.map((PolicyName) => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }))),
          ...attach.map((arn) => attachWhenReady(ctx, RoleName, arn)),
          ...detach.map((PolicyArn) => iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }))),
        ]);
      };
      const step = updateOrUnchanged(base, changes, run);
      // CodeBuild checks a VPC job's network permissions when the project changes: the policy goes first.
      if (want.policyBeforeUse && step.action === "update") return { ...step, apply: async (ctx: StepContext) => void (await run(ctx), ctx.exists()) };
      return step;
    },
    remove(current, ref) {
      const name = nameOf(ref.names);
      return [
        removalStep(ref.job, current.owner, {
          key,
          label,
          name,
          details: roleDetails(current.inlinePolicyNames.length, current.attached.length),
          stage: 3,
          run: async ({ iam }) => void (await deleteRole(iam, name)),
        }),
      ];
    },
  };
}

/** IAM role names are unique regardless of case: job "Nightly" and job "nightly" would share their roles. */
function caseConflictNote(name: string, existing: string | undefined, owner: string | undefined): string {
  return `IAM already has a role ${existing ?? "with that name in another case"}${owner ? ` (support-job job "${owner}")` : ""}, and IAM role names are unique regardless of case, so ${name} cannot be created; choose a job name that differs by more than upper/lower case`;
}

function caseConflictStep(key: ResourceKey, label: string, name: string, existing: string, owner: string | undefined): PlanStep {
  return { key, label, name, action: "conflict", changes: [], notes: [`${label} ${name}: ${caseConflictNote(name, existing, owner)}.`], after: [] };
}

async function createRole(ctx: StepContext, want: RoleSpec): Promise<void> {
  const { iam } = ctx.clients;
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: want.name,
        AssumeRolePolicyDocument: JSON.stringify(want.trustPolicy),
        Description: want.description,
        Tags: ctx.spec.iamTags,
        // Set at creation: an operator policy that requires a boundary refuses a CreateRole without it.
        ...(want.permissionsBoundary ? { PermissionsBoundary: want.permissionsBoundary } : {}),
      }),
    );
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    // A retried CreateRole whose first attempt did land, or a role whose name differs only in case (IAM names are
    // unique regardless of case): go on only with a role that is this job's under this very name.
    const found = (await orMissing(iam.send(new GetRoleCommand({ RoleName: want.name }))))?.Role;
    const owner = found ? iamOwner(found.Tags, ctx.spec.where.region) : undefined;
    if (found?.RoleName !== want.name || owner !== ctx.spec.job) throw new OperationError(`${caseConflictNote(want.name, found?.RoleName, owner)}.`);
  }
  // CreateProject checks a VPC job's network permissions: then the project waits for the inline policy too.
  if (!want.policyBeforeUse) ctx.exists();
  await Promise.all([
    iam
      .send(new PutRolePolicyCommand({ RoleName: want.name, PolicyName: want.inlinePolicyName, PolicyDocument: JSON.stringify(want.inlinePolicy) }))
      .then(() => want.policyBeforeUse && ctx.exists()),
    ...want.managedPolicyArns.map((arn) => attachWhenReady(ctx, want.name, arn)),
  ]);
}

/** The job's own managed policy may be created in the same apply: attach it once it exists. */
async function attachWhenReady(ctx: StepContext, RoleName: string, PolicyArn: string): Promise<void> {
  if (PolicyArn === ctx.spec.jobPolicy?.arn) await ctx.waitFor("jobPolicy");
  await ctx.clients.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
}

/** Inline policies deleted and managed ones detached first: IAM refuses to delete a role that has any. */
export async function deleteRole(iam: Clients["iam"], RoleName: string): Promise<boolean> {
  const [inline, attached] = await Promise.all([
    orMissing(iam.send(new ListRolePoliciesCommand({ RoleName }))),
    orMissing(iam.send(new ListAttachedRolePoliciesCommand({ RoleName, MaxItems: 100 }))),
  ]);
  if (!inline && !attached) return false;
  await Promise.all([
    ...(inline?.PolicyNames ?? []).map((PolicyName) => orMissing(iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })))),
    ...(attached?.AttachedPolicies ?? []).map((p) => orMissing(iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: p.PolicyArn })))),
  ]);
  return (await orMissing(iam.send(new DeleteRoleCommand({ RoleName })))) !== undefined;
}
