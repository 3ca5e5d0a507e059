/** One job name in two regions of one account: IAM names are global, so each region's job has its own roles. */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { clients } from "../../../tools/local-aws/env.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { runCli } from "../../helpers/cli.js";
import { iamName, jobNames, legacyIamNames, REGION_TAG_KEY } from "../../../src/desired/names.js";
import { ACCOUNT } from "../../helpers/constants.js";

const JOB = "nightly";
const FLAGS = ["--name", JOB, "--repo", "https://github.com/acme/ops-scripts", "--schedule", "cron(0 3 * * ? *)", "--email", "ops@example.com"];
const REGIONS = ["eu-west-1", "us-east-1"] as const;

const aws = useLocalAws();
const dirs = new Map<string, string>();
const inRegion = (region: string, args: string[]) =>
  runCli(args, { env: { ...aws.env, AWS_REGION: region, AWS_DEFAULT_REGION: region }, cwd: dirs.get(region)! });
const decode = (text: string | undefined) => (text!.startsWith("%") ? decodeURIComponent(text!) : text!);
const roleExists = (iam: IAMClient, RoleName: string) =>
  iam.send(new GetRoleCommand({ RoleName })).then(
    () => true,
    (e: Error) => (e.name === "NoSuchEntityException" ? false : Promise.reject(e)),
  );

beforeEach(async () => {
  await aws.reset();
  for (const region of REGIONS) dirs.set(region, mkdtempSync(join(tmpdir(), `support-job-${region}-`)));
});

describe("the same job name in two regions", () => {
  it("gives each region's job its own roles, trusting and starting only that region's project; re-runs never flip them", async () => {
    for (const region of REGIONS) expect((await inRegion(region, ["init", "--yes", ...FLAGS])).code).toBe(0);
    const { iam } = aws.clients;
    for (const region of REGIONS) {
      const names = jobNames(JOB, region);
      const role = (await iam.send(new GetRoleCommand({ RoleName: names.serviceRole }))).Role!;
      expect(decode(role.AssumeRolePolicyDocument)).toContain(`arn:aws:codebuild:${region}:${ACCOUNT}:project/${JOB}`);
      expect(role.Tags).toContainEqual({ Key: REGION_TAG_KEY, Value: region });
      const start = (await iam.send(new GetRoleCommand({ RoleName: names.scheduleRole }))).Role!;
      expect(start.Tags).toContainEqual({ Key: REGION_TAG_KEY, Value: region });
      const regional = clients(aws.endpoint, { region });
      const project = (await regional.codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects![0]!;
      expect(project.serviceRole).toBe(`arn:aws:iam::${ACCOUNT}:role/${names.serviceRole}`);
      const targets = (await regional.events.send(new ListTargetsByRuleCommand({ Rule: names.scheduleRule }))).Targets!;
      expect(targets[0]).toMatchObject({
        Arn: `arn:aws:codebuild:${region}:${ACCOUNT}:project/${JOB}`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/${names.scheduleRole}`,
      });
    }
    expect(jobNames(JOB, "eu-west-1").serviceRole).not.toBe(jobNames(JOB, "us-east-1").serviceRole);

    aws.proxy.resetCalls();
    const again = await inRegion("eu-west-1", ["init", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
  });

  it("destroy in one region deletes only that region's roles; the other region's job keeps running", async () => {
    for (const region of REGIONS) expect((await inRegion(region, ["init", "--yes", ...FLAGS])).code).toBe(0);
    const destroy = await inRegion("us-east-1", ["destroy", "--name", JOB, "--yes"]);
    expect(destroy.code, destroy.stderr).toBe(0);
    const { iam } = aws.clients;
    for (const role of [jobNames(JOB, "us-east-1").serviceRole, jobNames(JOB, "us-east-1").scheduleRole]) expect(await roleExists(iam, role)).toBe(false);
    for (const role of [jobNames(JOB, "eu-west-1").serviceRole, jobNames(JOB, "eu-west-1").scheduleRole]) expect(await roleExists(iam, role)).toBe(true);
    const status = await inRegion("eu-west-1", ["status", "--name", JOB]);
    expect(status.code, status.stderr).toBe(0);
  });
});

describe("IAM names", () => {
  it("fit 64 characters for a 40-character job name in the longest region names, deterministically and uniquely", () => {
    const job = "a".repeat(40);
    const regions = ["ap-southeast-5", "us-gov-west-1", "il-central-1", "us-isob-east-1", "eusc-de-east-1", "ap-northeast-3", "us-isof-south-1"];
    const all = new Set<string>();
    for (const region of regions)
      for (const kind of ["build", "start", "scheduler", "try", "permissions"]) {
        const name = iamName(job, region, kind);
        expect(name.length, name).toBeLessThanOrEqual(64);
        expect(name).toMatch(/^[\w+=,.@-]+$/);
        expect(name.endsWith(`-${kind}`), name).toBe(true);
        expect(iamName(job, region, kind)).toBe(name);
        all.add(name);
      }
    expect(all.size).toBe(regions.length * 5);
    // Two long names that differ only past the cut still get different roles.
    expect(iamName(`${"b".repeat(39)}1`, "ap-southeast-5", "scheduler")).not.toBe(iamName(`${"b".repeat(39)}2`, "ap-southeast-5", "scheduler"));
    expect(iamName("nightly", "eu-west-1", "build")).toBe("support-job-nightly-euw1-build");
  });
});

/** A job created before IAM names carried the region: roles `support-job-<job>-build` / `-start`, serving `region`. */
async function legacyRoles(iam: IAMClient, region: string): Promise<void> {
  const legacy = legacyIamNames(JOB);
  const project = `arn:aws:codebuild:${region}:${ACCOUNT}:project/${JOB}`;
  const tags = [{ Key: "support-job:job", Value: JOB }];
  const trust = (service: string, condition: Record<string, unknown>) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Condition: condition }],
    });
  await iam.send(
    new CreateRoleCommand({
      RoleName: legacy.serviceRole,
      AssumeRolePolicyDocument: trust("codebuild.amazonaws.com", { ArnLike: { "aws:SourceArn": project } }),
      Tags: tags,
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: legacy.scheduleRole,
      AssumeRolePolicyDocument: trust("events.amazonaws.com", { StringEquals: { "aws:SourceAccount": ACCOUNT } }),
      Tags: tags,
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: legacy.scheduleRole,
      PolicyName: "support-job-start-build",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["codebuild:StartBuild"], Resource: [project] }] }),
    }),
  );
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: legacy.jobPolicy,
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }] }),
      Tags: tags,
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: legacy.serviceRole, PolicyArn: policy.Policy!.Arn! }));
}

describe("a job made before IAM names carried the region", () => {
  it("moves to the new names on the next init: new roles in use first, then this region's old roles and policy deleted", async () => {
    const { iam } = aws.clients;
    await legacyRoles(iam, "us-east-1");
    aws.proxy.resetCalls();
    const run = await inRegion("us-east-1", ["init", "--yes", ...FLAGS]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/delete\s+old IAM roles/);
    const legacy = legacyIamNames(JOB);
    expect(await roleExists(iam, legacy.serviceRole)).toBe(false);
    expect(await roleExists(iam, legacy.scheduleRole)).toBe(false);
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${legacy.jobPolicy}` }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
    });
    // The schedule's target points at the new role before the old one goes: no scheduled run finds no role.
    const writes = aws.proxy.writes().map((c) => `${c.action}`);
    expect(writes.lastIndexOf("PutTargets")).toBeLessThan(writes.indexOf("DeleteRole"));
    expect(writes.lastIndexOf("CreateProject")).toBeLessThan(writes.indexOf("DeleteRole"));
  });

  it("leaves old roles that serve the same job name in another region alone", async () => {
    const { iam } = aws.clients;
    await legacyRoles(iam, "eu-west-1");
    const run = await inRegion("us-east-1", ["init", "--yes", ...FLAGS]);
    expect(run.code, run.stderr).toBe(0);
    const legacy = legacyIamNames(JOB);
    expect(await roleExists(iam, legacy.serviceRole)).toBe(true);
    expect(await roleExists(iam, legacy.scheduleRole)).toBe(true);
    const destroy = await inRegion("us-east-1", ["destroy", "--name", JOB, "--yes"]);
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(await roleExists(iam, legacy.serviceRole)).toBe(true);
    expect(await roleExists(iam, legacy.scheduleRole)).toBe(true);
    await iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${legacy.jobPolicy}` }));
  });
});
