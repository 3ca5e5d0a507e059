/** The one place SDK clients are built: region, profile, endpoint, retries, debug logging and call counts. */
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { InputError } from "../errors.js";

export interface AwsOptions {
  region?: string | undefined;
  profile?: string | undefined;
  /** Log each call (service, operation, status, request id) to stderr; never headers or bodies. */
  debug?: ((line: string) => void) | undefined;
}

interface CallStats {
  reads: number;
  writes: number;
  byOperation: Map<string, number>;
}

export interface Clients {
  region: string;
  codebuild: CodeBuildClient;
  events: EventBridgeClient;
  iam: IAMClient;
  sns: SNSClient;
  sts: STSClient;
  scheduler: SchedulerClient;
  logs: CloudWatchLogsClient;
  stats: CallStats;
}

/** Enough to catch a typo (`us-est-1`, `eu-west`) before any call; an unknown but well-formed name fails at the endpoint. */
const REGION_PATTERN = /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-(east|west|north|south|central|northeast|northwest|southeast|southwest|iso[a-z]*)-\d{1,2}$/;

const READ = /^(Get|List|Describe|BatchGet|Head|Filter|Search)/;

function isReadOperation(operation: string): boolean {
  return READ.test(operation);
}

export async function createClients(options: AwsOptions): Promise<Clients> {
  if (options.region !== undefined && !REGION_PATTERN.test(options.region))
    throw new InputError("--region", `"${options.region}" is not an AWS region name`, "us-east-1");
  // Throttling, 5xx and dropped connections are retried by the SDK's standard strategy; more attempts than
  // the default 3 so a burst of throttling during a fresh set-up does not fail it.
  const base = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts: 6,
  };
  const sts = new STSClient(base);
  let region: string;
  try {
    region = await sts.config.region();
  } catch {
    throw new InputError("--region", "no AWS region is set", "--region us-east-1, or set AWS_REGION");
  }
  if (!REGION_PATTERN.test(region)) throw new InputError("--region", `"${region}" (from your AWS configuration) is not an AWS region name`, "us-east-1");
  const config = { ...base, region };
  const stats: CallStats = { reads: 0, writes: 0, byOperation: new Map() };
  const clients: Clients = {
    region,
    codebuild: new CodeBuildClient(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
    sns: new SNSClient(config),
    sts,
    scheduler: new SchedulerClient(config),
    logs: new CloudWatchLogsClient(config),
    stats,
  };
  for (const [service, client] of Object.entries(clients)) {
    if (typeof client !== "object" || client === null || !("middlewareStack" in client)) continue;
    (client as STSClient).middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? "").replace(/Command$/, "");
        if (isReadOperation(operation)) stats.reads++;
        else stats.writes++;
        stats.byOperation.set(`${service}.${operation}`, (stats.byOperation.get(`${service}.${operation}`) ?? 0) + 1);
        try {
          const result = await next(args);
          const meta = (result.output as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
          options.debug?.(`${service}.${operation} ${meta?.httpStatusCode ?? ""} request-id=${meta?.requestId ?? "-"}`);
          return result;
        } catch (error) {
          const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
          options.debug?.(`${service}.${operation} ${meta?.httpStatusCode ?? "error"} ${(error as Error).name} request-id=${meta?.requestId ?? "-"}`);
          throw error;
        }
      },
      { step: "initialize", name: "supportJobCallLog" },
    );
  }
  return clients;
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
  const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const out = await clients.sts.send(new GetCallerIdentityCommand({}));
  const arn = out.Arn ?? "";
  return { account: out.Account ?? "", arn, partition: arn.split(":")[1] || "aws" };
}
