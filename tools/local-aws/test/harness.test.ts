// The test harness itself against a real moto_server: CodeBuild as AWS shows it, the call log, faults, depth.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  BatchGetProjectsCommand,
  CreateProjectCommand,
  ListBuildsForProjectCommand,
  ListProjectsCommand,
  StartBuildCommand,
  StopBuildCommand,
  UpdateProjectCommand,
  type Build,
} from "@aws-sdk/client-codebuild";
import { DescribeLogGroupsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeRuleCommand, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { CreateScheduleCommand, GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsEnv, clients, startLocalAws, writeBuildLog, type AwsClients, type LocalAws } from "../env.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/support-job-nightly-codebuild";

let aws: LocalAws;
/** Clients whose calls the proxy logs, delays and faults: they stand in for the CLI. */
let cli: AwsClients;

beforeAll(async () => {
  aws = await startLocalAws();
  cli = clients(aws.endpoint, { recorded: true });
});

afterAll(async () => {
  cli?.destroy();
  await aws?.stop();
});

beforeEach(async () => {
  await aws.reset();
});

async function createProject(name = "nightly"): Promise<void> {
  await aws.clients.iam
    .send(
      new CreateRoleCommand({
        RoleName: "support-job-nightly-codebuild",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof Error && error.name === "EntityAlreadyExistsException")) throw error;
    });
  await cli.codebuild.send(
    new CreateProjectCommand({
      name,
      // NO_SOURCE without a location: valid on AWS, and moto's demand for one is hidden by the proxy.
      source: { type: "NO_SOURCE", buildspec: "version: 0.2\nphases:\n  build:\n    commands: [./support.sh]\n" },
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: "LINUX_CONTAINER",
        image: "aws/codebuild/standard:7.0",
        computeType: "BUILD_GENERAL1_SMALL",
        environmentVariables: [{ name: "STAGE", value: "prod", type: "PLAINTEXT" }],
      },
      serviceRole: ROLE_ARN,
      timeoutInMinutes: 30,
      tags: [{ key: "managed-by", value: "support-job" }],
    }),
  );
}

async function startBuilds(count: number, project = "nightly"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { build } = await cli.codebuild.send(new StartBuildCommand({ projectName: project }));
    ids.push(build?.id ?? "");
  }
  return ids;
}

async function getBuild(id: string): Promise<Build> {
  const { builds } = await cli.codebuild.send(new BatchGetBuildsCommand({ ids: [id] }));
  const build = builds?.[0];
  if (build === undefined) throw new Error(`no build ${id}`);
  return build;
}

describe("CodeBuild through the proxy", () => {
  it("accepts any role ARN of the account, existing or not (moto checks only the prefix)", async () => {
    await cli.codebuild.send(
      new CreateProjectCommand({
        name: "no-such-role",
        source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_SMALL" },
        serviceRole: "arn:aws:iam::123456789012:role/does-not-exist",
      }),
    );
    await expect(
      cli.codebuild.send(
        new CreateProjectCommand({
          name: "other-account",
          source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
          artifacts: { type: "NO_ARTIFACTS" },
          environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_SMALL" },
          serviceRole: "arn:aws:iam::999999999999:role/elsewhere",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidInputException" });
  });

  it("shows builds with epoch times, scripted outcomes, phases and a log stream", async () => {
    await createProject();
    const [first, second, third] = await startBuilds(3);
    if (first === undefined || second === undefined || third === undefined) throw new Error("three builds");
    aws.proxy.builds.script(second, [
      {
        status: "FAILED",
        failedPhase: "BUILD",
        reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: ./support.sh. Reason: exit status 3" },
      },
    ]);

    const { builds, buildsNotFound } = await cli.codebuild.send(
      new BatchGetBuildsCommand({ ids: [first, second, third, "nightly:00000000-0000-0000-0000-000000000000"] }),
    );
    expect(buildsNotFound).toEqual(["nightly:00000000-0000-0000-0000-000000000000"]);
    expect(builds?.map((build) => build.id)).toEqual([first, second, third]);
    expect(builds?.map((build) => build.buildStatus)).toEqual(["SUCCEEDED", "FAILED", "SUCCEEDED"]);
    expect(builds?.map((build) => build.buildNumber)).toEqual([1, 2, 3]);

    const failed = builds?.[1];
    expect(failed?.startTime).toBeInstanceOf(Date);
    expect(failed?.endTime).toBeInstanceOf(Date);
    const start = failed?.startTime?.getTime() ?? Number.NaN;
    const end = failed?.endTime?.getTime() ?? Number.NaN;
    expect(Math.abs(start - Date.now())).toBeLessThan(60_000);
    expect(end).toBeGreaterThanOrEqual(start);
    expect(end).toBeLessThanOrEqual(Date.now());
    expect(failed?.buildComplete).toBe(true);
    expect(failed?.currentPhase).toBe("COMPLETED");
    const failedPhase = failed?.phases?.find((phase) => phase.phaseStatus === "FAILED");
    expect(failedPhase?.phaseType).toBe("BUILD");
    expect(failedPhase?.contexts).toEqual([
      { statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: ./support.sh. Reason: exit status 3" },
    ]);
    expect(failed?.phases?.[0]?.startTime).toBeInstanceOf(Date);
    expect(failed?.initiator).toBe("dev");
    const uuid = second.slice("nightly:".length);
    expect(failed?.logs).toMatchObject({
      groupName: "/aws/codebuild/nightly",
      streamName: uuid,
      deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/nightly;stream=${uuid}`,
    });
    // The build carries its project's settings, not moto's canned ones.
    expect(failed?.environment?.image).toBe("aws/codebuild/standard:7.0");
    expect(failed?.timeoutInMinutes).toBe(30);
  });

  it("walks a scripted build through its steps, one per BatchGetBuilds, the last one sticking", async () => {
    await createProject();
    aws.proxy.builds.scriptNext([{ status: "IN_PROGRESS", phase: "PROVISIONING" }, { status: "IN_PROGRESS", phase: "BUILD" }, { status: "TIMED_OUT" }]);
    const { build: started } = await cli.codebuild.send(new StartBuildCommand({ projectName: "nightly" }));
    expect(started?.buildStatus).toBe("IN_PROGRESS");
    expect(started?.endTime).toBeUndefined();
    const id = started?.id ?? "";

    const seen: Array<[string | undefined, string | undefined, boolean | undefined, boolean]> = [];
    let provisioningStart: number | undefined;
    for (let i = 0; i < 4; i += 1) {
      const build = await getBuild(id);
      seen.push([build.buildStatus, build.currentPhase, build.buildComplete, build.endTime !== undefined]);
      const provisioning = build.phases?.find((phase) => phase.phaseType === "PROVISIONING")?.startTime?.getTime();
      provisioningStart ??= provisioning;
      // A phase keeps the start time it was first shown with.
      expect(provisioning).toBe(provisioningStart);
    }
    expect(seen).toEqual([
      ["IN_PROGRESS", "PROVISIONING", false, false],
      ["IN_PROGRESS", "BUILD", false, false],
      ["TIMED_OUT", "COMPLETED", true, true],
      ["TIMED_OUT", "COMPLETED", true, true],
    ]);
  });

  it("lists builds newest first by default and with DESCENDING, oldest first with ASCENDING", async () => {
    await createProject();
    const ids = await startBuilds(3);
    const newestFirst = [...ids].reverse();
    const described = await cli.codebuild.send(new ListBuildsForProjectCommand({ projectName: "nightly", sortOrder: "DESCENDING" }));
    expect(described.ids).toEqual(newestFirst);
    const byDefault = await cli.codebuild.send(new ListBuildsForProjectCommand({ projectName: "nightly" }));
    expect(byDefault.ids).toEqual(newestFirst);
    const ascending = await cli.codebuild.send(new ListBuildsForProjectCommand({ projectName: "nightly", sortOrder: "ASCENDING" }));
    expect(ascending.ids).toEqual(ids);
  });

  it("makes run history: pages of 100, given times and initiators", async () => {
    await createProject();
    aws.proxy.resetCalls();
    const day = 24 * 3600 * 1000;
    const origin = Date.now() - 250 * day;
    const ids = await aws.proxy.builds.createHistory(
      "nightly",
      Array.from({ length: 250 }, (_, i) => ({
        startTime: new Date(origin + i * day),
        endTime: new Date(origin + i * day + 90_000),
        initiator: i % 10 === 0 ? "dev" : "rule/support-job-nightly-schedule",
        status: i % 7 === 0 ? ("FAILED" as const) : ("SUCCEEDED" as const),
      })),
    );
    expect(aws.proxy.count()).toBe(0);

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await cli.codebuild.send(new ListBuildsForProjectCommand({ projectName: "nightly", nextToken }));
      pages.push(page.ids ?? []);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
    // As the API reference says: a sort order on a project with more than 100 builds is an error.
    await expect(cli.codebuild.send(new ListBuildsForProjectCommand({ projectName: "nightly", sortOrder: "DESCENDING" }))).rejects.toThrow(
      /more than 100 builds/,
    );
    expect(pages.flat()).toEqual([...ids].reverse());
    expect(aws.proxy.builds.ids("nightly")).toEqual(ids);

    const newest = await getBuild(ids[249] ?? "");
    expect(newest.startTime?.getTime()).toBe(origin + 249 * day);
    expect(newest.endTime?.getTime()).toBe(origin + 249 * day + 90_000);
    expect(newest.initiator).toBe("rule/support-job-nightly-schedule");
    expect(newest.buildNumber).toBe(250);
    const failed = await getBuild(ids[0] ?? "");
    expect([failed.buildStatus, failed.initiator]).toEqual(["FAILED", "dev"]);
  });

  it("records StartBuild requests and honours idempotency tokens", async () => {
    await createProject();
    const request = {
      projectName: "nightly",
      environmentVariablesOverride: [{ name: "STAGE", value: "dry-run", type: "PLAINTEXT" as const }],
      buildspecOverride: "version: 0.2",
      idempotencyToken: "run-now-1",
    };
    const first = await cli.codebuild.send(new StartBuildCommand(request));
    const again = await cli.codebuild.send(new StartBuildCommand(request));
    expect(again.build?.id).toBe(first.build?.id);
    expect(first.build?.environment?.environmentVariables).toEqual([{ name: "STAGE", value: "dry-run", type: "PLAINTEXT" }]);
    expect(aws.proxy.builds.startRequests).toHaveLength(2);
    expect(aws.proxy.builds.startRequests[0]).toMatchObject({ buildId: first.build?.id, request });
    await expect(cli.codebuild.send(new StartBuildCommand({ ...request, buildspecOverride: "version: 0.2\n# changed" }))).rejects.toMatchObject({
      name: "InvalidInputException",
    });
    const listed = await cli.codebuild.send(new ListBuildsForProjectCommand({ projectName: "nightly" }));
    expect(listed.ids).toHaveLength(1);
  });

  it("stops a build in progress", async () => {
    await createProject();
    aws.proxy.builds.scriptNext([{ status: "IN_PROGRESS", phase: "BUILD" }]);
    const [id] = await startBuilds(1);
    expect((await getBuild(id ?? "")).buildStatus).toBe("IN_PROGRESS");
    const { build } = await cli.codebuild.send(new StopBuildCommand({ id }));
    expect(build?.buildStatus).toBe("STOPPED");
    expect((await getBuild(id ?? "")).buildStatus).toBe("STOPPED");
  });

  it("emulates UpdateProject: fields given replace, others stay, tags and build history survive", async () => {
    await createProject();
    const ids = await startBuilds(2);
    const before = (await cli.codebuild.send(new BatchGetProjectsCommand({ names: ["nightly"] }))).projects?.[0];
    const { project } = await cli.codebuild.send(
      new UpdateProjectCommand({
        name: "nightly",
        description: "Nightly support job",
        environment: {
          type: "LINUX_CONTAINER",
          image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
          computeType: "BUILD_GENERAL1_SMALL",
          environmentVariables: [{ name: "STAGE", value: "staging", type: "PLAINTEXT" }],
        },
      }),
    );
    expect(project?.description).toBe("Nightly support job");
    expect(project?.environment?.image).toBe("aws/codebuild/amazonlinux-x86_64-standard:5.0");

    const { projects, projectsNotFound } = await cli.codebuild.send(new BatchGetProjectsCommand({ names: ["nightly", "missing"] }));
    const after = projects?.[0];
    expect(projectsNotFound).toEqual(["missing"]);
    expect(after?.description).toBe("Nightly support job");
    expect(after?.environment?.environmentVariables).toEqual([{ name: "STAGE", value: "staging", type: "PLAINTEXT" }]);
    expect(after?.timeoutInMinutes).toBe(30);
    expect(after?.serviceRole).toBe(ROLE_ARN);
    expect(after?.tags).toEqual([{ key: "managed-by", value: "support-job" }]);
    expect(after?.source?.location).toBeUndefined();
    expect(after?.created).toEqual(before?.created);
    expect(after?.lastModified).toBeInstanceOf(Date);
    expect(after?.lastModified?.getTime()).toBeGreaterThanOrEqual(before?.lastModified?.getTime() ?? Number.NaN);

    // moto's re-create forgets the project's builds (BatchGetBuilds still knows them); the proxy puts them back.
    const straightToMoto = new CodeBuildClient({
      endpoint: aws.moto.url,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    expect((await straightToMoto.send(new ListBuildsForProjectCommand({ projectName: "nightly" }))).ids).toEqual([]);
    straightToMoto.destroy();
    const listed = await cli.codebuild.send(new ListBuildsForProjectCommand({ projectName: "nightly", sortOrder: "ASCENDING" }));
    expect(listed.ids).toEqual(ids);
    const { builds } = await cli.codebuild.send(new BatchGetBuildsCommand({ ids }));
    expect(builds?.map((build) => build.id)).toEqual(ids);

    await expect(cli.codebuild.send(new UpdateProjectCommand({ name: "missing", description: "x" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    expect(aws.proxy.count({ action: "UpdateProject" })).toBe(2);
  });

  it("keeps AWS-valid project settings moto would reject or drop", async () => {
    await cli.codebuild.send(
      new CreateProjectCommand({
        name: "lambda-job",
        source: { type: "GITLAB", location: "https://gitlab.com/acme/support.git" },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          type: "LINUX_LAMBDA_CONTAINER",
          image: "aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20",
          computeType: "BUILD_LAMBDA_2GB",
        },
        serviceRole: ROLE_ARN,
        concurrentBuildLimit: 1,
      }),
    );
    const project = (await cli.codebuild.send(new BatchGetProjectsCommand({ names: ["lambda-job"] }))).projects?.[0];
    expect(project?.environment).toMatchObject({ type: "LINUX_LAMBDA_CONTAINER", computeType: "BUILD_LAMBDA_2GB" });
    expect(project?.source?.type).toBe("GITLAB");
    expect(project?.concurrentBuildLimit).toBe(1);
    const updated = await cli.codebuild.send(new UpdateProjectCommand({ name: "lambda-job", concurrentBuildLimit: -1 }));
    expect(updated.project?.concurrentBuildLimit).toBeUndefined();
  });

  it("lets a test write a build's log stream", async () => {
    await createProject();
    const { build } = await cli.codebuild.send(new StartBuildCommand({ projectName: "nightly" }));
    if (build === undefined) throw new Error("no build");
    await writeBuildLog(aws.clients, build, ["[Container] Running command ./support.sh", "done"]);
    const events = await aws.clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: build.logs?.groupName,
        logStreamName: build.logs?.streamName,
        startFromHead: true,
      }),
    );
    expect(events.events?.map((event) => event.message)).toEqual(["[Container] Running command ./support.sh", "done"]);
  });
});

// If moto fixes these, the matching proxy workaround can go.
describe("moto 5.2.1 without the proxy", () => {
  it("fails UpdateProject and sends build times the SDK cannot parse", async () => {
    await createProject();
    const moto = new CodeBuildClient({
      endpoint: aws.moto.url,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      maxAttempts: 1,
    });
    try {
      await expect(moto.send(new UpdateProjectCommand({ name: "nightly", description: "x" }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 500 },
      });
      const { build } = await cli.codebuild.send(new StartBuildCommand({ projectName: "nightly" }));
      await expect(moto.send(new BatchGetBuildsCommand({ ids: [build?.id ?? ""] }))).rejects.toThrow("Expected real number, got implicit NaN");
    } finally {
      moto.destroy();
    }
  });
});

describe("awsEnv", () => {
  it("gives a child process only the local endpoint, whatever AWS settings the parent has", async () => {
    const env = awsEnv(aws.endpoint, {
      ...process.env,
      AWS_PROFILE: "production",
      AWS_SESSION_TOKEN: "real-looking-token",
      AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9",
      AWS_CONFIG_FILE: "/home/dev/.aws/config",
    });
    expect(env["AWS_PROFILE"]).toBeUndefined();
    expect(env["AWS_SESSION_TOKEN"]).toBeUndefined();
    expect(env["AWS_ENDPOINT_URL_STS"]).toBeUndefined();
    expect(env["PATH"]).toBe(process.env["PATH"]);
    expect(existsSync(env["AWS_CONFIG_FILE"] ?? "/")).toBe(false);

    const script =
      'const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");' +
      "new STSClient({}).send(new GetCallerIdentityCommand({})).then((id) => console.log(id.Account));";
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ["-e", script], { env, cwd: process.cwd() }, (error, stdout) => (error === null ? resolve(stdout.trim()) : reject(error)));
    });
    expect(output).toBe("123456789012");
    expect(aws.proxy.calls.map((call) => call.action)).toEqual(["GetCallerIdentity"]);
  });
});

describe("call log", () => {
  it("logs service, action and read/write for every protocol, and not the harness's own reads", async () => {
    await cli.sts.send(new GetCallerIdentityCommand({}));
    await cli.events.send(new PutRuleCommand({ Name: "nightly-schedule", ScheduleExpression: "rate(1 day)" }));
    await cli.events.send(new DescribeRuleCommand({ Name: "nightly-schedule" }));
    await cli.sns.send(new CreateTopicCommand({ Name: "nightly-alerts" }));
    await cli.scheduler.send(
      new CreateScheduleCommand({
        Name: "nightly",
        ScheduleExpression: "cron(0 3 * * ? *)",
        ScheduleExpressionTimezone: "Europe/Paris",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: "arn:aws:scheduler:::aws-sdk:codebuild:startBuild",
          RoleArn: "arn:aws:iam::123456789012:role/scheduler",
          Input: JSON.stringify({ ProjectName: "nightly" }),
        },
      }),
    );
    await cli.scheduler.send(new GetScheduleCommand({ Name: "nightly" }));
    await aws.clients.iam.send(new ListRolesCommand({}));

    expect(aws.proxy.calls.map((call) => [call.service, call.action, call.write])).toEqual([
      ["sts", "GetCallerIdentity", false],
      ["events", "PutRule", true],
      ["events", "DescribeRule", false],
      ["sns", "CreateTopic", true],
      ["scheduler", "CreateSchedule", true],
      ["scheduler", "GetSchedule", false],
    ]);
    expect(aws.proxy.writes()).toHaveLength(3);
    expect(aws.proxy.reads()).toHaveLength(3);
    expect(aws.proxy.count({ service: "events" })).toBe(2);
    expect(aws.proxy.count({ action: /Schedule$/, write: false })).toBe(1);
    aws.proxy.resetCalls();
    expect(aws.proxy.calls).toEqual([]);
  });

  it("counts critical-path depth: parallel calls share a depth", async () => {
    aws.proxy.latencyMs = 50;
    await Promise.all([
      cli.sts.send(new GetCallerIdentityCommand({})),
      cli.codebuild.send(new ListProjectsCommand({})),
      cli.iam.send(new ListRolesCommand({})),
    ]);
    await cli.sts.send(new GetCallerIdentityCommand({}));
    expect(aws.proxy.calls.map((call) => call.depth).sort()).toEqual([1, 1, 1, 2]);
    expect(aws.proxy.maxDepth()).toBe(2);
    const slowest = Math.min(...aws.proxy.calls.map((call) => call.endedAt - call.startedAt));
    expect(slowest).toBeGreaterThanOrEqual(49);
  });

  it("tells listeners about each call as it completes", async () => {
    const seen: string[] = [];
    const unsubscribe = aws.proxy.onCall((call) => seen.push(call.action));
    await cli.sts.send(new GetCallerIdentityCommand({}));
    unsubscribe();
    await cli.sts.send(new GetCallerIdentityCommand({}));
    expect(seen).toEqual(["GetCallerIdentity"]);
  });
});

describe("faults", () => {
  it("throttles once, then the SDK's retry succeeds", async () => {
    aws.proxy.addFault({ service: "codebuild", action: "ListProjects", times: 1, fault: "throttle" });
    const answer = await cli.codebuild.send(new ListProjectsCommand({}));
    expect(answer.$metadata.attempts).toBe(2);
    expect(aws.proxy.calls.map((call) => [call.action, call.status, call.injected])).toEqual([
      ["ListProjects", 400, "throttle"],
      ["ListProjects", 200, undefined],
    ]);
  });

  it("throttles a query-protocol service the way the SDK recognises", async () => {
    const handle = aws.proxy.addFault({ service: "iam", times: 1, fault: "throttle" });
    const answer = await cli.iam.send(new ListRolesCommand({}));
    expect(answer.$metadata.attempts).toBe(2);
    expect(handle.hits).toBe(1);
  });

  it("throttles Scheduler (REST-JSON, HTTP 429) and Logs the way the SDK recognises", async () => {
    aws.proxy.addFault({ service: "scheduler", times: 1, fault: "throttle" });
    aws.proxy.addFault({ service: "logs", times: 1, fault: "throttle" });
    const schedules = await cli.scheduler.send(new ListSchedulesCommand({}));
    expect(schedules.$metadata.attempts).toBe(2);
    const groups = await cli.logs.send(new DescribeLogGroupsCommand({}));
    expect(groups.$metadata.attempts).toBe(2);
    expect(aws.proxy.calls.filter((call) => call.injected !== undefined).map((call) => [call.service, call.status])).toEqual([
      ["scheduler", 429],
      ["logs", 400],
    ]);
  });

  it("retries dropped connections and 5xx", async () => {
    aws.proxy.addFault({ service: "sts", times: 1, fault: "drop" });
    aws.proxy.addFault({ service: "sts", times: 1, fault: "http503" });
    const answer = await cli.sts.send(new GetCallerIdentityCommand({}));
    expect(answer.Account).toBe("123456789012");
    aws.proxy.addFault({ service: "codebuild", times: 1, fault: "http500" });
    await cli.codebuild.send(new ListProjectsCommand({}));
    expect(aws.proxy.calls.map((call) => [call.status, call.injected])).toEqual([
      [0, "drop"],
      [503, "http503"],
      [200, undefined],
      [500, "http500"],
      [200, undefined],
    ]);
  });

  it("denies access with AWS's error names per protocol", async () => {
    aws.proxy.addFault({ service: "codebuild", action: "CreateProject", fault: "accessDenied" });
    aws.proxy.addFault({ service: "iam", action: "GetRole", fault: "accessDenied" });
    const codebuildError = await createProject().catch((error: unknown) => error);
    expect(codebuildError).toMatchObject({ name: "AccessDeniedException" });
    expect(String((codebuildError as Error).message)).toBe(
      "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: codebuild:CreateProject on resource: " +
        "arn:aws:codebuild:us-east-1:123456789012:project/nightly because no identity-based policy allows the codebuild:CreateProject action",
    );
    await expect(cli.iam.send(new GetRoleCommand({ RoleName: "support-job-nightly-codebuild" }))).rejects.toMatchObject({
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
    // Not retried, and moto never saw the CreateProject.
    expect(aws.proxy.count({ action: "CreateProject" })).toBe(1);
    const { projects } = await aws.clients.codebuild.send(new ListProjectsCommand({}));
    expect(projects).toEqual([]);
  });

  it("reports the IAM-propagation error on CreateProject, then lets it through", async () => {
    aws.proxy.addFault({ service: "codebuild", action: "CreateProject", times: 1, fault: "rolePropagation" });
    await expect(createProject()).rejects.toMatchObject({
      name: "InvalidInputException",
      message: `CodeBuild is not authorized to perform: sts:AssumeRole on ${ROLE_ARN}`,
    });
    await createProject();
    expect(aws.proxy.count({ action: "CreateProject", injected: true })).toBe(1);
  });

  it("words the IAM-propagation refusal as each service does: Scheduler's ValidationException on CreateSchedule", async () => {
    aws.proxy.addFault({ service: "scheduler", action: "CreateSchedule", times: 1, fault: "rolePropagation" });
    const create = () =>
      cli.scheduler.send(
        new CreateScheduleCommand({
          Name: "propagation",
          ScheduleExpression: "rate(1 day)",
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: { Arn: `arn:aws:codebuild:us-east-1:123456789012:project/x`, RoleArn: ROLE_ARN },
        }),
      );
    await expect(create()).rejects.toMatchObject({
      name: "ValidationException",
      message: "The execution role you provide must allow AWS EventBridge Scheduler to assume the role.",
    });
    await create();
    expect(aws.proxy.count({ action: "CreateSchedule", injected: true })).toBe(1);
  });

  it("expires tokens, and answers custom faults as given", async () => {
    aws.proxy.addFault({ service: "events", fault: "expiredToken" });
    await expect(cli.events.send(new DescribeRuleCommand({ Name: "x" }))).rejects.toMatchObject({ name: "ExpiredTokenException" });
    aws.proxy.addFault({ service: "sns", fault: "expiredToken" });
    await expect(cli.sns.send(new CreateTopicCommand({ Name: "x" }))).rejects.toMatchObject({ name: "ExpiredToken" });
    aws.proxy.clearFaults();
    aws.proxy.addFault({
      service: "codebuild",
      fault: {
        status: 400,
        headers: { "content-type": "application/x-amz-json-1.1" },
        body: JSON.stringify({ __type: "AccountLimitExceededException", message: "Too many projects" }),
      },
    });
    await expect(cli.codebuild.send(new ListProjectsCommand({}))).rejects.toMatchObject({
      name: "AccountLimitExceededException",
      message: "Too many projects",
    });
  });

  it("loses StartBuild's answer after moto ran it: the SDK retry makes a second build without a token", async () => {
    await createProject();
    aws.proxy.addFault({ service: "codebuild", action: "StartBuild", times: 1, fault: "lostResponse" });
    await cli.codebuild.send(new StartBuildCommand({ projectName: "nightly" }));
    expect(aws.proxy.builds.ids("nightly")).toHaveLength(2);

    aws.proxy.addFault({ service: "codebuild", action: "StartBuild", times: 1, fault: "lostResponse" });
    await cli.codebuild.send(new StartBuildCommand({ projectName: "nightly", idempotencyToken: "once" }));
    expect(aws.proxy.builds.ids("nightly")).toHaveLength(3);
  });

  it("hangs a call until the client gives up", async () => {
    aws.proxy.addFault({ service: "sts", times: 1, fault: "hang" });
    const hung: string[] = [];
    aws.proxy.onCall((call) => {
      if (call.injected === "hang") hung.push(call.action);
    });
    const abort = new AbortController();
    const pending = cli.sts.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal });
    await expect.poll(() => hung).toEqual(["GetCallerIdentity"]);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});
