/**
 * Ownership, for every kind of resource: one with the job's name that support-job did not create (no
 * support-job:job tag) is never written by `init` (exit 2, not one write) and never deleted by `destroy` (it says so).
 */
import { CreateProjectCommand } from "@aws-sdk/client-codebuild";
import { PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreatePolicyCommand, CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateScheduleCommand, CreateScheduleGroupCommand } from "@aws-sdk/client-scheduler";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { type AwsClients } from "../../../tools/local-aws/env.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { runCli } from "../../helpers/cli.js";
import { jobNames } from "../../../src/desired/names.js";
import { snapshotAccount } from "../../reliability/snapshot.js";
import { ACCOUNT } from "../../helpers/constants.js";

const JOB = "owned-elsewhere";
const names = jobNames(JOB, "us-east-1");
const BASE = [
  "--name",
  JOB,
  "--repo",
  "https://github.com/acme/ops-scripts",
  "--schedule",
  "cron(0 3 * * ? *)",
  "--email",
  "ops@example.com",
  "--policy-file",
  "policy.json",
];
const ZONED = [...BASE, "--timezone", "Europe/Paris"];
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const someonesRole = (aws: AwsClients, RoleName: string) =>
  aws.iam
    .send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
      }),
    )
    .then(() =>
      aws.iam.send(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName: "theirs",
          PolicyDocument: doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::theirs" }),
        }),
      ),
    );

const KINDS: { kind: string; flags: string[]; label: RegExp; name: string; make: (aws: AwsClients) => Promise<unknown> }[] = [
  {
    kind: "CodeBuild service role",
    flags: BASE,
    label: /CodeBuild service role/,
    name: names.serviceRole,
    make: (aws) => someonesRole(aws, names.serviceRole),
  },
  { kind: "schedule role", flags: BASE, label: /schedule role/, name: names.scheduleRole, make: (aws) => someonesRole(aws, names.scheduleRole) },
  {
    kind: "time-zone schedule role",
    flags: ZONED,
    label: /time-zone schedule role|scheduler role/,
    name: names.schedulerRole,
    make: (aws) => someonesRole(aws, names.schedulerRole),
  },
  {
    kind: "job permissions policy",
    flags: BASE,
    label: /permissions/,
    name: names.jobPolicy,
    make: (aws) =>
      aws.iam.send(
        new CreatePolicyCommand({
          PolicyName: names.jobPolicy,
          PolicyDocument: doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::theirs" }),
        }),
      ),
  },
  {
    kind: "CodeBuild project",
    flags: BASE,
    label: /CodeBuild project/,
    name: JOB,
    make: (aws) =>
      aws.codebuild.send(
        new CreateProjectCommand({
          name: JOB,
          source: { type: "GITHUB", location: "https://github.com/someone/else" },
          artifacts: { type: "NO_ARTIFACTS" },
          environment: { type: "LINUX_CONTAINER", computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/standard:7.0" },
          serviceRole: `arn:aws:iam::${ACCOUNT}:role/someone-else`,
        }),
      ),
  },
  {
    kind: "schedule rule",
    flags: BASE,
    label: /schedule rule/,
    name: names.scheduleRule,
    make: (aws) => aws.events.send(new PutRuleCommand({ Name: names.scheduleRule, ScheduleExpression: "rate(1 day)" })),
  },
  {
    kind: "alert rule",
    flags: BASE,
    label: /alert rule/,
    name: names.alertRule,
    make: (aws) => aws.events.send(new PutRuleCommand({ Name: names.alertRule, EventPattern: JSON.stringify({ source: ["someone.else"] }) })),
  },
  {
    kind: "schedule group and its schedule",
    flags: ZONED,
    label: /schedule group/,
    name: names.scheduleGroup,
    make: async (aws) => {
      await aws.scheduler.send(new CreateScheduleGroupCommand({ Name: names.scheduleGroup }));
      await aws.scheduler.send(
        new CreateScheduleCommand({
          Name: names.schedule,
          GroupName: names.scheduleGroup,
          ScheduleExpression: "rate(1 day)",
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:theirs`, RoleArn: `arn:aws:iam::${ACCOUNT}:role/someone-else` },
        }),
      );
    },
  },
  {
    kind: "alert topic",
    flags: BASE,
    label: /alert topic/,
    name: names.alertTopic,
    make: (aws) => aws.sns.send(new CreateTopicCommand({ Name: names.alertTopic })),
  },
];

const aws = useLocalAws();
let cwd: string;

beforeEach(async () => {
  await aws.reset();
  cwd = mkdtempSync(join(tmpdir(), "support-job-owner-"));
  writeFileSync(join(cwd, "policy.json"), doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }));
});

describe.each(KINDS)("a $kind with the job's name that support-job did not create", ({ flags, label, name, make }) => {
  it("init --yes refuses with exit 2, makes not one write, and leaves it as it was", async () => {
    await make(aws.clients);
    const before = await snapshotAccount(aws.clients, JOB);
    aws.proxy.resetCalls();
    const run = await runCli(["init", "--yes", ...flags], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr + run.stdout).toContain(name);
    expect(aws.proxy.writes()).toEqual([]);
    expect(await snapshotAccount(aws.clients, JOB)).toEqual(before);
  });

  it("destroy leaves it alone and says so", async () => {
    await make(aws.clients);
    const before = await snapshotAccount(aws.clients, JOB);
    const run = await runCli(["destroy", "--name", JOB, "--yes"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(label);
    expect(run.stdout + run.stderr).toMatch(/left alone/);
    expect(await snapshotAccount(aws.clients, JOB)).toEqual(before);
  });
});
