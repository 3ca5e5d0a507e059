/**
 * IAM role names are unique regardless of case; moto's are not, so this runs the real plan and apply against
 * aws-sdk-client-mock answering as IAM does for job "nightly-cleanup" when job "Nightly-Cleanup" already exists.
 */
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientsForMocks } from "../../helpers/mocked-clients.js";
import type { Clients } from "../../../src/aws/clients.js";
import { applyPlan } from "../../../src/plan/apply.js";
import { serviceRoleResource } from "../../../src/resources/index.js";
import { buildJobSpec } from "../../../src/desired/job.js";
import { REGION_TAG_KEY, TAG_KEY } from "../../../src/desired/names.js";
import { settings, WHERE } from "../desired/fixtures.js";

const iam = mockClient(IAMClient);
let clients: Clients;
const spec = buildJobSpec(settings({ name: "nightly-cleanup" }), WHERE);
const other = buildJobSpec(settings({ name: "Nightly-Cleanup" }), WHERE);
const otherRole = {
  RoleName: other.names.serviceRole,
  Arn: other.arns.serviceRole,
  Path: "/",
  RoleId: "AROAEXAMPLE",
  CreateDate: new Date("2026-01-01T00:00:00Z"),
  AssumeRolePolicyDocument: JSON.stringify(other.serviceRole.trustPolicy),
  Tags: [
    { Key: TAG_KEY, Value: "Nightly-Cleanup" },
    { Key: REGION_TAG_KEY, Value: WHERE.region },
  ],
};
const entityExists = () => Object.assign(new Error(`Role with name ${spec.names.serviceRole} already exists.`), { name: "EntityAlreadyExistsException" });

beforeAll(async () => {
  clients = await clientsForMocks(WHERE.region);
});
afterEach(() => iam.reset());

describe("two job names that differ only in case", () => {
  it("have IAM role names that differ only in case", () => {
    expect(spec.names.serviceRole.toLowerCase()).toBe(other.names.serviceRole.toLowerCase());
    expect(spec.names.serviceRole).not.toBe(other.names.serviceRole);
  });

  it("the second job's plan refuses its role when IAM answers with the first job's (case-insensitive lookup), before any write", async () => {
    iam.on(GetRoleCommand).resolves({ Role: otherRole });
    iam.on(GetRolePolicyCommand).rejects(Object.assign(new Error("no policy"), { name: "NoSuchEntityException" }));
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    const step = serviceRoleResource.plan(spec, await serviceRoleResource.read(spec, clients), { adopt: true });
    expect(step.action).toBe("conflict");
    expect(step.notes.join(" ")).toMatch(
      /IAM already has a role support-job-Nightly-Cleanup-use1-build \(support-job job "Nightly-Cleanup"\).*unique regardless of case/,
    );
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it("when the lookup missed it, CreateRole's 'already exists' stops the step instead of writing into the other job's role", async () => {
    iam.on(GetRoleCommand).resolvesOnce({}).resolves({ Role: otherRole });
    iam.on(CreateRoleCommand).rejects(entityExists());
    iam.on(PutRolePolicyCommand).resolves({});
    const step = serviceRoleResource.plan(spec, undefined, { adopt: false });
    const failures: string[] = [];
    const events = { start: () => undefined, done: () => undefined, waiting: () => undefined, failed: (_s: unknown, m: string) => void failures.push(m) };
    await expect(applyPlan({ spec, steps: [step] }, clients, events, { sleep: async () => undefined })).rejects.toThrow(/unique regardless of case/);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });
});
