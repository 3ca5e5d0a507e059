/** `support-job init`: settings (flags, support-job.json, the deployed job, or the wizard) → plan → apply → summary. */
import { CONFIG_FILE, fileDefaults, jobConfig, jobNamesIn, readJobsFile, type ConfigFile, type JobsFile } from "../settings/file.js";
import { InputError, InputErrors, InterruptedError } from "../errors.js";
import { broadGrants, FIELD_FLAGS, gpuRegionProblem, validateSettings, type RawSettings } from "../settings/validate.js";
import type { ResolvedSettings } from "../settings/types.js";
import type { Clients } from "../aws/clients.js";
import type { JobRead } from "../plan/plan.js";
import type { Reporter } from "../ui/reporter.js";
import { isInteractive, onTerminal, type GlobalOptions } from "./common.js";

export interface InitOptions extends GlobalOptions, RawSettings {
  yes?: boolean;
  dryRun?: boolean;
  adopt?: boolean;
  /** Set the job up in the caller's account even though support-job.json names another. */
  accountChange?: boolean;
}

/** Where each setting came from: decides who a bad value is blamed on and which removals were asked for. */
type SettingSource = "flag" | "file" | "deployed" | "git";

/** What init knows before it plans: the settings, where they came from, and the support-job.json here. */
export interface InitContext {
  cwd: string;
  /** This job's settings in support-job.json (its defaults for a job not in it yet): region and account apply. */
  config: ConfigFile | undefined;
  /** support-job.json as read before any AWS call: the job's entry is saved into it, nothing else changes. */
  file: JobsFile | undefined;
  interactive: boolean;
  sources: Partial<Record<keyof RawSettings, SettingSource>>;
  /** Clients already made to read the deployed job back (same region), reused by the plan. */
  clients?: Clients | undefined;
  /** What reading the deployed job back found (a fresh job: nothing): the plan starts from it, no second read. */
  read?: JobRead | undefined;
}

/** Flags win over the base (support-job.json or the deployed job); an empty list given on purpose clears it. */
export function mergeSettings(base: RawSettings | undefined, flags: RawSettings): RawSettings {
  const merged: RawSettings = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(flags) as [keyof RawSettings, RawSettings[keyof RawSettings]][]) {
    if (value === undefined) continue;
    (merged as Record<string, unknown>)[key] = value;
  }
  delete (merged as ConfigFile).region;
  delete (merged as ConfigFile).account;
  return merged;
}

function pickSettingFlags(options: InitOptions): RawSettings {
  return {
    name: options.name,
    repository: options.repository,
    sourceType: options.sourceType,
    branch: options.branch,
    buildspec: options.buildspec,
    schedule: options.schedule,
    timezone: options.timezone,
    computeType: options.computeType,
    arch: options.arch,
    image: options.image,
    timeout: options.timeout,
    email: options.email,
    alertOn: options.alertOn,
    env: options.env,
    policyArns: options.policyArns,
    policyFile: options.policyFile,
    permissionsBoundary: options.permissionsBoundary,
    logRetentionDays: options.logRetentionDays,
    queuedTimeout: options.queuedTimeout,
    gpu: options.gpu,
    cache: options.cache,
    vpcId: options.vpcId,
    subnets: options.subnets,
    securityGroups: options.securityGroups,
    missedRunAlarm: options.missedRunAlarm,
    grace: options.grace,
    expectEvery: options.expectEvery,
    maxParallel: options.maxParallel,
    retries: options.retries,
    alertWebhooks: options.alertWebhooks,
  };
}

/** Whether any flag sets a job setting: with several jobs in the file and no --name, they would be for no job. */
function settingFlagsGiven(flags: RawSettings): boolean {
  return Object.entries(flags).some(([key, value]) => key !== "name" && value !== undefined);
}

/** --json chooses the output, never the confirmation: on a terminal it still needs --yes (or --dry-run). */
export function jsonNeedsYes(options: Pick<InitOptions, "json" | "yes" | "dryRun">, terminal: boolean): boolean {
  return Boolean(options.json && !options.yes && !options.dryRun && terminal);
}

export async function runInit(options: InitOptions, io: Reporter): Promise<void> {
  const cwd = process.cwd();
  if (jsonNeedsYes(options, onTerminal()))
    throw new InputError(
      "--yes",
      "--json changes the output, not the confirmation; pass --yes to apply without being asked, or --dry-run to only see the plan",
      "support-job --json init --yes",
    );
  const file = readJobsFile(cwd, (line) => io.warn(line));
  const jobs = jobNamesIn(file);
  const defaults = fileDefaults(file);
  const flags = pickSettingFlags(options);
  const interactive = isInteractive(options);
  const sources: InitContext["sources"] = {};
  const given = (raw: RawSettings, source: SettingSource) => {
    for (const [key, value] of Object.entries(raw) as [keyof RawSettings, unknown][]) if (value !== undefined) sources[key] = source;
  };

  // An empty --name is the user's (wrong) answer, never replaced by the repository's name.
  const nameGiven = flags.name !== undefined;
  let flagName = flags.name?.trim() || undefined;
  if (!nameGiven && jobs.length > 0) {
    if (interactive) {
      const { chooseJob } = await import("../wizard/prompts.js");
      flagName = await chooseJob(jobs);
    } else if (jobs.length === 1) flagName = jobs[0];
    else if (settingFlagsGiven(flags))
      throw new InputError(
        "--name",
        `${CONFIG_FILE} here holds ${jobs.length} jobs (${jobs.join(", ")}); say which one the flags are for`,
        `support-job init --name ${jobs[0]} ...`,
      );
    else {
      // init --yes with no --name in a folder of several jobs converges them all, as `support-job apply` does.
      const { runApply } = await import("./converge.js");
      await runApply({ ...options, yes: options.yes }, io);
      return;
    }
  }
  let config = flagName ? jobConfig(file, flagName) : undefined;
  // A job not in the file yet starts from the defaults every job of the file shares (never from another job's entry).
  const shared: ConfigFile | undefined = file && Object.keys(defaults).length > 0 ? defaults : undefined;

  // Without a terminal, the git checkout gives --repo and --name, as the wizard's defaults do.
  const fromGit: RawSettings = {};
  if (!interactive && !config?.repository && !shared?.repository && !flags.repository) {
    const { readWorkspace } = await import("../wizard/workspace.js");
    const repository = readWorkspace(cwd).repository;
    if (repository) fromGit.repository = repository;
  }
  if (!interactive && !nameGiven && !config?.name) {
    const { nameFromRepository } = await import("../wizard/questions.js");
    const name = nameFromRepository(flags.repository ?? shared?.repository ?? fromGit.repository);
    if (name) {
      fromGit.name = flagName = name;
      config = jobConfig(file, flagName);
    }
  }

  given(fromGit, "git");
  let base: RawSettings | undefined = config ?? shared;
  if (base) given(base, "file");
  const name = flagName ?? config?.name;
  // No support-job.json for this job: a deployed job of that name is the starting point, flags override it.
  let clients: Clients | undefined;
  let deployedRead: JobRead | undefined;
  if (!config && name && (!interactive || options.name)) {
    // Bad input fails before any AWS call: what was given is checked before the deployed job is read.
    if (!interactive) precheck(mergeSettings({ ...fromGit, ...(shared ?? {}) }, flags), cwd, sources, Boolean(options.yes), io);
    const { clientsFor } = await import("./common.js");
    const { deployedSettings } = await import("../deployed/settings.js");
    const { callerIdentity } = await import("../aws/clients.js");
    clients = await clientsFor(options, io, shared?.region);
    // The region is known now, before any call: a GPU job in a region without GPUs stops here.
    if (!interactive) {
      const given = mergeSettings(fromGit, flags);
      const gpu = gpuRegionProblem({ gpu: given.gpu === true || given.gpu === "true" }, clients.region);
      if (gpu) throw gpu;
    }
    // The plan's identity check runs alongside this read-back, so it costs no extra round trip.
    callerIdentity(clients).catch(() => undefined);
    const deployed = await deployedSettings(clients, name, (read) => (deployedRead = read)).catch(() => undefined);
    if (deployed) {
      io.info(
        `Job ${name} exists in AWS: its deployed settings are the starting point${interactive ? " (the defaults below)" : "; flags change only what they name"}.`,
      );
      for (const warning of deployed.warnings) io.warn(warning);
      base = { ...(shared ?? {}), ...deployed.settings };
      given(deployed.settings, "deployed");
    }
  }
  given(flags, "flag");
  // Said before the plan: which values came from the checkout, not from a flag, the file or the deployed job.
  if (sources.repository === "git") io.info(`--repo not given: using ${fromGit.repository} (git remote origin).`);
  if (sources.name === "git") io.info(`--name not given: using ${fromGit.name} (from the repository's name).`);
  let raw = mergeSettings({ ...fromGit, ...(base ?? {}) }, flags);
  if (interactive) {
    const { runWizard } = await import("../wizard/wizard.js");
    // The VPC question lists the account's networks: the clients (and the EC2 SDK) load only if it is opened.
    const ec2 = async () => {
      clients ??= await (await import("./common.js")).clientsFor(options, io, config?.region);
      return { client: clients.ec2, network: await import("../resources/network.js") };
    };
    const network = {
      vpcs: async () => ec2().then(({ client, network }) => network.listVpcs(client)),
      detail: async (vpcId: string) => ec2().then(({ client, network }) => network.listVpcNetwork(client, vpcId)),
    };
    raw = await runWizard(raw, { cwd, given: flags, network });
  }
  const settings = validateNamingSource(raw, cwd, sources);
  // The wizard may have named another job: its entry (or the defaults) applies, and is what gets saved.
  config = jobConfig(file, settings.name) ?? shared;
  const broad = broadGrants(settings);
  if (broad.length > 0) {
    for (const b of broad) io.warn(`${b}: the job could do anything in this account.`);
    if (!options.yes) {
      if (!interactive) throw broadGrantError(broad);
      const { confirmBroadGrant } = await import("../wizard/prompts.js");
      if (!(await confirmBroadGrant())) throw new InterruptedError("Cancelled, nothing was changed.");
    }
  }
  // The engine (and with it the AWS SDK) loads only once the input is known to be good.
  const { deployJob } = await import("./init-apply.js");
  await deployJob(settings, options, io, { cwd, config, file, interactive, sources, clients, read: deployedRead });
}

/** A bad value is blamed on where it came from: a flag by its name, support-job.json by its key. */
function validateNamingSource(raw: RawSettings, cwd: string, sources: InitContext["sources"]): ResolvedSettings {
  try {
    return validateSettings(raw, cwd);
  } catch (error) {
    const rename = (problem: InputError): InputError => {
      const key = (Object.keys(FIELD_FLAGS) as (keyof RawSettings)[]).find((k) => FIELD_FLAGS[k] === problem.field);
      if (!key || sources[key] !== "file" || raw[key] === undefined) return problem;
      return new InputError(`${CONFIG_FILE}: ${key}`, problem.problem, problem.example?.replace(/^--[\w-]+ /, `"${key}": `));
    };
    if (error instanceof InputError) throw rename(error);
    if (error instanceof InputErrors) throw new InputErrors(error.problems.map(rename));
    throw error;
  }
}

/**
 * Without a file for the job, the required values still come from flags (or git): they and every other given
 * value are checked, and a grant of everything refused without --yes, before the deployed job is read.
 */
function precheck(given: RawSettings, cwd: string, sources: InitContext["sources"], yes: boolean, io: Reporter): void {
  const settings = validateNamingSource(given, cwd, sources);
  const broad = broadGrants(settings);
  if (broad.length === 0 || yes) return;
  for (const b of broad) io.warn(`${b}: the job could do anything in this account.`);
  throw broadGrantError(broad);
}

/** A grant of everything without --yes and without a terminal to ask on: the first finding, named. */
function broadGrantError(broad: readonly string[]): InputError {
  const first = broad[0] ?? "the policy";
  return new InputError(
    first.startsWith("arn:") ? "--policy-arn" : "--policy-file",
    `${first}; narrow it, or pass --yes to accept`,
    "Action s3:GetObject on arn:aws:s3:::my-bucket/*",
  );
}
