/**
 * Alerts to chat (--alert-webhook) against moto through the test proxy: per webhook an EventBridge connection and
 * API destination, the chat role, one more alert rule target per webhook whose own InputPathsMap/InputTemplate
 * render each service's body from a sample FAILED event; a second init is 0 writes; the URL's secret part is in
 * neither support-job.json nor any output (--debug and --json included); destroy removes them.
 * moto cannot deliver to an API destination: what the webhook receives is the target's transformer rendered
 * here, the way EventBridge fills it (desired/chat.ts renderInputTemplate).
 */
import {
  CreateConnectionCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { jobFlags, ACCOUNT, JOB } from "../../helpers/constants.js";
import { renderInputTemplate } from "../../../src/desired/chat.js";

const SECRETS = {
  slack: "T0SECRET1/B0SECRET2/xoxSECRETslack",
  teams: "SECRETteamsSig",
  discord: "SECRETdiscordToken",
  generic: "SECRETgenericToken",
};
const URLS = {
  slack: `https://hooks.slack.com/services/${SECRETS.slack}`,
  teams: `https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${SECRETS.teams}`,
  discord: `https://discord.com/api/webhooks/123456789/${SECRETS.discord}`,
  generic: `https://alerts.example.com/hooks/support?token=${SECRETS.generic}`,
};
const RULE = `support-job-${JOB}-alerts`;
const LOG_LINK = "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/nightly-cleanup;stream=abc";
const FAILED_EVENT = {
  "detail-type": "CodeBuild Build State Change",
  source: "aws.codebuild",
  account: ACCOUNT,
  time: "2026-11-30T03:04:05Z",
  region: "us-east-1",
  detail: {
    "build-status": "FAILED",
    "project-name": JOB,
    "build-id": `arn:aws:codebuild:us-east-1:${ACCOUNT}:build/${JOB}:abc`,
    "current-phase": "BUILD",
    "current-phase-context": '[: "quote" \\ ]',
    "additional-information": { logs: { "deep-link": LOG_LINK } },
  },
};

const aws = useLocalAws();
let cwd: string;
const outputs: string[] = [];
const cli = async (args: string[]) => {
  const run = await runCli(args, { env: aws.env, cwd });
  outputs.push(run.stdout, run.stderr);
  return run;
};
const webhookFlags = Object.entries(URLS).flatMap(([, url]) => ["--alert-webhook", url]);

beforeAll(async () => {
  await aws.reset();
  cwd = mkdtempSync(join(tmpdir(), "support-job-chat-"));
  const run = await cli(["--debug", "init", "--yes", ...jobFlags(JOB, webhookFlags)]);
  expect(run.code, run.stderr).toBe(0);
});

describe("init --alert-webhook", () => {
  it("creates a connection, an API destination and a rule target per webhook, and the chat role scoped to them", async () => {
    const { events, iam } = aws.clients;
    const saved = JSON.parse(readFileSync(join(cwd, "support-job.json"), "utf8")) as { jobs: Record<string, { alertWebhooks?: string[] }> };
    const keys = saved.jobs[JOB]?.alertWebhooks ?? [];
    expect(keys.map((k) => k.replace(/-[0-9a-f]{8}$/, ""))).toEqual(["slack", "teams", "discord", "generic"]);

    const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: RULE }))).Targets ?? [];
    expect(targets.map((t) => t.Id).sort()).toEqual(["support-job-alert-topic", ...keys.map((k) => `support-job-chat-${k}`)].sort());
    const role = await iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-chat` }));
    expect(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ""))).toMatchObject({
      Statement: [{ Principal: { Service: "events.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }],
    });
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: `support-job-${JOB}-use1-chat`, PolicyName: "support-job-invoke-webhooks" }));
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument ?? ""))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["events:InvokeApiDestination"],
          Resource: keys.map((k) => `arn:aws:events:us-east-1:${ACCOUNT}:api-destination/support-job-${JOB}-${k}/*`),
        },
      ],
    });

    for (const [i, kind] of (["slack", "teams", "discord", "generic"] as const).entries()) {
      const name = `support-job-${JOB}-${keys[i]}`;
      const connection = await events.send(new DescribeConnectionCommand({ Name: name }));
      expect(connection).toMatchObject({
        AuthorizationType: "API_KEY",
        Description: `support-job:job=${JOB}: alerts of support-job job ${JOB} to a chat webhook`,
      });
      const destination = await events.send(new DescribeApiDestinationCommand({ Name: name }));
      expect(destination).toMatchObject({ ConnectionArn: connection.ConnectionArn, InvocationEndpoint: URLS[kind], HttpMethod: "POST" });
      expect(Number(destination.InvocationRateLimitPerSecond)).toBe(1);
      const target = targets.find((t) => t.Id === `support-job-chat-${keys[i]}`);
      expect(target).toMatchObject({ Arn: destination.ApiDestinationArn, RoleArn: `arn:aws:iam::${ACCOUNT}:role/support-job-${JOB}-use1-chat` });
      // What the webhook receives, from the target's own transformer as AWS holds it.
      const transformer = { InputPathsMap: target?.InputTransformer?.InputPathsMap ?? {}, InputTemplate: target?.InputTransformer?.InputTemplate ?? "" };
      const body = JSON.parse(renderInputTemplate(transformer, FAILED_EVENT)) as Record<string, unknown>;
      const text = JSON.stringify(body);
      expect(text).toContain("the run ended FAILED");
      expect(text).toContain(LOG_LINK);
      if (kind === "slack") expect(Object.keys(body)).toEqual(["text"]);
      if (kind === "discord") expect(body).toMatchObject({ content: expect.stringContaining("nightly-cleanup"), allowed_mentions: { parse: [] } });
      if (kind === "teams")
        expect(body).toMatchObject({
          type: "message",
          attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard" } }],
        });
      if (kind === "generic") expect(body).toMatchObject({ source: "support-job", job: JOB, status: "FAILED", phase: "BUILD", logs: LOG_LINK });
    }
  });

  it("a second init (from support-job.json, no URL given) is 0 writes; with the URLs given again, also 0", async () => {
    aws.proxy.resetCalls();
    const again = await cli(["--debug", "init", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
    const withUrls = await cli(["--json", "init", "--yes", ...jobFlags(JOB, webhookFlags)]);
    expect(withUrls.code, withUrls.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
  });

  it("status, plan and --dry-run show the webhooks by key and host only", async () => {
    expect((await cli(["status"])).code).toBe(0);
    expect((await cli(["--json", "status"])).code).toBe(0);
    const dry = await cli([
      "init",
      "--yes",
      "--dry-run",
      ...jobFlags(JOB, ["--alert-webhook", "https://hooks.slack.com/services/T0SECRET1/B0SECRET2/xoxOTHERsecret"]),
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout + dry.stderr).toMatch(/chat webhooks/);
    expect(dry.stdout + dry.stderr).toContain("https://hooks.slack.com/…");
    expect(dry.stdout + dry.stderr).not.toContain("xoxOTHERsecret");
  });

  it("test-alert checks each webhook's chain and says what it proves (delivery itself is not visible, nor emulated by moto)", async () => {
    aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    const run = await cli(["test-alert"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Expect the alert email at");
    expect(run.stdout).toMatch(/Expect a chat message through discord-[0-9a-f]{8}, generic-[0-9a-f]{8}, slack-[0-9a-f]{8}, teams-[0-9a-f]{8} within a minute/);
    expect(run.stdout).toContain("cannot see whether the chat service accepted the post");

    // A webhook whose rule target is gone is named, with the fix.
    const saved = JSON.parse(readFileSync(join(cwd, "support-job.json"), "utf8")) as { jobs: Record<string, { alertWebhooks: string[] }> };
    const slack = saved.jobs[JOB]!.alertWebhooks[0]!;
    await aws.clients.events.send(new RemoveTargetsCommand({ Rule: RULE, Ids: [`support-job-chat-${slack}`] }));
    aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    const json = await cli(["--json", "test-alert"]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toContain(`chat webhook ${slack} has no alert rule target, so the alert cannot reach it`);
    expect((JSON.parse(json.stdout) as { alert: { chatWebhooks: string[] } }).alert.chatWebhooks).toHaveLength(3);
    // status reports the missing target as drift of the chat webhooks.
    const status = await cli(["--json", "status"]);
    expect(status.code, status.stderr).toBe(0);
    const drift = JSON.stringify((JSON.parse(status.stdout) as { drift: unknown }).drift);
    expect(drift).toContain("chat webhooks");
    expect(drift).toContain(`${slack} alert rule target`);
    // init puts it back, and only it.
    aws.proxy.resetCalls();
    expect((await cli(["init", "--yes"])).code).toBe(0);
    expect(aws.proxy.writes().map((c) => c.action)).toEqual(["PutTargets"]);
  });

  it("--no-alert-webhook removes the targets, API destinations, connections and the chat role", async () => {
    aws.proxy.resetCalls();
    const run = await cli(["init", "--yes", "--no-alert-webhook"]);
    expect(run.code, run.stderr).toBe(0);
    const writes = aws.proxy.writes().map((c) => c.action);
    expect(writes.filter((w) => w === "DeleteApiDestination")).toHaveLength(4);
    expect(writes.filter((w) => w === "DeleteConnection")).toHaveLength(4);
    expect(writes.indexOf("RemoveTargets")).toBeLessThan(writes.indexOf("DeleteApiDestination"));
    expect(writes).toContain("DeleteRole");
    const targets = (await aws.clients.events.send(new ListTargetsByRuleCommand({ Rule: RULE }))).Targets ?? [];
    expect(targets.map((t) => t.Id)).toEqual(["support-job-alert-topic"]);
  });
  it("never writes or prints a webhook URL's secret part (every run above: init --debug, --json, status, --dry-run, test-alert, removal)", () => {
    const file = readFileSync(join(cwd, "support-job.json"), "utf8");
    for (const secret of [...Object.values(SECRETS), "xoxOTHERsecret"]) {
      expect(file).not.toContain(secret);
      for (const text of outputs) expect(text).not.toContain(secret);
    }
  });
});

describe("destroy with chat webhooks", () => {
  it("deletes the job's connections and API destinations (after the rule) and the chat role; leaves another's alone", async () => {
    await aws.reset();
    cwd = mkdtempSync(join(tmpdir(), "support-job-chat-destroy-"));
    const { events } = aws.clients;
    // Someone else's connection whose name looks like one of the job's: its Description does not name the job.
    const foreign = `support-job-${JOB}-generic-0123abcd`;
    await events.send(
      new CreateConnectionCommand({
        Name: foreign,
        Description: "made by hand",
        AuthorizationType: "API_KEY",
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-key", ApiKeyValue: "v" } },
      }),
    );
    expect((await cli(["init", "--yes", ...jobFlags(JOB, ["--alert-webhook", URLS.slack])])).code).toBe(0);
    aws.proxy.resetCalls();
    const run = await cli(["destroy", "--yes"]);
    expect(run.code, run.stderr).toBe(0);
    // Its thorough read lists the job's API destinations once, for the chat webhooks and the alarm chat rule alike.
    expect(aws.proxy.count({ service: "events", action: "ListApiDestinations" })).toBe(1);
    expect(run.stdout).toMatch(/- delete {2}chat webhook +support-job-nightly-cleanup-slack-[0-9a-f]{8} \(connection; API destination\)/);
    expect(run.stdout).toMatch(/chat webhooks role +support-job-nightly-cleanup-use1-chat/);
    expect(run.stdout + run.stderr).toContain(foreign);
    const left = (await events.send(new ListConnectionsCommand({}))).Connections ?? [];
    expect(left.map((c) => c.Name)).toEqual([foreign]);
    expect((await events.send(new ListApiDestinationsCommand({}))).ApiDestinations ?? []).toEqual([]);
    for (const text of outputs) expect(text).not.toContain(SECRETS.slack);
  });
});

describe("a job without webhooks: its chat reads are gated by ListConnections and the alert rule's own targets", () => {
  it("status makes no chat-role or API-destination read, yet shows a connection of the job added outside support-job as drift", async () => {
    await aws.reset();
    cwd = mkdtempSync(join(tmpdir(), "support-job-chat-none-"));
    expect((await cli(["init", "--yes", ...jobFlags(JOB)])).code).toBe(0);
    aws.proxy.resetCalls();
    const quiet = await cli(["status"]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/Drift +none/);
    const reads = aws.proxy.reads().map((c) => `${c.service}:${c.action}`);
    expect(reads.filter((r) => r === "events:ListConnections")).toHaveLength(1);
    expect(reads.filter((r) => r === "events:ListApiDestinations" || (r.startsWith("events:Describe") && r !== "events:DescribeRule"))).toEqual([]);
    // One GetRole per role read: the service, schedule, scheduler and try roles; not the chat role (nor the three old
    // names, which status leaves to init).
    expect(reads.filter((r) => r === "iam:GetRole")).toHaveLength(4);
    // The alert rule's targets are read once, for the rule and the chat webhooks alike.
    expect(reads.filter((r) => r === "events:ListTargetsByRule")).toHaveLength(2);

    await aws.clients.events.send(
      new CreateConnectionCommand({
        Name: `support-job-${JOB}-slack-0123abcd`,
        Description: `support-job:job=${JOB}: left behind`,
        AuthorizationType: "API_KEY",
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-support-job", ApiKeyValue: "alert" } },
      }),
    );
    const drift = await cli(["status"]);
    expect(drift.code, drift.stderr).toBe(0);
    expect(drift.stdout).toMatch(/resource differs[\s\S]*chat webhooks/);
  });

  it("destroy still finds a chat role left behind on its own (its read is thorough) and deletes it", async () => {
    // No connection, no chat target: nothing but the role says the job had chat webhooks.
    await aws.clients.events.send(new DeleteConnectionCommand({ Name: `support-job-${JOB}-slack-0123abcd` }));
    const RoleName = `support-job-${JOB}-use1-chat`;
    await aws.clients.iam.send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        Tags: [
          { Key: "support-job:job", Value: JOB },
          { Key: "support-job:region", Value: "us-east-1" },
        ],
      }),
    );
    const run = await cli(["destroy", "--yes"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/chat webhooks role +support-job-nightly-cleanup-use1-chat/);
    await expect(aws.clients.iam.send(new GetRoleCommand({ RoleName }))).rejects.toMatchObject({ name: "NoSuchEntityException" });
  });
});

describe("a job read back from AWS (no support-job.json)", () => {
  it("keeps its chat webhooks by key: init --name in an empty folder changes nothing and saves the keys", async () => {
    await aws.reset();
    cwd = mkdtempSync(join(tmpdir(), "support-job-chat-deployed-"));
    expect((await cli(["init", "--yes", ...jobFlags(JOB, ["--alert-webhook", URLS.discord])])).code).toBe(0);
    const key = (JSON.parse(readFileSync(join(cwd, "support-job.json"), "utf8")) as { jobs: Record<string, { alertWebhooks: string[] }> }).jobs[JOB]!
      .alertWebhooks[0];
    cwd = mkdtempSync(join(tmpdir(), "support-job-chat-elsewhere-"));
    aws.proxy.resetCalls();
    const run = await cli(["init", "--yes", ...jobFlags(JOB)]);
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
    expect(readFileSync(join(cwd, "support-job.json"), "utf8")).toContain(`"${key}"`);
    for (const text of outputs) expect(text).not.toContain(SECRETS.discord);
  });
});

describe("an AWS error that quotes the URL", () => {
  it("is shown with the webhook's host only, in the message and in --debug's stack", async () => {
    await aws.reset();
    cwd = mkdtempSync(join(tmpdir(), "support-job-chat-error-"));
    // AWS's validation errors quote the value they refuse ("Value '…' at '…' failed to satisfy constraint").
    aws.proxy.addFault({
      service: "events",
      action: "CreateApiDestination",
      fault: {
        status: 400,
        headers: { "content-type": "application/x-amz-json-1.1" },
        body: JSON.stringify({
          __type: "ValidationException",
          message: `1 validation error detected: Value '${URLS.generic}' at 'invocationEndpoint' failed to satisfy constraint: Member must satisfy regular expression pattern`,
        }),
      },
    });
    const run = await runCli(["--debug", "init", "--yes", ...jobFlags(JOB, ["--alert-webhook", URLS.generic])], { env: aws.env, cwd });
    aws.proxy.clearFaults();
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("Value 'https://alerts.example.com/…' at 'invocationEndpoint'");
    expect(run.stderr).toMatch(/^\s{4}at /m);
    expect(run.stdout + run.stderr).not.toContain(SECRETS.generic);
  });
});
