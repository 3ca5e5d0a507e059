// Local AWS for tests: moto + the proxy, the environment for a child CLI, and SDK clients to read results back.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { startMoto, type Moto } from "./moto.js";
import { TEST_REGION } from "./account.js";
import { HARNESS_USER_AGENT, startProxy, type AwsProxy } from "./proxy.js";

/** A path that never exists, so no shared config or credentials file is read. */
const NO_FILE = join(tmpdir(), "support-job-tests-no-such-aws-file");

/**
 * A complete environment for a child process (or the SDK) that can only reach the local endpoint: every AWS_*
 * variable of `base` is dropped (profiles, session tokens, per-service endpoints, container/IMDS credentials)
 * except the SDK's own behaviour switches (AWS_SDK_*), then dummy credentials, the region and the endpoint are set.
 */
export function awsEnv(endpoint: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (name.startsWith("AWS_") && !name.startsWith("AWS_SDK_")) continue;
    env[name] = value;
  }
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: TEST_REGION,
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_CONFIG_FILE: NO_FILE,
    AWS_SHARED_CREDENTIALS_FILE: NO_FILE,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

export interface AwsClients {
  codebuild: CodeBuildClient;
  events: EventBridgeClient;
  iam: IAMClient;
  sns: SNSClient;
  sts: STSClient;
  scheduler: SchedulerClient;
  logs: CloudWatchLogsClient;
  ec2: EC2Client;
  cloudwatch: CloudWatchClient;
  destroy(): void;
}

export interface ClientOptions {
  /**
   * false (default): the harness's read-back clients; the proxy still rewrites their answers but keeps them out of
   * the call log and never delays or faults them. true: they are logged, delayed and faulted like the CLI's.
   */
  recorded?: boolean;
  /** The region the clients talk to (default us-east-1): one moto holds every region. */
  region?: string;
}

export function clients(endpoint: string, options: ClientOptions = {}): AwsClients {
  const config = {
    endpoint,
    region: options.region ?? TEST_REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    ...(options.recorded === true ? {} : { customUserAgent: HARNESS_USER_AGENT }),
  };
  const made = {
    codebuild: new CodeBuildClient(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
    sns: new SNSClient(config),
    sts: new STSClient(config),
    scheduler: new SchedulerClient(config),
    logs: new CloudWatchLogsClient(config),
    ec2: new EC2Client(config),
    cloudwatch: new CloudWatchClient(config),
  };
  return {
    ...made,
    destroy: () => {
      for (const client of Object.values(made)) client.destroy();
    },
  };
}

export interface LocalAws {
  moto: Moto;
  proxy: AwsProxy;
  /** The proxy's URL: what AWS_ENDPOINT_URL points at. */
  endpoint: string;
  env: Record<string, string>;
  clients: AwsClients;
  /** Empty moto and a fresh proxy state (calls, faults, build scripts), for a clean slate between tests. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalAws(options: { latencyMs?: number; seed?: number } = {}): Promise<LocalAws> {
  const moto = await startMoto();
  let proxy: AwsProxy;
  try {
    proxy = await startProxy({ target: moto.url, latencyMs: options.latencyMs ?? 0, seed: options.seed ?? 42 });
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const readBack = clients(proxy.url);
  return {
    moto,
    proxy,
    endpoint: proxy.url,
    env: awsEnv(proxy.url),
    clients: readBack,
    reset: async () => {
      await moto.reset();
      proxy.reset();
    },
    stop: async () => {
      readBack.destroy();
      await proxy.close();
      await moto.stop();
    },
  };
}

/** A build as StartBuild / BatchGetBuilds return it, or just its id (then the default log group is assumed). */
export type BuildRef = string | { id?: string | undefined; logs?: { groupName?: string | undefined; streamName?: string | undefined } | undefined };

/**
 * Writes lines into the build's CloudWatch Logs stream in moto (moto's builds write none), creating the group
 * and stream if needed. Events are 1 ms apart, starting now.
 */
export async function writeBuildLog(aws: Pick<AwsClients, "logs">, build: BuildRef, lines: string[]): Promise<void> {
  const id = typeof build === "string" ? build : (build.id ?? "");
  const projectName = id.slice(0, id.indexOf(":"));
  const groupName = (typeof build === "string" ? undefined : build.logs?.groupName) ?? `/aws/codebuild/${projectName}`;
  const streamName = (typeof build === "string" ? undefined : build.logs?.streamName) ?? id.slice(id.indexOf(":") + 1);
  if (groupName === "/aws/codebuild/" || streamName === "") throw new Error(`writeBuildLog: cannot tell the log stream of ${JSON.stringify(build)}`);
  await ignoreExisting(aws.logs.send(new CreateLogGroupCommand({ logGroupName: groupName })));
  await ignoreExisting(aws.logs.send(new CreateLogStreamCommand({ logGroupName: groupName, logStreamName: streamName })));
  if (lines.length === 0) return;
  const start = Date.now();
  await aws.logs.send(
    new PutLogEventsCommand({
      logGroupName: groupName,
      logStreamName: streamName,
      logEvents: lines.map((message, i) => ({ timestamp: start + i, message })),
    }),
  );
}

async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceAlreadyExistsException")) throw error;
  }
}
