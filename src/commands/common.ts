/** What every AWS-touching command shares: options, the reporter, the clients. */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Clients, Service } from "../aws/clients.js";
import { InputError } from "../errors.js";
import type { Reporter } from "../ui/reporter.js";

/** The options every command takes, declared once on the program in cli.ts. */
export interface GlobalOptions {
  region?: string | undefined;
  profile?: string | undefined;
  json?: boolean | undefined;
  debug?: boolean | undefined;
  /** false with --no-color. */
  color?: boolean | undefined;
}

/**
 * The SDK is loaded here, on first use, so that a command fails on bad input before paying for it. `first`: the
 * clients of the command's first requests, loaded first (see createClients). `manyJobs`: the command reads every
 * job of support-job.json at once (AwsOptions.manyJobs says what that changes).
 */
export async function clientsFor(options: GlobalOptions, io: Reporter, savedRegion?: string, first?: readonly Service[], manyJobs?: boolean): Promise<Clients> {
  if (options.profile !== undefined) checkProfile(options.profile);
  const { createClients } = await import("../aws/clients.js");
  return createClients(
    {
      region: options.region ?? savedRegion,
      profile: options.profile,
      debug: options.debug ? (line) => io.debug(line) : undefined,
      manyJobs,
    },
    first,
  );
}

export function isInteractive(options: { yes?: boolean | undefined; json?: boolean | undefined }): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY && !options.yes && !options.json && !process.env.CI);
}

/** A person is there to answer, whatever the output format: what --json must not be used to skip. */
export function onTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY && !process.env.CI);
}

/** The profiles in the shared config and credentials files, where the AWS CLI and SDK look for them. */
function knownProfiles(env: NodeJS.ProcessEnv = process.env): { profiles: string[]; files: string[] } {
  const files = [env.AWS_CONFIG_FILE || join(homedir(), ".aws", "config"), env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), ".aws", "credentials")];
  const profiles = new Set<string>();
  files.forEach((file, i) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return;
    }
    for (const match of text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)) {
      const section = match[1] ?? "";
      // config: [default] and [profile NAME]; credentials: [NAME]. [sso-session …] and [services …] are not profiles.
      if (i === 1) profiles.add(section);
      else if (section === "default") profiles.add(section);
      else if (section.startsWith("profile ")) profiles.add(section.slice(8).trim());
    }
  });
  return { profiles: [...profiles].sort(), files };
}

/** A typo'd --profile is named as such, with the profiles that do exist, before any AWS call. */
export function checkProfile(profile: string, env: NodeJS.ProcessEnv = process.env): void {
  const { profiles, files } = knownProfiles(env);
  if (profiles.includes(profile)) return;
  const where = files.map((f) => f.replace(homedir(), "~")).join(" or ");
  throw new InputError(
    "--profile",
    `there is no profile "${profile}" in ${where}; ${profiles.length ? `the profiles there are: ${profiles.join(", ")}` : "there are no profiles there (run `aws configure --profile NAME`)"}`,
    `--profile ${profiles[0] ?? "default"}`,
  );
}
