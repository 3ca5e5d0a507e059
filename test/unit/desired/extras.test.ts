/** The desired state for issue 15's settings: pure, from plain settings. */
import { describe, expect, it } from "vitest";
import { buildJobSpec } from "../../../src/desired/job.js";
import { settings, WHERE } from "./fixtures.js";

const statement = (spec: ReturnType<typeof buildJobSpec>, sid: string) => spec.serviceRole.inlinePolicy.Statement.find((s) => s.Sid === sid);

describe("the job's desired state", () => {
  it("keeps the log group 90 days by default, and none for 0 (never expire)", () => {
    expect(buildJobSpec(settings(), WHERE).logGroup).toEqual({
      name: "/aws/codebuild/nightly-cleanup",
      arn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/nightly-cleanup",
      retentionInDays: 90,
    });
    expect(buildJobSpec(settings({ logRetentionDays: 0 }), WHERE).logGroup.retentionInDays).toBeUndefined();
  });

  it("gives a GPU job a LINUX_GPU_CONTAINER and every job its queued timeout", () => {
    const spec = buildJobSpec(settings({ gpu: true, computeType: "BUILD_GENERAL1_LARGE", queuedTimeout: 30 }), WHERE);
    expect(spec.project.environment).toMatchObject({ type: "LINUX_GPU_CONTAINER", computeType: "BUILD_GENERAL1_LARGE" });
    expect(spec.project.queuedTimeoutInMinutes).toBe(30);
  });

  it("caches in S3 with Get/Put on exactly the prefix and GetBucketLocation on the bucket", () => {
    const spec = buildJobSpec(settings({ cache: "s3://acme-build-cache/nightly" }), WHERE);
    expect(spec.project.cache).toEqual({ type: "S3", location: "acme-build-cache/nightly" });
    expect(statement(spec, "ReadWriteOwnCache")).toEqual({
      Sid: "ReadWriteOwnCache",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: ["arn:aws:s3:::acme-build-cache/nightly/*"],
    });
    expect(statement(spec, "LocateCacheBucket")?.Resource).toEqual(["arn:aws:s3:::acme-build-cache"]);
    expect(buildJobSpec(settings(), WHERE).project.cache).toEqual({ type: "NO_CACHE" });
  });

  it("lets a VPC job attach network interfaces only for CodeBuild and only in its own subnets, and orders the policy first", () => {
    const spec = buildJobSpec(settings({ vpcId: "vpc-0a1b2c3d", subnets: ["subnet-0a1b2c3d", "subnet-1a1b2c3d"], securityGroups: ["sg-0a1b2c3d"] }), WHERE);
    expect(spec.project.vpcConfig).toEqual({ vpcId: "vpc-0a1b2c3d", subnets: ["subnet-0a1b2c3d", "subnet-1a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] });
    expect(statement(spec, "AttachBuildNetworkInterfacesInOwnSubnets")).toEqual({
      Sid: "AttachBuildNetworkInterfacesInOwnSubnets",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterfacePermission"],
      Resource: ["arn:aws:ec2:us-east-1:123456789012:network-interface/*"],
      Condition: {
        StringEquals: {
          "ec2:AuthorizedService": "codebuild.amazonaws.com",
          "ec2:Subnet": ["arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a1b2c3d", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1a1b2c3d"],
        },
      },
    });
    // The Describe calls and the interface create/delete have no resource-level scope in IAM.
    expect(statement(spec, "ManageBuildNetworkInterfaces")?.Resource).toEqual(["*"]);
    expect(spec.serviceRole.policyBeforeUse).toBe(true);
    expect(buildJobSpec(settings(), WHERE).serviceRole.policyBeforeUse).toBeUndefined();
  });
});
