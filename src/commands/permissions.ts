/**
 * `support-job permissions try -- <command...>` and `support-job permissions done`.
 *
 * The quick way to find a job's minimal IAM permissions: give a command-line identity exactly the job's policy and
 * iterate on the command line, since iterating through scheduled runs is slow. `try` sets up a
 * role with the job's own permissions that only the caller may assume, assumes it, and runs the command with those
 * temporary credentials (in the child's environment only: never written, printed or logged). `done` deletes it.
 */
import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { constants } from "node:os";
import { delimiter, join } from "node:path";
import type { EnvironmentVariable } from "@aws-sdk/client-codebuild";
import { projectResource, type ProjectState } from "../resources/project.js";
import type { Credentials } from "@aws-sdk/client-sts";
import { callerIdentity, type Clients } from "../aws/clients.js";
import { errorName } from "../aws/errors.js";
import { readJobWithIdentity } from "../plan/plan.js";
import { waitForRolePropagation } from "../aws/propagation.js";
import { serviceRoleResource } from "../resources/index.js";
import type { RoleState } from "../resources/role.js";
import type { ReadResource } from "../resources/types.js";
import { InputError, OperationError, PassThroughExit } from "../errors.js";
import { whileInterrupted } from "../interrupt.js";
import { asOperationError, awsCall, noSuchJob } from "../aws/call.js";
import { checkSavedAccount, openJob, refuseOtherAccount, type JobOptions } from "./open-job.js";
import {
  applyTryRole,
  assumeRole,
  callerPrincipal,
  conflictMessage,
  planTryRole,
  removeTryRole,
  tryRoleResource,
  tryRoleSpec,
  type TryRoleSpec,
  type TryRoleState,
} from "../resources/try-role.js";
import { pollInterval, sleep } from "../runs/watch.js";
import { jobArns, jobNames } from "../desired/names.js";
import type { Progress, Reporter } from "../ui/reporter.js";
import { tryRoleRemovalToJson } from "../ui/permissions.js";
import { paint } from "../ui/style.js";

export type PermissionsOptions = JobOptions;

/** What `permissions try` reads, through the resource modules: the job's project (its variables), its service role (its policies and boundary) and the try role. */
const PERMISSIONS_READS = [projectResource, serviceRoleResource, tryRoleResource] as readonly ReadResource<unknown>[];

/** How long a role written just now may take to become assumable (IAM eventual consistency), and otherwise. */
const FRESH_ROLE_WAIT_MS = 60_000;
const KNOWN_ROLE_WAIT_MS = 10_000;

/**
 * Every variable through which the caller's own credentials could reach the child and win over the temporary
 * ones: profiles, static keys, web identity, container credentials. AWS_ENDPOINT_URL* and config stay.
 */
export const CREDENTIAL_VARIABLES = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
] as const;

export interface ChildEnvInput {
  base: NodeJS.ProcessEnv;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date | undefined };
  region: string;
  /** The job's variables as the deployed project has them. */
  jobVariables: readonly EnvironmentVariable[];
}

export interface ChildEnv {
  env: Record<string, string>;
  /** PLAINTEXT variables set from the job. */
  plain: string[];
  /** Parameter Store / Secrets Manager variables: CodeBuild resolves them in a run, not here. */
  unresolved: { name: string; type: string; value: string; fromShell: boolean }[];
  /** Job variables that would have replaced a credential variable: left out. */
  skipped: string[];
}

/** Pure: the child's environment. The caller's credential sources removed, the job's plain variables, then the temporary credentials. */
export function childEnvironment({ base, credentials, region, jobVariables }: ChildEnvInput): ChildEnv {
  const blocked = new Set<string>(CREDENTIAL_VARIABLES);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !blocked.has(key)) env[key] = value;
  const plain: string[] = [];
  const unresolved: ChildEnv["unresolved"] = [];
  const skipped: string[] = [];
  for (const v of jobVariables) {
    if (!v.name) continue;
    if (blocked.has(v.name) || v.name === "AWS_REGION" || v.name === "AWS_DEFAULT_REGION") {
      skipped.push(v.name);
      continue;
    }
    if ((v.type ?? "PLAINTEXT") === "PLAINTEXT") {
      env[v.name] = v.value ?? "";
      plain.push(v.name);
    } else unresolved.push({ name: v.name, type: v.type ?? "", value: v.value ?? "", fromShell: env[v.name] !== undefined });
  }
  env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  env.AWS_SESSION_TOKEN = credentials.sessionToken;
  if (credentials.expiration) env.AWS_CREDENTIAL_EXPIRATION = credentials.expiration.toISOString();
  env.AWS_REGION = region;
  env.AWS_DEFAULT_REGION = region;
  return { env, plain, unresolved, skipped };
}

/** An AccessDenied from AssumeRole: a fresh role (or a fresh trust policy) is not assumable for a few seconds. */
function isAssumeDenied(error: unknown): boolean {
  return ["AccessDenied", "AccessDeniedException"].includes(errorName(error));
}

function policyLabel(arn: string, jobPolicyArn: string, policyFile: string | undefined): string {
  const name = arn.split("/").pop() ?? arn;
  if (arn === jobPolicyArn) return `${name} (${policyFile ? `from ${policyFile}` : "the job's policy file"})`;
  return arn.includes(":aws:policy/") ? `${name} (AWS managed)` : name;
}

export async function runPermissionsTry(options: PermissionsOptions, io: Reporter, command: readonly string[]): Promise<void> {
  if (io.json)
    throw new InputError(
      "--json",
      "permissions try runs your command, whose output is on stdout; run it without --json",
      "support-job permissions try -- aws s3 ls",
    );
  const [file, ...args] = command;
  if (!file)
    throw new InputError("command", "say which command to run with the job's permissions, after --", "support-job permissions try -- aws s3 ls s3://my-bucket");

  // Before anything is created: a typo in the command should cost nothing.
  if (!findExecutable(file, process.env))
    throw new InputError(
      "command",
      `${file} was not found${file.includes("/") ? "" : " on PATH"} or cannot be run (it runs without a shell: give a program or a path to it)`,
      "support-job permissions try -- aws s3 ls",
    );

  const job = await openJob(options, io);
  const { clients, name } = job;
  const names = jobNames(name, clients.region);
  const { want, jobVariables, current, jobPolicyArn } = await io.step(
    `reading job ${name}'s permissions`,
    async () => {
      // Everything at once, through the resource modules: who you are, the job's variables, its service role, the try role as it is.
      const [{ where, current }, me] = await awsCall(
        `Reading job ${name}`,
        Promise.all([readJobWithIdentity(name, clients, job.config?.account, PERMISSIONS_READS), callerIdentity(clients)]),
      );
      refuseOtherAccount(job, where.account);
      const project = (current.get("project") as ProjectState | undefined)?.project;
      const serviceRole = current.get("serviceRole") as RoleState | undefined;
      const tryRole = current.get("tryRole") as TryRoleState | undefined;
      if (!project) throw noSuchJob(name, clients.region);
      if (!serviceRole)
        throw new OperationError(
          `The job's CodeBuild service role ${names.serviceRole} does not exist, so its permissions are unknown: \`support-job init --yes\` recreates it.`,
        );
      const caller = callerPrincipal(me.arn);
      if (caller.display.endsWith(`/${names.tryRole}`))
        throw new InputError("command", `you are already running with the try role ${names.tryRole}; run the command directly`, "aws s3 ls");
      const boundary = serviceRole.role.PermissionsBoundary?.PermissionsBoundaryArn;
      return {
        want: tryRoleSpec(name, where, caller, serviceRole.attached.filter(Boolean), boundary),
        jobVariables: project.environment?.environmentVariables ?? [],
        current: tryRole,
        jobPolicyArn: jobArns(names, where).jobPolicy,
      };
    },
    { done: `read job ${name}'s permissions`, failed: `could not read job ${name}'s permissions` },
  );

  const plan = planTryRole(want, current);
  if (plan.action === "conflict") throw new OperationError(conflictMessage(want, plan.owner));

  // From the first write on, Ctrl-C must say what is left behind and how to remove it.
  const restore = whileInterrupted(
    () =>
      `Interrupted. The try role ${want.name} may exist: run \`support-job permissions try\` again to finish, or \`support-job permissions done\` to remove it.`,
  );
  let credentials: Credentials;
  try {
    if (plan.action !== "unchanged") {
      const change = plan;
      await io.step(
        `${change.action === "create" ? "creating" : "updating"} the try role ${want.name}`,
        () => awsCall(`${change.action === "create" ? "Creating" : "Updating"} IAM role ${want.name}`, applyTryRole(clients.iam, want, change)),
        {
          done: `${change.action === "create" ? "created" : "updated"} the try role ${want.name}${change.action === "update" ? `: ${change.changes.join("; ")}` : ""}`,
          failed: `could not ${change.action} the try role ${want.name}`,
        },
      );
    } else io.info(`${paint.green("✔")} the try role ${want.name} is up to date`);

    if (want.policyArns.length)
      io.info(`  with the job's own permissions: ${want.policyArns.map((a) => policyLabel(a, jobPolicyArn, job.config?.policyFile)).join(", ")}`);
    else
      io.warn(
        `Job ${name} has no permissions of its own (no policy file, no policy ARNs): the command runs with no AWS permissions at all, and every AWS call it makes is denied. Give the job a policy with \`support-job init --yes --policy-file FILE\`.`,
      );
    const fresh = plan.action === "create" || (plan.action === "update" && plan.trust);
    credentials = await assumeTryRole(clients, want, io, fresh ? FRESH_ROLE_WAIT_MS : KNOWN_ROLE_WAIT_MS);
  } finally {
    restore();
  }
  if (plan.action === "update" && (plan.attach.length || plan.detach.length))
    io.info(paint.dim("  The role's policies changed just now: IAM may take a few seconds to apply them everywhere."));

  if (!credentials.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken)
    throw new OperationError(`STS returned no credentials for ${want.name}; run the command again.`);
  const child = childEnvironment({
    base: process.env,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    },
    region: clients.region,
    jobVariables,
  });
  if (child.plain.length) io.info(`  with the job's variables: ${child.plain.join(", ")}`);
  if (child.unresolved.length) {
    const list = child.unresolved.map(
      (u) =>
        `${u.name} (${u.type === "PARAMETER_STORE" ? "Parameter Store" : u.type === "SECRETS_MANAGER" ? "Secrets Manager" : u.type} ${u.value}${u.fromShell ? "; your shell's value is used" : ""})`,
    );
    io.warn(`Not resolved locally (CodeBuild resolves them in a run): ${list.join(", ")}. Set them in your shell if the command needs them.`);
  }
  if (child.skipped.length) io.warn(`Left out (they would replace the try role's credentials or region): ${child.skipped.join(", ")}.`);
  const policyFile =
    job.config?.policyFile ?? (want.policyArns.includes(jobPolicyArn) ? "the job's policy file" : "a policy file (support-job init --yes --policy-file FILE)");
  io.info(paint.bold(`An AccessDenied below names the missing permission: add it to ${policyFile} and run \`support-job init --yes\`; then try again.`));
  io.info(
    paint.dim(`Running ${[file, ...args].map(shellWord).join(" ")} as ${want.name} (session ends ${credentials.Expiration?.toISOString() ?? "in 1 hour"}).`),
  );

  const code = await runChild(file, args, child.env);
  io.info(paint.dim(`${file} exited with ${code}. When you are done: \`support-job permissions done\`.`));
  if (code !== 0) throw new PassThroughExit(code);
}

/** The program spawn will run, or undefined: a path, or a name looked up on PATH (as spawn does without a shell). */
function findExecutable(file: string, env: NodeJS.ProcessEnv): string | undefined {
  const runnable = (path: string) => {
    try {
      accessSync(path, fsConstants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (file.includes("/") || file.includes("\\")) return runnable(file) ? file : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    const path = join(dir || ".", file);
    if (runnable(path)) return path;
  }
  return undefined;
}

/** A word as a shell would need it, for showing the command (it is never run through a shell). */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** AssumeRole as the caller, retrying the AccessDenied of a role IAM has not propagated yet (the one propagation wait), and saying so. */
async function assumeTryRole(clients: Clients, want: TryRoleSpec, io: Reporter, waitMs: number): Promise<Credentials> {
  const started = Date.now();
  const signal = new AbortController().signal;
  let waiting: Progress | undefined;
  const waiter = {
    waiting: () => {
      if (!waiting) waiting = io.task(`waiting for IAM to let you assume ${want.name} (a new role takes a few seconds; up to ${Math.round(waitMs / 1000)}s)`);
      else waiting.waiting(`${Math.round((Date.now() - started) / 1000)}s`);
    },
    sleep: (ms: number) => sleep(ms, signal),
  };
  let out: Awaited<ReturnType<typeof assumeRole>>;
  try {
    out = await waitForRolePropagation("STS (you, assuming it)", waiter, () => assumeRole(clients.sts, want), {
      notYet: isAssumeDenied,
      budgetMs: waitMs,
      delayMs: () => Math.min(pollInterval(), 5000),
    });
  } catch (error) {
    waiting?.fail(`could not assume ${want.name}`);
    if (isAssumeDenied(error))
      throw new OperationError(
        `You may not assume ${want.name} (AccessDenied after ${Math.round((Date.now() - started) / 1000)}s). Either IAM is still slow (run the command again in a minute), ` +
          `or your own IAM permissions do not allow sts:AssumeRole on ${want.arn}: ask your administrator for that.`,
        error,
      );
    throw asOperationError(error, `Assuming IAM role ${want.name}`);
  }
  if (!out.Credentials) throw new OperationError(`STS returned no credentials for ${want.name}; run the command again.`);
  waiting?.succeed(`IAM lets you assume ${want.name} now`);
  return out.Credentials;
}

/** Runs the command with stdio inherited and no shell; resolves with its exit code (128 + signal number if killed). */
function runChild(file: string, args: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: "inherit", env, shell: false });
    // Ctrl-C reaches the child from the terminal: wait for it to end rather than exit under it.
    const restore = whileInterrupted(() => undefined);
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward("SIGTERM");
    const onHup = forward("SIGHUP");
    process.on("SIGTERM", onTerm);
    process.on("SIGHUP", onHup);
    const done = () => {
      restore();
      process.off("SIGTERM", onTerm);
      process.off("SIGHUP", onHup);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      done();
      if (error.code === "ENOENT")
        reject(
          new InputError(
            "command",
            `${file} was not found (it runs without a shell: give a program on PATH or a path to it)`,
            "support-job permissions try -- aws s3 ls",
          ),
        );
      else if (error.code === "EACCES") reject(new InputError("command", `${file} cannot be run (permission denied)`, "chmod +x ./script.sh"));
      else reject(new OperationError(`Could not run ${file}: ${error.message}`, error));
    });
    child.once("exit", (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

export async function runPermissionsDone(options: PermissionsOptions, io: Reporter): Promise<void> {
  const job = await openJob(options, io);
  const { clients, name } = job;
  const role = jobNames(name, clients.region).tryRole;
  // The account check goes out with the role's reads; the removal's first write waits for it.
  const checked = checkSavedAccount(job);
  const [, result] = await Promise.all([
    checked,
    awsCall(
      `Removing the try role ${role}`,
      removeTryRole(clients.iam, name, clients.region, () => checked),
    ),
  ]);
  if (io.json) io.printJson(tryRoleRemovalToJson(name, role, result));
  if (result.removed) {
    io.result(
      `${paint.green("✔")} Removed the try role ${role}. Its policies were detached first, so sessions still open with it lose the job's permissions within seconds; the job's own policy is unchanged.`,
    );
    return;
  }
  if (result.reason === "absent") {
    io.result(`Nothing to remove: job ${name} has no try role (${role} does not exist).`);
    return;
  }
  throw new OperationError(conflictMessage({ job: name, name: role }, result.owner));
}
