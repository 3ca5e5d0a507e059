/** The CodeBuild project: source, environment, service role, timeout, logs. */
import type { Clients } from "../aws/clients.js";
import {
  BatchGetProjectsCommand,
  CreateProjectCommand,
  DeleteProjectCommand,
  ListProjectsCommand,
  UpdateProjectCommand,
  type CreateProjectCommandInput,
  type Project,
  type ProjectCache,
  type VpcConfig,
} from "@aws-sdk/client-codebuild";
import { showEnvValue } from "./compare.js";
import { isAlreadyExists, orMissing } from "../aws/errors.js";
import { waitForRolePropagation } from "../aws/propagation.js";
import { conflictStep, updateOrUnchanged, fieldChanges, isForeign, named, type FieldChange, type Owned, type Resource, type StepContext } from "./types.js";
import type { JobSpec, ProjectSpec } from "../desired/job.js";
import { TAG_KEY } from "../desired/names.js";

export interface ProjectState extends Owned {
  project: Project;
}

const LABEL = "CodeBuild project";

export const projectResource: Resource<ProjectState> = {
  ...named("project", LABEL),
  read: (ref, { codebuild }) => readProject(codebuild, ref.names.project),
  plan(spec, current, { adopt }) {
    const want = spec.project;
    const base = { key: "project" as const, label: LABEL, name: want.name, arn: want.arn, notes: [], after: ["serviceRole" as const] };
    if (!current) return { ...base, action: "create", changes: [], apply: (ctx) => createProject(ctx, want) };
    if (isForeign(current.owner, spec.job, adopt)) return conflictStep("project", LABEL, want.name, current.owner, spec.job);
    // Leaving a VPC: UpdateProject keeps a vpcConfig it is not sent, so an empty one removes it.
    const leaveVpc = !want.vpcConfig && Boolean(current.project.vpcConfig?.vpcId);
    return updateOrUnchanged(base, projectChanges(want, current.project, spec), (ctx) =>
      waitForRolePropagation("CodeBuild", ctx, () =>
        ctx.clients.codebuild.send(new UpdateProjectCommand({ ...projectInput(want, spec), ...(leaveVpc ? { vpcConfig: {} } : {}) })),
      ),
    );
  },
  deleteAt: { stage: 2, run: ({ codebuild }, ref) => orMissing(codebuild.send(new DeleteProjectCommand({ name: ref.names.project }))) },
};

/** The project by name (undefined: none): the one BatchGetProjects for a job, whichever command asks. */
async function readProject(codebuild: Clients["codebuild"], name: string): Promise<ProjectState | undefined> {
  const out = await codebuild.send(new BatchGetProjectsCommand({ names: [name] }));
  const project = out.projects?.[0];
  if (!project) return undefined;
  return { project, owner: project.tags?.find((t) => t.key === TAG_KEY)?.value };
}

/** Every project in the region: ListProjects (all pages) + BatchGetProjects (100 a call). */
export async function listProjects(codebuild: Clients["codebuild"]): Promise<Project[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await codebuild.send(new ListProjectsCommand({ sortBy: "NAME", sortOrder: "ASCENDING", nextToken }));
    names.push(...(page.projects ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const chunks: string[][] = [];
  for (let i = 0; i < names.length; i += 100) chunks.push(names.slice(i, i + 100));
  const pages = await Promise.all(chunks.map((chunk) => codebuild.send(new BatchGetProjectsCommand({ names: chunk }))));
  return pages.flatMap((p) => p.projects ?? []);
}

function projectInput(want: ProjectSpec, spec: JobSpec): CreateProjectCommandInput {
  return {
    name: want.name,
    description: want.description,
    source: want.source,
    ...(want.sourceVersion ? { sourceVersion: want.sourceVersion } : {}),
    artifacts: { type: "NO_ARTIFACTS" },
    environment: want.environment,
    serviceRole: want.serviceRole,
    timeoutInMinutes: want.timeoutInMinutes,
    queuedTimeoutInMinutes: want.queuedTimeoutInMinutes,
    cache: want.cache,
    ...(want.vpcConfig ? { vpcConfig: want.vpcConfig } : {}),
    concurrentBuildLimit: want.concurrentBuildLimit,
    autoRetryLimit: want.autoRetryLimit,
    logsConfig: { cloudWatchLogs: { status: "ENABLED" }, s3Logs: { status: "DISABLED" } },
    tags: spec.tags.map((t) => ({ key: t.Key, value: t.Value })),
  };
}

async function createProject(ctx: StepContext, want: ProjectSpec): Promise<void> {
  const input = projectInput(want, ctx.spec);
  try {
    await waitForRolePropagation("CodeBuild", ctx, () => ctx.clients.codebuild.send(new CreateProjectCommand(input)));
  } catch (error) {
    // A retried CreateProject whose first attempt did land.
    if (!isAlreadyExists(error)) throw error;
    await waitForRolePropagation("CodeBuild", ctx, () => ctx.clients.codebuild.send(new UpdateProjectCommand(input)));
  }
  ctx.exists();
}

function projectChanges(want: ProjectSpec, have: Project, spec: JobSpec): FieldChange[] {
  const { changes, compare: cmp } = fieldChanges();
  cmp("repository", have.source?.location, want.source.location);
  cmp("source type", have.source?.type, want.source.type);
  cmp("buildspec", have.source?.buildspec, want.source.buildspec);
  cmp("clone depth", have.source?.gitCloneDepth, want.source.gitCloneDepth);
  cmp("branch", have.sourceVersion, want.sourceVersion);
  cmp("environment type", have.environment?.type, want.environment.type);
  cmp("compute type", have.environment?.computeType, want.environment.computeType);
  cmp("image", have.environment?.image, want.environment.image);
  cmp("image pull credentials", have.environment?.imagePullCredentialsType ?? "CODEBUILD", want.environment.imagePullCredentialsType);
  cmp("privileged mode", have.environment?.privilegedMode ?? false, want.environment.privilegedMode);
  const envKey = (vars: { name?: string | undefined; value?: string | undefined; type?: string | undefined }[] | undefined) =>
    (vars ?? []).map((v) => `${v.name}=${v.type ?? "PLAINTEXT"}:${v.value}`).sort();
  const haveEnv = envKey(have.environment?.environmentVariables);
  const wantEnv = envKey(want.environment.environmentVariables);
  for (const v of wantEnv) {
    if (haveEnv.includes(v)) continue;
    const from = describeEnv(haveEnv, v);
    const to = describeVar(v);
    // Two hidden plaintext values read the same: say that the value is what differs.
    changes.push({ field: `env ${v.split("=")[0]}`, from, to: to === from ? "a different plaintext value (hidden)" : to });
  }
  for (const v of haveEnv) {
    const name = v.split("=")[0] ?? "";
    if (!wantEnv.some((w) => w.startsWith(`${name}=`))) changes.push({ field: `env ${name}`, from: describeVar(v), to: "(removed)" });
  }
  cmp("service role", have.serviceRole, want.serviceRole);
  cmp("timeout (minutes)", have.timeoutInMinutes, want.timeoutInMinutes);
  cmp("queued timeout (minutes)", have.queuedTimeoutInMinutes ?? 480, want.queuedTimeoutInMinutes);
  cmp("cache", cacheText(have.cache), cacheText(want.cache));
  cmp("VPC", vpcText(have.vpcConfig), vpcText(want.vpcConfig));
  // No limit at all (a project from before --max-parallel) reads as "(none)": runs could overlap.
  cmp("max parallel runs", have.concurrentBuildLimit, want.concurrentBuildLimit);
  cmp("retries", have.autoRetryLimit ?? 0, want.autoRetryLimit);
  cmp("description", have.description, want.description);
  cmp("artifacts", have.artifacts?.type, "NO_ARTIFACTS");
  cmp("CloudWatch logs", have.logsConfig?.cloudWatchLogs?.status ?? "ENABLED", "ENABLED");
  if (!have.tags?.some((t) => t.key === TAG_KEY && t.value === spec.job)) cmp(`tag ${TAG_KEY}`, undefined, spec.job);
  return changes;
}

function cacheText(cache: ProjectCache | undefined): string {
  return cache?.type === "S3" ? `s3://${cache.location ?? ""}` : cache?.type === "LOCAL" ? `local (${(cache.modes ?? []).join(", ")})` : "none";
}

function vpcText(vpc: VpcConfig | undefined): string {
  if (!vpc?.vpcId) return "none";
  return `${vpc.vpcId} subnets ${[...(vpc.subnets ?? [])].sort().join(",")} security groups ${[...(vpc.securityGroupIds ?? [])].sort().join(",")}`;
}

/** A plan, drift or JSON line never shows a plaintext value (it may be a secret set by hand): only references. */
function describeVar(key: string): string {
  const rest = key.slice(key.indexOf("=") + 1);
  const type = rest.slice(0, rest.indexOf(":"));
  return showEnvValue(type, rest.slice(rest.indexOf(":") + 1));
}

function describeEnv(have: string[], wanted: string): string {
  const name = wanted.split("=")[0] ?? "";
  const old = have.find((h) => h.startsWith(`${name}=`));
  return old ? describeVar(old) : "(none)";
}
