/** `support-job init --yes` against a real AWS API (moto) through the test proxy, read back with the SDK. */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeRuleCommand, ListTargetsByRuleCommand, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListPolicyVersionsCommand } from "@aws-sdk/client-iam";
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTagsForResourceCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateProjectCommand } from "@aws-sdk/client-codebuild";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { savedJob } from "../../helpers/job.js";
import { ACCOUNT, INIT_FLAGS, JOB } from "../../helpers/constants.js";

const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:support-job-${JOB}-alerts`;

const aws = useLocalAws();
let cwd: string;
const init = (args: readonly string[] = []) => runCli(["init", "--yes", ...args], { env: aws.env, cwd });
const decode = (text: string | undefined) => JSON.parse(text!.startsWith("%") ? decodeURIComponent(text!) : text!) as Record<string, unknown>;

beforeEach(async () => {
  await aws.reset();
  cwd = mkdtempSync(join(tmpdir(), "support-job-init-"));
});

describe("a fresh init", () => {
  it("creates every resource with least-privilege policies, tags and the job's settings", async () => {
    const run = await init(INIT_FLAGS);
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code, run.stderr).toBe(0);
    const { iam, codebuild, events, sns } = aws.clients;

    // The service role: trusted by CodeBuild for this project only; writes only its own logs; reads only its parameter.
    const role = (await iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-build` }))).Role!;
    expect(role.Tags).toContainEqual({ Key: "support-job:job", Value: JOB });
    expect(decode(role.AssumeRolePolicyDocument)).toMatchObject({
      Statement: [
        {
          Principal: { Service: "codebuild.amazonaws.com" },
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOB}` } },
        },
      ],
    });
    const base = decode((await iam.send(new GetRolePolicyCommand({ RoleName: role.RoleName, PolicyName: "support-job-base" }))).PolicyDocument);
    expect(base.Statement).toEqual([
      expect.objectContaining({
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${JOB}`, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${JOB}:*`],
      }),
      expect.objectContaining({ Action: ["ssm:GetParameters"], Resource: [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/cleanup/db-password`] }),
      // A buildspec `reports:` section: only report groups named <job>-*.
      expect.objectContaining({ Sid: "WriteOwnTestReports", Resource: [`arn:aws:codebuild:us-east-1:${ACCOUNT}:report-group/${JOB}-*`] }),
    ]);

    // The project.
    const project = (await codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects![0]!;
    expect(project.source).toMatchObject({
      type: "GITHUB",
      location: "https://github.com/acme/ops-scripts.git",
      buildspec: "jobs/cleanup/buildspec.yml",
      gitCloneDepth: 1,
    });
    expect(project.sourceVersion).toBe("support-jobs");
    expect(project.environment).toMatchObject({ type: "LINUX_CONTAINER", computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/standard:7.0" });
    expect(project.environment!.environmentVariables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "STAGE", value: "prod", type: "PLAINTEXT" }),
        expect.objectContaining({ name: "DB_PASSWORD", value: "/cleanup/db-password", type: "PARAMETER_STORE" }),
      ]),
    );
    expect(project.serviceRole).toBe(role.Arn);
    expect(project.timeoutInMinutes).toBe(60);
    expect(project.artifacts?.type).toBe("NO_ARTIFACTS");
    expect(project.tags).toContainEqual({ key: "support-job:job", value: JOB });

    // The schedule: a rule that starts the project through a role that may only start it.
    const rule = await events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-schedule` }));
    expect(rule).toMatchObject({ ScheduleExpression: "cron(0 3 * * ? *)", State: "ENABLED" });
    const [scheduleTarget] = (await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }))).Targets!;
    expect(scheduleTarget).toMatchObject({ Arn: project.arn, RoleArn: `arn:aws:iam::${ACCOUNT}:role/support-job-${JOB}-use1-start` });
    const startRole = (await iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-start` }))).Role!;
    expect(decode(startRole.AssumeRolePolicyDocument)).toMatchObject({
      Statement: [{ Principal: { Service: "events.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }],
    });
    const start = decode((await iam.send(new GetRolePolicyCommand({ RoleName: startRole.RoleName, PolicyName: "support-job-start-build" }))).PolicyDocument);
    expect(start.Statement).toEqual([{ Effect: "Allow", Action: ["codebuild:StartBuild"], Resource: [project.arn] }]);

    // The alerts: topic policy for EventBridge, the email subscription, the failure rule with a readable message.
    const topic = await sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN }));
    expect(decode(topic.Attributes!.Policy).Statement).toEqual([
      expect.objectContaining({ Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: TOPIC_ARN }),
    ]);
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TOPIC_ARN }))).Tags).toContainEqual({ Key: "support-job:job", Value: JOB });
    const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions!;
    expect(subs.map((s) => [s.Protocol, s.Endpoint])).toEqual([["email", "ops@example.com"]]);
    const alertRule = await events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-alerts` }));
    expect(JSON.parse(alertRule.EventPattern!)).toEqual({
      source: ["aws.codebuild"],
      "detail-type": ["CodeBuild Build State Change"],
      detail: { "build-status": ["FAILED", "STOPPED", "TIMED_OUT", "FAULT"], "project-name": [JOB] },
    });
    const [alertTarget] = (await events.send(new ListTargetsByRuleCommand({ Rule: alertRule.Name }))).Targets!;
    expect(alertTarget!.Arn).toBe(TOPIC_ARN);
    expect(alertTarget!.RoleArn).toBeUndefined();
    const message = renderTransformer(alertTarget!.InputTransformer!, SAMPLE_EVENT);
    expect(message.split("\n")).toEqual([
      `"Support job ${JOB}: the run ended FAILED at 2026-11-26T03:04:05Z (UTC)."`,
      `"Phase: BUILD [ClientError: exit status 1]"`,
      `"Logs: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/${JOB};stream=abc"`,
      `"Run: arn:aws:codebuild:us-east-1:${ACCOUNT}:build/${JOB}:abc"`,
      `"See every run with: support-job status --name ${JOB}"`,
    ]);

    // Saved settings re-apply the same job, and hold no secret value.
    const saved = savedJob(cwd);
    expect(saved).toMatchObject({ name: JOB, schedule: "cron(0 3 * * ? *)", env: ["STAGE=prod", "DB_PASSWORD=ssm:/cleanup/db-password"], region: "us-east-1" });
  });

  it("refuses to take over a project with the job's name that it did not create", async () => {
    await aws.clients.codebuild.send(
      new CreateProjectCommand({
        name: JOB,
        source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: { type: "LINUX_CONTAINER", computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/standard:7.0" },
        serviceRole: `arn:aws:iam::${ACCOUNT}:role/someone-elses`,
      }),
    );
    const run = await init(INIT_FLAGS);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CodeBuild project nightly-cleanup already exists and was not created by support-job.*--adopt/);
    expect(aws.proxy.writes()).toEqual([]);
  });
});

describe("re-running init", () => {
  beforeEach(async () => {
    const first = await init(INIT_FLAGS);
    expect(first.code, first.stderr).toBe(0);
    aws.proxy.resetCalls();
  });

  it("with the same settings makes no write calls, says nothing changed, and shows the job's runs", async () => {
    await aws.proxy.builds.createHistory(JOB, [
      { status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 2" } },
    ]);
    const run = await init();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Nothing to change");
    expect(run.stdout).toMatch(/Alerts\s+ops@example\.com · confirmed/);
    expect(run.stdout).toMatch(/Last 1 run/);
    expect(run.stdout).toContain("exit status 2");
    expect(aws.proxy.writes().map((c) => c.action)).toEqual([]);
    expect(aws.proxy.reads().length).toBeGreaterThan(0);
  });

  it("with a new schedule updates only the schedule rule", async () => {
    const run = await init(["--schedule", "rate(6 hours)"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/schedule: cron\(0 3 \* \* \? \*\) → rate\(6 hours\)/);
    expect(aws.proxy.writes().map((c) => `${c.service}.${c.action}`)).toEqual(["events.PutRule"]);
    const rule = await aws.clients.events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-schedule` }));
    expect(rule.ScheduleExpression).toBe("rate(6 hours)");
  });

  it("keeps a paused schedule paused when the schedule changes", async () => {
    await aws.clients.events.send(
      new PutRuleCommand({
        Name: `support-job-${JOB}-schedule`,
        ScheduleExpression: "cron(0 3 * * ? *)",
        State: "DISABLED",
        Description: `support-job ${JOB}: starts the job on its schedule`,
      }),
    );
    aws.proxy.resetCalls();
    const run = await init(["--schedule", "rate(2 days)"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rate\(2 days\): every 2 days · DISABLED \(paused/);
    const rule = await aws.clients.events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-schedule` }));
    expect(rule).toMatchObject({ ScheduleExpression: "rate(2 days)", State: "DISABLED" });
  });

  it("with a new compute type updates only the project", async () => {
    const run = await init(["--compute-type", "BUILD_GENERAL1_MEDIUM"]);
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.writes().map((c) => `${c.service}.${c.action}`)).toEqual(["codebuild.UpdateProject"]);
    const project = (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects![0]!;
    expect(project.environment?.computeType).toBe("BUILD_GENERAL1_MEDIUM");
  });

  it("with a new plain env var updates only the project", async () => {
    const run = await init(["--env", "STAGE=staging", "--env", "DB_PASSWORD=ssm:/cleanup/db-password"]);
    expect(run.code, run.stderr).toBe(0);
    // A plaintext value may be a secret set by hand: the plan says it differs, never what it is.
    expect(run.stdout).toContain("env STAGE: plaintext value (hidden) → a different plaintext value (hidden)");
    expect(run.stdout).not.toMatch(/\bprod\b|\bstaging\b/);
    expect(aws.proxy.writes().map((c) => `${c.service}.${c.action}`)).toEqual(["codebuild.UpdateProject"]);
  });

  it("with a new email subscribes it, then removes the old confirmed subscription", async () => {
    const run = await init(["--email", "oncall@example.com"]);
    expect(run.code, run.stderr).toBe(0);
    // Subscribe, remember the new address on the topic, then drop the old one.
    expect(aws.proxy.writes().map((c) => `${c.service}.${c.action}`)).toEqual(["sns.Subscribe", "sns.TagResource", "sns.Unsubscribe"]);
    const subs = (await aws.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions!;
    expect(subs.map((s) => s.Endpoint)).toEqual(["oncall@example.com"]);
  });

  it("leaves email subscribers added by hand alone, through a re-run and an email change, and says which one it manages", async () => {
    const { sns } = aws.clients;
    await sns.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol: "email", Endpoint: "manager@example.com" }));
    await sns.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol: "email", Endpoint: "o'brien@example.com" }));
    aws.proxy.resetCalls();
    const again = await init();
    expect(again.code, again.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);

    const run = await init(["--email", "oncall@example.com"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/manager@example\.com.*unsubscribed|o'brien/);
    const endpoints = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions!.map((s) => s.Endpoint).sort();
    expect(endpoints).toEqual(["manager@example.com", "o'brien@example.com", "oncall@example.com"]);
    const tags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: TOPIC_ARN }))).Tags!;
    expect(tags).toContainEqual({ Key: "support-job:email", Value: "oncall@example.com" });

    // Back to ops@: only oncall@, the address support-job subscribed, is removed.
    expect((await init(["--email", "ops@example.com"])).code).toBe(0);
    const after = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions!.map((s) => s.Endpoint).sort();
    expect(after).toEqual(["manager@example.com", "o'brien@example.com", "ops@example.com"]);
  });

  it("with a policy file creates one managed policy, attaches it, and versions it when the file changes", async () => {
    const policy = (bucket: string) => ({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }],
    });
    writeFileSync(join(cwd, "policy.json"), JSON.stringify(policy("reports")));
    expect((await init(["--policy-file", "policy.json"])).code).toBe(0);
    const arn = `arn:aws:iam::${ACCOUNT}:policy/support-job-${JOB}-use1-permissions`;
    const attached = (await aws.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `support-job-${JOB}-use1-build` }))).AttachedPolicies!;
    expect(attached.map((p) => p.PolicyArn)).toEqual([arn]);

    writeFileSync(join(cwd, "policy.json"), JSON.stringify(policy("exports")));
    aws.proxy.resetCalls();
    const run = await init();
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.writes().map((c) => c.action)).toEqual(["CreatePolicyVersion"]);
    const versions = (await aws.clients.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
    const current = versions.find((v) => v.IsDefaultVersion)!;
    const doc = decode((await aws.clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: current.VersionId }))).PolicyVersion!.Document);
    expect(doc).toEqual(policy("exports"));
  });

  it("without the policy file any more, detaches and deletes the job's managed policy", async () => {
    writeFileSync(
      join(cwd, "policy.json"),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }] }),
    );
    expect((await init(["--policy-file", "policy.json"])).code).toBe(0);
    aws.proxy.resetCalls();
    const run = await init(["--policy-file", ""]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/- delete\s+job permissions policy/);
    const writes = aws.proxy.writes().map((c) => c.action);
    expect(writes.indexOf("DetachRolePolicy")).toBeLessThan(writes.indexOf("DeletePolicy"));
    const attached = (await aws.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `support-job-${JOB}-use1-build` }))).AttachedPolicies!;
    expect(attached).toEqual([]);
    await expect(
      aws.clients.iam.send(new ListPolicyVersionsCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/support-job-${JOB}-use1-permissions` })),
    ).rejects.toThrow();
  });

  it("--dry-run shows the change and makes no write", async () => {
    const run = await init(["--dry-run", "--timeout", "120"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("timeout (minutes): 60 → 120");
    expect(aws.proxy.writes()).toEqual([]);
  });
});

const SAMPLE_EVENT = {
  time: "2026-11-26T03:04:05Z",
  detail: {
    "build-status": "FAILED",
    "project-name": JOB,
    "build-id": `arn:aws:codebuild:us-east-1:${ACCOUNT}:build/${JOB}:abc`,
    "current-phase": "BUILD",
    "current-phase-context": "[ClientError: exit status 1]",
    "additional-information": {
      logs: { "deep-link": `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/${JOB};stream=abc` },
    },
  },
};

/** EventBridge's input transformer, as documented: `<name>` ← the value at InputPathsMap[name] ($.a.b dot paths). */
function renderTransformer(t: { InputPathsMap?: Record<string, string>; InputTemplate?: string }, event: unknown): string {
  return (t.InputTemplate ?? "").replace(/<([\w-]+)>/g, (_m, key: string) => {
    const path = t.InputPathsMap?.[key];
    if (!path) return `<${key}>`;
    let v: unknown = event;
    for (const part of path.replace(/^\$\./, "").split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
    return typeof v === "string" ? v : JSON.stringify(v);
  });
}
