/**
 * Issue 15 against moto: the log group with its retention and tag, the queued timeout, GPU compute, the S3 cache and
 * the report-group permissions, each read back from (local) AWS; destroy keeps the logs unless --delete-logs.
 */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { CreateLogGroupCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../../helpers/local-aws.js";
import { ACCOUNT, JOB, REGION } from "../../helpers/constants.js";
import { cliIn, json, setUpJob, tempDir } from "../../helpers/job.js";
import { jobNames } from "../../../src/desired/names.js";
import { GPU_REGIONS } from "../../../src/settings/types.js";
import { jobFlags } from "../../helpers/constants.js";

const aws = useLocalAws();
const names = jobNames(JOB, REGION);
const LOG_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${names.logGroup}`;

beforeEach(() => aws.reset());

const logGroup = async () => {
  const { logs } = aws.clients;
  const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroup }))).logGroups?.find(
    (g) => g.logGroupName === names.logGroup,
  );
  const tags = group ? (await logs.send(new ListTagsForResourceCommand({ resourceArn: LOG_ARN }))).tags : undefined;
  return { group, tags };
};
const project = async () => (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects![0]!;
const servicePolicy = async () =>
  JSON.parse(
    decodeURIComponent((await aws.clients.iam.send(new GetRolePolicyCommand({ RoleName: names.serviceRole, PolicyName: "support-job-base" }))).PolicyDocument!),
  ) as { Statement: { Sid?: string; Action: string[]; Resource: string[] }[] };

describe("log retention", () => {
  it("creates the log group with the job's tag and 90 days, keeps the retention in step, and never expires with 0", async () => {
    const job = await setUpJob(aws, JOB);
    let found = await logGroup();
    expect(found.group?.retentionInDays).toBe(90);
    expect(found.tags).toEqual({ "support-job:job": JOB });

    aws.proxy.resetCalls();
    const dry = await job.cli(["init", "--yes", "--dry-run", "--log-retention-days", "14"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/log group\s+\/aws\/codebuild\/nightly-cleanup[\s\S]*retention: 90 days → 14 days/);
    expect(aws.proxy.writes()).toEqual([]);

    const shorter = await job.cli(["init", "--yes", "--log-retention-days", "14"]);
    expect(shorter.code, shorter.stderr).toBe(0);
    expect((await logGroup()).group?.retentionInDays).toBe(14);
    expect(JSON.parse(readFileSync(join(job.cwd, "support-job.json"), "utf8"))).toMatchObject({ jobs: { [JOB]: { logRetentionDays: 14 } } });

    // Changed by hand: status shows the drift from support-job.json.
    await aws.clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: names.logGroup, retentionInDays: 30 }));
    const drift = await job.cli(["--json", "status"]);
    expect(drift.code, drift.stderr).toBe(0);
    expect(json<{ drift: { changes: unknown[] } }>(drift.stdout).drift.changes).toEqual([
      expect.objectContaining({ resource: "logGroup", action: "update", changes: [{ field: "retention", from: "30 days", to: "14 days" }] }),
    ]);

    const never = await job.cli(["init", "--yes", "--log-retention-days", "0"]);
    expect(never.code, never.stderr).toBe(0);
    found = await logGroup();
    expect(found.group?.retentionInDays).toBeUndefined();

    aws.proxy.resetCalls();
    const again = await job.cli(["init", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
  });

  it("takes over the untagged log group CodeBuild made on an older job's first run, and refuses another job's", async () => {
    await aws.clients.logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup }));
    await setUpJob(aws, JOB);
    const found = await logGroup();
    expect(found.group?.retentionInDays).toBe(90);
    expect(found.tags).toEqual({ "support-job:job": JOB });

    await aws.reset();
    await aws.clients.logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup, tags: { "support-job:job": "someone-else" } }));
    const cwd = tempDir();
    const refused = await cliIn(aws, cwd)(["init", "--yes", ...jobFlags(JOB)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`log group ${names.logGroup} belongs to support-job job "someone-else"`);
  });

  it("refuses a retention CloudWatch Logs does not offer before any AWS call", async () => {
    const run = await cliIn(aws, tempDir())(["init", "--yes", ...jobFlags(JOB, ["--log-retention-days", "100"])]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--log-retention-days: 100 days is not a retention CloudWatch Logs offers/);
    expect(aws.proxy.calls).toEqual([]);
  });

  it("destroy keeps the logs, and deletes them with --delete-logs", async () => {
    const job = await setUpJob(aws, JOB);
    const kept = await job.cli(["destroy", "--yes", "--name", JOB]);
    expect(kept.code, kept.stderr).toBe(0);
    expect((await logGroup()).group).toBeDefined();
    expect(kept.stderr + kept.stdout).toContain(`kept in CloudWatch Logs group ${names.logGroup}`);

    const again = await setUpJob(aws, JOB);
    const gone = await again.cli(["destroy", "--yes", "--name", JOB, "--delete-logs"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toMatch(/- delete\s+log group\s+\/aws\/codebuild\/nightly-cleanup/);
    expect((await logGroup()).group).toBeUndefined();
  });
});

describe("the project's new settings", () => {
  it("sets the queued timeout, and changes it on a re-run", async () => {
    const job = await setUpJob(aws, JOB, ["--queued-timeout", "30"]);
    expect((await project()).queuedTimeoutInMinutes).toBe(30);
    const dry = await job.cli(["init", "--yes", "--dry-run", "--queued-timeout", "60"]);
    expect(dry.stdout).toContain("queued timeout (minutes): 30 → 60");
    expect((await job.cli(["init", "--yes", "--queued-timeout", "60"])).code).toBe(0);
    expect((await project()).queuedTimeoutInMinutes).toBe(60);
  });

  it("gives --gpu a LINUX_GPU_CONTAINER in a GPU region, and refuses it elsewhere with the regions and no AWS call", async () => {
    await setUpJob(aws, JOB, ["--gpu", "--compute-type", "BUILD_GENERAL1_LARGE"]);
    expect((await project()).environment).toMatchObject({ type: "LINUX_GPU_CONTAINER", computeType: "BUILD_GENERAL1_LARGE" });

    await aws.reset();
    const refused = await cliIn(aws, tempDir())(["init", "--yes", ...jobFlags(JOB, ["--gpu"])], { env: { AWS_REGION: "sa-east-1" } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--gpu: CodeBuild has no GPU containers in sa-east-1; they run in ${GPU_REGIONS.join(", ")}`);
    expect(aws.proxy.calls).toEqual([]);
  });

  it("caches in S3 with permissions on exactly that prefix, and lets the job write report groups named <job>-* only", async () => {
    await setUpJob(aws, JOB, ["--cache", "s3://acme-build-cache/nightly"]);
    expect((await project()).cache).toEqual({ type: "S3", location: "acme-build-cache/nightly" });
    const statements = (await servicePolicy()).Statement;
    expect(statements.find((s) => s.Sid === "ReadWriteOwnCache")).toMatchObject({
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: ["arn:aws:s3:::acme-build-cache/nightly/*"],
    });
    expect(statements.find((s) => s.Sid === "LocateCacheBucket")).toMatchObject({
      Action: ["s3:GetBucketLocation"],
      Resource: ["arn:aws:s3:::acme-build-cache"],
    });
    expect(statements.find((s) => s.Sid === "WriteOwnTestReports")).toMatchObject({
      Action: [
        "codebuild:CreateReportGroup",
        "codebuild:CreateReport",
        "codebuild:UpdateReport",
        "codebuild:BatchPutTestCases",
        "codebuild:BatchPutCodeCoverages",
      ],
      Resource: [`arn:aws:codebuild:${REGION}:${ACCOUNT}:report-group/${JOB}-*`],
    });
  });
});
