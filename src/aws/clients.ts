/**
 * The one place SDK clients are built: region, profile, endpoint, retries, debug logging and call counts.
 *
 * Each client's module loads on its first request, one module at a time in the order they are first asked for:
 * a command's first requests leave as soon as their own client is loaded, and the other clients load while
 * those requests are in flight (the bundle makes each import() below a chunk of its own).
 */
import { InputError } from "../errors.js";

/**
 * Every client, by the name commands use (`clients.codebuild.send(…)`). Adding a client is one line here, plus its
 * module in sdk/ that re-exports the client class as `Client` (importing the package itself here would bundle every
 * command of the service into the chunk).
 */
const SDK = {
  sts: () => import("./sdk/sts.js"),
  codebuild: () => import("./sdk/codebuild.js"),
  events: () => import("./sdk/events.js"),
  iam: () => import("./sdk/iam.js"),
  sns: () => import("./sdk/sns.js"),
  scheduler: () => import("./sdk/scheduler.js"),
  logs: () => import("./sdk/logs.js"),
  /** The missed-run alarm (CloudWatch speaks JSON 1.0 to this SDK, signing as "monitoring"). */
  cloudwatch: () => import("./sdk/cloudwatch.js"),
  /** A VPC job's network: the NAT check and the wizard's lists (Describe calls only). */
  ec2: () => import("./sdk/ec2.js"),
};

export type Service = keyof typeof SDK;

type ClientOf<S extends Service> = InstanceType<Awaited<ReturnType<(typeof SDK)[S]>>["Client"]>;

/**
 * What commands use of a client: `send`, with the SDK client's own types. The client is built on the first send;
 * any object with that `send` (a client itself, in tests) will do.
 */
type LazyClient<C extends { send: unknown }> = Pick<C, "send">;

export interface AwsOptions {
  region?: string | undefined;
  profile?: string | undefined;
  /** Log each call (service, operation, status, request id) to stderr; never headers or bodies. */
  debug?: ((line: string) => void) | undefined;
  /**
   * For commands that read every job of support-job.json at once (`plan`, `apply`, `init` with several jobs): every
   * client is loaded before this returns, and each gets MANY_JOBS_SOCKETS sockets instead of the SDK's 50.
   *
   * Why only them. One job's first wave is ~35 requests over 8 clients, at most ~15 to one client (IAM): the SDK's
   * 50 sockets hold it, and its chains (the identity check, ListBuildsForProject → BatchGetBuilds, GetRole → its
   * policies) leave as soon as their own client is loaded while the others load during that round trip, so
   * loading them all first would only delay those chains. N jobs' first wave is N × that: with 20 jobs, ~300 IAM
   * reads at once, which 50 sockets would queue; and the event loop, busy with hundreds of answers, would load a
   * late client's module only after the first answers came back, making that client's reads a round trip deeper.
   */
  manyJobs?: boolean | undefined;
}

interface CallStats {
  reads: number;
  writes: number;
  byOperation: Map<string, number>;
}

export type Clients = { region: string; stats: CallStats } & { readonly [S in Service]: LazyClient<ClientOf<S>> };

/** Enough to catch a typo (`us-est-1`, `eu-west`) before any call; an unknown but well-formed name fails at the endpoint. */
const REGION_PATTERN = /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-(east|west|north|south|central|northeast|northwest|southeast|southwest|iso[a-z]*)-\d{1,2}$/;

const READ = /^(Get|List|Describe|BatchGet|Head|Filter|Search)/;

/** Sockets per client with `manyJobs`: enough for every read of a large support-job.json at once (throttling is retried). */
const MANY_JOBS_SOCKETS = 1000;

function isReadOperation(operation: string): boolean {
  return READ.test(operation);
}

/** Client settings that come from the environment or the profile, the same for every service (see createClients). */
const SHARED_SETTINGS = ["useFipsEndpoint", "useDualstackEndpoint", "retryMode", "defaultsMode", "userAgentAppId", "authSchemePreference"] as const;

/** The parts of an SDK client this module touches itself. */
interface SdkClient {
  config: { region: () => Promise<string>; credentials: unknown } & Record<(typeof SHARED_SETTINGS)[number], unknown>;
  middlewareStack: { add: (middleware: unknown, options: { step: "initialize"; name: string }) => void };
  send: (command: never, options?: unknown) => Promise<unknown>;
}
type SdkClientClass = new (config: Record<string, unknown>) => SdkClient;

/**
 * The clients in the region (--region, else the AWS configuration). `first`: the clients of the command's first
 * requests, in the order to load them: the first is loaded before this returns (the region is read from its
 * configuration), the others are next in line; every other client loads on its first request.
 */
export async function createClients(options: AwsOptions, first: readonly Service[] = ["sts"]): Promise<Clients> {
  if (options.region !== undefined && !REGION_PATTERN.test(options.region))
    throw new InputError("--region", `"${options.region}" is not an AWS region name`, "us-east-1");
  // Throttling, 5xx and dropped connections are retried by the SDK's standard strategy; more attempts than
  // the default 3 so a burst of throttling during a fresh set-up does not fail it.
  const base = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts: 6,
    // Each command class's middleware chain is resolved on its first send and reused (a job's read sends GetRole
    // seven times): the SDK's option for a client whose middleware stack does not change after its first send,
    // which holds here, as `counted` adds ours when the client is built.
    cacheMiddleware: true,
    // The SDK's default of 50 sockets per client queues the reads of many jobs (`apply` reads every job of
    // support-job.json at once: 20 jobs are ~300 IAM reads), which makes a no-op deeper with each job.
    ...(options.manyJobs
      ? {
          requestHandler: {
            httpAgent: { maxSockets: MANY_JOBS_SOCKETS, keepAlive: true },
            httpsAgent: { maxSockets: MANY_JOBS_SOCKETS, keepAlive: true },
          },
        }
      : {}),
  };
  const stats: CallStats = { reads: 0, writes: 0, byOperation: new Map() };
  let config: Record<string, unknown> = base;
  const built = new Map<Service, Promise<SdkClient>>();
  const client = (service: Service): Promise<SdkClient> => {
    let made = built.get(service);
    if (!made) {
      made = loadModule(service).then(({ Client }) => counted(new (Client as unknown as SdkClientClass)(config), service, stats, options.debug));
      built.set(service, made);
    }
    return made;
  };
  const [firstService = "sts", ...others] = first;
  // The region comes from the first client's own resolution (profile, environment, config file), as the SDK does it.
  const probe = await client(firstService);
  let region: string;
  try {
    region = await probe.config.region();
  } catch {
    throw new InputError("--region", "no AWS region is set", "--region us-east-1, or set AWS_REGION");
  }
  if (!REGION_PATTERN.test(region)) throw new InputError("--region", `"${region}" (from your AWS configuration) is not an AWS region name`, "us-east-1");
  // One credential resolution per command: the other clients share the first one's provider (the SDK memoizes
  // it), so a profile's credential_process, SSO token or AssumeRole runs once, not once for each service. The same
  // for the settings every client reads from the environment and the profile alike (FIPS and dual-stack endpoints,
  // retry mode, defaults mode, app id, auth scheme preference): the first client's memoized providers, not one
  // chain of lookups per client. Per-service settings (AWS_ENDPOINT_URL_<SERVICE>) stay each client's own.
  config = { ...base, region, credentials: probe.config.credentials, ...Object.fromEntries(SHARED_SETTINGS.map((key) => [key, probe.config[key]])) };
  // Next in line, ahead of whatever the command's first requests ask for; a failure shows on the first send.
  for (const service of others) client(service).catch(() => undefined);
  if (options.manyJobs) await Promise.all(Object.keys(SDK).map((service) => client(service as Service)));
  const lazy = (service: Service) => ({ send: (command: never, sendOptions?: unknown) => client(service).then((sdk) => sdk.send(command, sendOptions)) });
  return { region, stats, ...Object.fromEntries(Object.keys(SDK).map((service) => [service, lazy(service as Service)])) } as Clients;
}

type SdkModule<S extends Service> = Awaited<ReturnType<(typeof SDK)[S]>>;
const modules = new Map<Service, Promise<unknown>>();
let queue: Promise<unknown> = Promise.resolve();

/**
 * One client module at a time, in the order first asked for: the first module is evaluated, and the requests
 * waiting for it are on their way, before the next one is read. The bundle's chunks are CommonJS, so a module loads
 * in one synchronous step: each load waits for the event loop's next turn (setImmediate), which comes once the
 * requests that the last module let go are sent, and once the answers that came in meanwhile are taken in.
 */
function loadModule<S extends Service>(service: S): Promise<SdkModule<S>> {
  let module = modules.get(service) as Promise<SdkModule<S>> | undefined;
  if (!module) {
    module = queue.then(nextTurn).then(() => SDK[service]() as Promise<SdkModule<S>>);
    queue = module.catch(() => undefined);
    modules.set(service, module);
  }
  return module;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Settles once every client module asked for so far has loaded (a failed one included): from then on, the requests
 * waiting for them are on their way and the command is waiting on AWS.
 */
export function clientModulesLoaded(): Promise<void> {
  return queue.then(() => undefined);
}

/** Counts each call as a read or a write, and logs it with --debug. */
function counted(client: SdkClient, service: Service, stats: CallStats, debug: AwsOptions["debug"]): SdkClient {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<{ output: unknown }>, context: { commandName?: string }) => async (args: unknown) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      if (isReadOperation(operation)) stats.reads++;
      else stats.writes++;
      stats.byOperation.set(`${service}.${operation}`, (stats.byOperation.get(`${service}.${operation}`) ?? 0) + 1);
      try {
        const result = await next(args);
        const meta = (result.output as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
        debug?.(`${service}.${operation} ${meta?.httpStatusCode ?? ""} request-id=${meta?.requestId ?? "-"}`);
        return result;
      } catch (error) {
        const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
        debug?.(`${service}.${operation} ${meta?.httpStatusCode ?? "error"} ${(error as Error).name} request-id=${meta?.requestId ?? "-"}`);
        throw error;
      }
    },
    { step: "initialize", name: "supportJobCallLog" },
  );
  return client;
}

/** The account and partition of the caller: the one STS call every command makes first. */
/** One identity check per set of clients: init starts it early, alongside other reads, and the plan reuses it. */
const identities = new WeakMap<Clients, Promise<{ account: string; arn: string; partition: string }>>();

export function callerIdentity(clients: Clients): Promise<{ account: string; arn: string; partition: string }> {
  let pending = identities.get(clients);
  if (!pending) {
    pending = askIdentity(clients);
    identities.set(clients, pending);
    // A failed check is not remembered: a retry asks again.
    pending.catch(() => identities.delete(clients));
  }
  return pending;
}

async function askIdentity(clients: Clients): Promise<{ account: string; arn: string; partition: string }> {
  const { GetCallerIdentityCommand } = await loadModule("sts");
  const out = await clients.sts.send(new GetCallerIdentityCommand({}));
  const arn = out.Arn ?? "";
  return { account: out.Account ?? "", arn, partition: arn.split(":")[1] || "aws" };
}
