/** The settings of issue 15: log retention, queued timeout, GPU, S3 cache and VPC, checked before any AWS call. */
import { describe, expect, it } from "vitest";
import { InputError, InputErrors } from "../../../src/errors.js";
import { checkCache, checkLogRetention, checkQueuedTimeout, gpuRegionProblem, toRaw } from "../../../src/settings/validate.js";
import { GPU_REGIONS } from "../../../src/settings/types.js";
import { settings } from "../desired/fixtures.js";

const problemOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputErrors) return error.problems.map((p) => p.message).join("\n");
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error("no problem reported");
};

describe("log retention", () => {
  it("keeps logs 90 days by default, takes CloudWatch's values and 0 for never", () => {
    expect(settings().logRetentionDays).toBe(90);
    expect(checkLogRetention("14")).toEqual({ ok: true, value: 14 });
    expect(checkLogRetention(0)).toEqual({ ok: true, value: 0 });
    expect(checkLogRetention(3653)).toEqual({ ok: true, value: 3653 });
  });
  it("refuses a value CloudWatch Logs does not offer, suggesting the nearest", () => {
    const check = checkLogRetention("100");
    expect(check).toMatchObject({ ok: false, example: "90" });
    expect(problemOf(() => settings({ logRetentionDays: "100" }))).toMatch(/^--log-retention-days: .*100 days is not a retention/);
    expect(checkLogRetention("ten")).toMatchObject({ ok: false });
  });
});

describe("queued timeout", () => {
  it("defaults to CodeBuild's 480 and takes 5–480", () => {
    expect(settings().queuedTimeoutMinutes).toBe(480);
    expect(checkQueuedTimeout("5")).toEqual({ ok: true, value: 5 });
    expect(checkQueuedTimeout(480)).toEqual({ ok: true, value: 480 });
    expect(checkQueuedTimeout("4")).toMatchObject({ ok: false });
    expect(checkQueuedTimeout("481")).toMatchObject({ ok: false });
    expect(problemOf(() => settings({ queuedTimeout: "1000" }))).toMatch(/^--queued-timeout: 1000 minutes is outside/);
  });
});

describe("GPU", () => {
  it("takes the small and large GPU sizes on x86", () => {
    expect(settings({ gpu: true, computeType: "BUILD_GENERAL1_SMALL" }).gpu).toBe(true);
    expect(settings({ gpu: true, computeType: "BUILD_GENERAL1_LARGE" }).gpu).toBe(true);
  });
  it("refuses a size with no GPU, and arm64", () => {
    expect(problemOf(() => settings({ gpu: true, computeType: "BUILD_GENERAL1_MEDIUM" }))).toMatch(
      /^--gpu: BUILD_GENERAL1_MEDIUM has no GPU; with --gpu use BUILD_GENERAL1_SMALL .*A10G.* or BUILD_GENERAL1_LARGE/,
    );
    expect(problemOf(() => settings({ gpu: true, arch: "arm64" }))).toMatch(/^--gpu: GPU containers run on x86_64 only/);
  });
  it("is refused outside the GPU regions, with the list", () => {
    expect(GPU_REGIONS).toContain("us-east-1");
    expect(gpuRegionProblem({ gpu: true }, "us-east-1")).toBeUndefined();
    expect(gpuRegionProblem({ gpu: false }, "sa-east-1")).toBeUndefined();
    expect(gpuRegionProblem({ gpu: true }, "sa-east-1")?.message).toBe(
      `--gpu: CodeBuild has no GPU containers in sa-east-1; they run in ${GPU_REGIONS.join(", ")} (example: --region us-east-1)`,
    );
  });
});

describe("S3 cache", () => {
  it("takes s3://bucket/prefix and saves it back in that form", () => {
    expect(checkCache("s3://acme-build-cache/nightly/deps/")).toEqual({ ok: true, value: { bucket: "acme-build-cache", prefix: "nightly/deps" } });
    expect(toRaw(settings({ cache: "s3://acme-build-cache/nightly" })).cache).toBe("s3://acme-build-cache/nightly");
    expect(checkCache("")).toEqual({ ok: true, value: undefined });
  });
  it("refuses a local cache (gone after minutes), a URL without a prefix, a bad bucket name or a wildcard", () => {
    expect(checkCache("LOCAL_CUSTOM_CACHE")).toMatchObject({ ok: false, problem: expect.stringMatching(/AWS drops it after minutes unused/) });
    expect(checkCache("s3://acme-build-cache")).toMatchObject({ ok: false });
    expect(checkCache("s3://Acme_Cache/x")).toMatchObject({ ok: false });
    expect(checkCache("s3://acme-cache/a/*")).toMatchObject({ ok: false });
    expect(checkCache("s3://acme-cache/a/../b")).toMatchObject({ ok: false });
    expect(problemOf(() => settings({ cache: "https://acme.s3.amazonaws.com/x" }))).toMatch(/^--cache: .* is not s3:\/\/bucket\/prefix/);
  });
});

describe("VPC", () => {
  const vpc = { vpcId: "vpc-0a1b2c3d", subnets: ["subnet-0a1b2c3d", "subnet-1a1b2c3d"], securityGroups: ["sg-0a1b2c3d"] };
  it("takes a VPC, its subnets and security groups together", () => {
    expect(settings(vpc).vpc).toEqual({ vpcId: "vpc-0a1b2c3d", subnets: ["subnet-0a1b2c3d", "subnet-1a1b2c3d"], securityGroups: ["sg-0a1b2c3d"] });
    expect(settings().vpc).toBeUndefined();
  });
  it("names the missing or wrong part, and CodeBuild's limits of 16 subnets and 5 security groups", () => {
    expect(problemOf(() => settings({ subnets: ["subnet-0a1b2c3d"] }))).toMatch(/^--vpc-id: is required with --subnet/);
    expect(problemOf(() => settings({ ...vpc, subnets: [] }))).toMatch(/^--subnet: a VPC job needs at least one private subnet/);
    expect(problemOf(() => settings({ ...vpc, securityGroups: ["default"] }))).toMatch(/^--security-group: "default" is not a security group id/);
    const many = Array.from({ length: 17 }, (_, i) => `subnet-${(0x0a1b2c00 + i).toString(16).padStart(8, "0")}`);
    expect(problemOf(() => settings({ ...vpc, subnets: many }))).toMatch(/^--subnet: 17 subnets; CodeBuild takes at most 16/);
    const groups = Array.from({ length: 6 }, (_, i) => `sg-${(0x0a1b2c00 + i).toString(16).padStart(8, "0")}`);
    expect(problemOf(() => settings({ ...vpc, securityGroups: groups }))).toMatch(/^--security-group: 6 security groups; CodeBuild takes at most 5/);
  });
});
