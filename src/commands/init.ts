/** `support-job init`: settings (flags, support-job.json, or the wizard) → plan → apply → summary. */
import { readConfig, type ConfigFile } from "../settings/file.js";
import { InputError, InterruptedError } from "../errors.js";
import { broadGrants, validateSettings, type RawSettings } from "../settings/validate.js";
import type { Reporter } from "../ui/reporter.js";
import { isInteractive, type GlobalOptions } from "./common.js";

export interface InitOptions extends GlobalOptions, RawSettings {
  yes?: boolean;
  dryRun?: boolean;
  adopt?: boolean;
}

/** Flags win over support-job.json; anything neither gives takes its default in validation. */
export function mergeSettings(config: ConfigFile | undefined, flags: RawSettings): RawSettings {
  const merged: RawSettings = { ...(config ?? {}) };
  for (const [key, value] of Object.entries(flags) as [keyof RawSettings, RawSettings[keyof RawSettings]][]) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    (merged as Record<string, unknown>)[key] = value;
  }
  delete (merged as ConfigFile).region;
  delete (merged as ConfigFile).account;
  return merged;
}

export function pickSettingFlags(options: InitOptions): RawSettings {
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
  };
}

export async function runInit(options: InitOptions, io: Reporter): Promise<void> {
  const cwd = process.cwd();
  const config = readConfig(cwd);
  const interactive = isInteractive(options);
  let raw = mergeSettings(config, pickSettingFlags(options));
  if (interactive && !config && options.name) {
    // No support-job.json here: an existing job's settings, read from AWS, are the wizard's defaults.
    const { clientsFor } = await import("./common.js");
    const { deployedSettings } = await import("../deployed/settings.js");
    const deployed = await deployedSettings(await clientsFor(options, io), options.name).catch(() => undefined);
    if (deployed) {
      io.info(`Job ${options.name} exists in AWS: its settings are the defaults below.`);
      raw = mergeSettings(deployed, pickSettingFlags(options));
    }
  }
  if (interactive) {
    const { runWizard } = await import("../wizard/wizard.js");
    raw = await runWizard(raw, { cwd, given: pickSettingFlags(options) });
  }
  const settings = validateSettings(raw, cwd);
  const broad = broadGrants(settings);
  if (broad.length > 0) {
    for (const b of broad) io.warn(`${b}: the job could do anything in this account.`);
    if (!options.yes) {
      if (!interactive) throw new InputError(broad[0]!.startsWith("arn:") ? "--policy-arn" : "--policy-file", `${broad[0]!}; narrow it, or pass --yes to accept`, "Action s3:GetObject on arn:aws:s3:::my-bucket/*");
      const { confirmBroadGrant } = await import("../wizard/prompts.js");
      if (!(await confirmBroadGrant())) throw new InterruptedError("Cancelled, nothing was changed.");
    }
  }
  // The engine (and with it the AWS SDK) loads only once the input is known to be good.
  const { deployJob } = await import("./init-apply.js");
  await deployJob(settings, options, io, { cwd, config, interactive });
}
