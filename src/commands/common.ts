/** What every AWS-touching command shares: options, the reporter, the clients. */
import type { Clients } from "../aws/clients.js";
import type { Reporter } from "../ui/reporter.js";

export interface GlobalOptions {
  region?: string | undefined;
  profile?: string | undefined;
  debug?: boolean | undefined;
  json?: boolean | undefined;
}

/** The SDK is loaded here, on first use, so that a command fails on bad input before paying for it. */
export async function clientsFor(options: GlobalOptions, io: Reporter, savedRegion?: string): Promise<Clients> {
  const { createClients } = await import("../aws/clients.js");
  return createClients({
    region: options.region ?? savedRegion,
    profile: options.profile,
    debug: options.debug ? (line) => io.debug(line) : undefined,
  });
}

export function isInteractive(options: { yes?: boolean | undefined; json?: boolean | undefined }): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY && !options.yes && !options.json && !process.env.CI);
}
