/**
 * What moto cannot do: UpdateProject (moto answers HTTP 500) and IAM's propagation delay. The real plan and
 * apply code runs; only the SDK's transport is replaced by aws-sdk-client-mock.
 */
import { BatchGetProjectsCommand, CodeBuildClient, CreateProjectCommand, UpdateProjectCommand, type Project } from "@aws-sdk/client-codebuild";
import {
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientsForMocks } from "../../helpers/mocked-clients.js";
import type { Clients } from "../../../src/aws/clients.js";
import { applyPlan, type ApplyEvents } from "../../../src/plan/apply.js";
import { projectResource } from "../../../src/resources/project.js";
import { alertSubscriptionResource } from "../../../src/resources/topic.js";
import { buildJobSpec } from "../../../src/desired/job.js";
import { TAG_KEY } from "../../../src/desired/names.js";
import { settings, WHERE } from "../desired/fixtures.js";

const codebuild = mockClient(CodeBuildClient);
let clients: Clients;

beforeAll(async () => {
  clients = await clientsForMocks();
});
afterEach(() => codebuild.reset());

function recorder() {
  const waits: string[] = [];
  const failures: string[] = [];
  const events: ApplyEvents = { start: () => undefined, done: () => undefined, waiting: (_s, m) => waits.push(m), failed: (_s, m) => failures.push(m) };
  const sleeps: number[] = [];
  return { events, waits, failures, sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

function deployed(spec: ReturnType<typeof buildJobSpec>, over: Partial<Project["environment"]> = {}): Project {
  return {
    name: spec.project.name,
    arn: spec.project.arn,
    description: spec.project.description,
    source: { ...spec.project.source },
    artifacts: { type: "NO_ARTIFACTS" },
    environment: { ...spec.project.environment, ...over } as Project["environment"],
    serviceRole: spec.project.serviceRole,
    timeoutInMinutes: 60,
    concurrentBuildLimit: 1,
    logsConfig: { cloudWatchLogs: { status: "ENABLED" } },
    tags: [{ key: TAG_KEY, value: spec.job }],
  };
}

const propagationError = () =>
  Object.assign(new Error("CodeBuild is not authorized to perform: sts:AssumeRole on arn:aws:iam::123456789012:role/support-job-nightly-cleanup-use1-build"), {
    name: "InvalidInputException",
  });

describe("updating a CodeBuild project (the path moto lacks)", () => {
  it("sends one UpdateProject with the new compute type when only the compute type changed", async () => {
    const spec = buildJobSpec(settings({ computeType: "BUILD_GENERAL1_MEDIUM" }), WHERE);
    codebuild.on(BatchGetProjectsCommand).resolves({ projects: [deployed(spec, { computeType: "BUILD_GENERAL1_SMALL" })] });
    codebuild.on(UpdateProjectCommand).resolves({});
    const current = await projectResource.read(spec, clients);
    const step = projectResource.plan(spec, current, { adopt: false });
    expect(step.action).toBe("update");
    expect(step.changes).toEqual([{ field: "compute type", from: "BUILD_GENERAL1_SMALL", to: "BUILD_GENERAL1_MEDIUM" }]);
    const r = recorder();
    await applyPlan({ spec, steps: [step] }, clients, r.events, { sleep: r.sleep });
    const calls = codebuild.commandCalls(UpdateProjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({ name: "nightly-cleanup", environment: { computeType: "BUILD_GENERAL1_MEDIUM", type: "LINUX_CONTAINER" } });
    expect(codebuild.commandCalls(CreateProjectCommand)).toHaveLength(0);
  });

  it("plans nothing for a project that already matches", async () => {
    const spec = buildJobSpec(settings(), WHERE);
    codebuild.on(BatchGetProjectsCommand).resolves({ projects: [deployed(spec)] });
    const step = projectResource.plan(spec, await projectResource.read(spec, clients), { adopt: false });
    expect(step).toMatchObject({ action: "unchanged", changes: [] });
  });

  it("refuses to touch a project with the job's name that support-job did not create", async () => {
    const spec = buildJobSpec(settings(), WHERE);
    codebuild.on(BatchGetProjectsCommand).resolves({ projects: [{ ...deployed(spec), tags: [] }] });
    const step = projectResource.plan(spec, await projectResource.read(spec, clients), { adopt: false });
    expect(step.action).toBe("conflict");
    expect(step.notes[0]).toMatch(/not created by support-job.*--adopt/);
    const adopted = projectResource.plan(spec, await projectResource.read(spec, clients), { adopt: true });
    expect(adopted.action).toBe("update");
    expect(adopted.changes).toContainEqual({ field: `tag ${TAG_KEY}`, from: "(none)", to: "nightly-cleanup" });
  });
});

describe("a role CodeBuild cannot assume yet (IAM propagation)", () => {
  it("retries CreateProject with backoff and says it is waiting, then succeeds", async () => {
    const spec = buildJobSpec(settings(), WHERE);
    codebuild.on(BatchGetProjectsCommand).resolves({ projects: [] });
    codebuild
      .on(CreateProjectCommand)
      .rejectsOnce(propagationError())
      .rejectsOnce(propagationError())
      .resolves({ project: { name: "nightly-cleanup" } });
    const step = projectResource.plan(spec, await projectResource.read(spec, clients), { adopt: false });
    const r = recorder();
    await applyPlan({ spec, steps: [step] }, clients, r.events, { sleep: r.sleep });
    expect(codebuild.commandCalls(CreateProjectCommand)).toHaveLength(3);
    expect(r.sleeps).toEqual([1000, 2000]);
    expect(r.waits).toHaveLength(2);
    expect(r.waits[0]).toMatch(/waiting for the new IAM role/);
  });

  it("gives up after about two minutes and names the resource", async () => {
    const spec = buildJobSpec(settings(), WHERE);
    codebuild.on(CreateProjectCommand).rejects(propagationError());
    const step = projectResource.plan(spec, undefined, { adopt: false });
    const r = recorder();
    await expect(applyPlan({ spec, steps: [step] }, clients, r.events, { sleep: r.sleep })).rejects.toThrow(
      /Creating the CodeBuild project nightly-cleanup failed.*not authorized to perform: sts:AssumeRole/,
    );
    const waited = r.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(120_000);
    expect(waited).toBeLessThan(135_000);
  });

  it("does not retry other invalid-input errors", async () => {
    const spec = buildJobSpec(settings(), WHERE);
    codebuild.on(CreateProjectCommand).rejects(Object.assign(new Error("Invalid compute type"), { name: "InvalidInputException" }));
    const r = recorder();
    await expect(applyPlan({ spec, steps: [projectResource.plan(spec, undefined, { adopt: false })] }, clients, r.events, { sleep: r.sleep })).rejects.toThrow(
      /Invalid compute type/,
    );
    expect(codebuild.commandCalls(CreateProjectCommand)).toHaveLength(1);
    expect(r.sleeps).toEqual([]);
  });
});

describe("a new alert email that is still pending confirmation (moto confirms at once; AWS never does)", () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());
  const spec = buildJobSpec(settings({ email: "oncall@example.com" }), WHERE);
  const topic = spec.arns.alertTopic;
  const confirmed = (email: string) => ({ Protocol: "email", Endpoint: email, TopicArn: topic, SubscriptionArn: `${topic}:${email.split("@")[0]}` });
  const pending = (email: string) => ({ Protocol: "email", Endpoint: email, TopicArn: topic, SubscriptionArn: "PendingConfirmation" });
  const account = (subs: ReturnType<typeof confirmed>[], recorded: string) => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: subs });
    sns.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: TAG_KEY, Value: spec.job },
        { Key: "support-job:email", Value: recorded },
      ],
    });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: "pending confirmation" });
    sns.on(TagResourceCommand).resolves({});
    sns.on(UnsubscribeCommand).resolves({});
  };
  const run = async () => {
    const step = alertSubscriptionResource.plan(spec, await alertSubscriptionResource.read(spec, clients), { adopt: false });
    const r = recorder();
    const result = await applyPlan({ spec, steps: [step] }, clients, r.events, { sleep: r.sleep });
    return { step, result };
  };
  const tagged = () => sns.commandCalls(TagResourceCommand).map((c) => c.args[0].input.Tags);

  it("keeps the old address subscribed while the new one is pending, and remembers both", async () => {
    account([confirmed("ops@example.com"), confirmed("manager@example.com")], "ops@example.com");
    const { step, result } = await run();
    expect(step.changes).toContainEqual({ field: "old subscription", from: "ops@example.com", to: "(unsubscribed once oncall@example.com confirms)" });
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(1);
    expect(result.details.get("alertSubscription")).toBe("pending");
    expect(sns.commandCalls(UnsubscribeCommand)).toEqual([]);
    expect(tagged()).toEqual([[{ Key: "support-job:email", Value: "oncall@example.com ops@example.com" }]]);
  });

  it("while it is still pending, a re-run changes nothing and says the old address keeps the alerts", async () => {
    account([confirmed("ops@example.com"), pending("oncall@example.com"), confirmed("manager@example.com")], "oncall@example.com ops@example.com");
    const { step } = await run();
    expect(step.action).toBe("unchanged");
    expect(step.notes.join("\n")).toMatch(
      /oncall@example\.com has not confirmed[\s\S]*ops@example\.com keeps receiving alerts until oncall@example\.com confirms/,
    );
    expect(sns.commandCalls(SubscribeCommand)).toEqual([]);
    expect(sns.commandCalls(UnsubscribeCommand)).toEqual([]);
  });

  it("once it is confirmed, unsubscribes the old address it made, never a subscriber added by hand", async () => {
    account([confirmed("ops@example.com"), confirmed("oncall@example.com"), confirmed("manager@example.com")], "oncall@example.com ops@example.com");
    await run();
    expect(sns.commandCalls(UnsubscribeCommand).map((c) => c.args[0].input.SubscriptionArn)).toEqual([`${topic}:ops`]);
    expect(tagged()).toEqual([[{ Key: "support-job:email", Value: "oncall@example.com" }]]);
  });
});
