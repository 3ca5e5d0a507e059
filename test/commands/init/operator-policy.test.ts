/**
 * docs/operator-policy.json, which the README offers as the permissions to run support-job, covers every call it
 * makes; docs/operator-policy-bounded.json does too, provided every role carries the permissions boundary.
 */
import { CreatePolicyCommand, GetPolicyCommand, GetRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand } from "@aws-sdk/client-ec2";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { useLocalAws } from "../../helpers/local-aws.js";
import { runCli } from "../../helpers/cli.js";
import { jobRef } from "../../../src/desired/names.js";

interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const readPolicy = (file: string) => JSON.parse(readFileSync(new URL(`../../../docs/${file}`, import.meta.url), "utf8")) as { Statement: Statement[] };

const aws = useLocalAws();

/** Every IAM action the proxy saw called, as a policy names it (CloudWatch signs as "monitoring"). */
function calledActions(): Set<string> {
  const iamPrefix: Record<string, string> = { monitoring: "cloudwatch" };
  return new Set(aws.proxy.calls.map((c) => `${iamPrefix[c.service] ?? c.service}:${c.action}`));
}

it("allows every AWS action that init, plan, apply, status, run-now, logs, list, pause, resume, test-alert, permissions and destroy call", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "support-job-operator-"));
  writeFileSync(
    join(cwd, "policy.json"),
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::reports" }] }),
  );
  const cli = (...args: string[]) => runCli(args, { env: { ...aws.env, SUPPORT_JOB_POLL_MS: "20" }, cwd });
  const flags = [
    "--name",
    "audit",
    "--repo",
    "https://github.com/acme/ops",
    "--schedule",
    "rate(1 day)",
    "--email",
    "ops@example.com",
    "--policy-file",
    "policy.json",
    "--alert-webhook",
    "https://hooks.slack.com/services/T0/B0/secret",
  ];
  // A VPC to check a VPC job's subnets against (the EC2 Describe calls).
  const { ec2 } = aws.clients;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))).Subnet!.SubnetId!;
  const group = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: "audit", Description: "audit", VpcId: vpcId }))).GroupId!;
  const steps = [
    ["init", "--yes", ...flags],
    ["init", "--yes", "--dry-run", "--vpc-id", vpcId, "--subnet", subnet, "--security-group", group],
    ["init", "--yes", "--timezone", "Europe/Rome", "--email", "oncall@example.com"],
    ["init", "--yes", "--timezone", "UTC", "--policy-file", "", "--no-alert-webhook"],
    ["plan"],
    ["apply", "--yes"],
    ["status"],
    ["list"],
    ["run-now", "--wait"],
    ["logs", "--last"],
    ["pause"],
    ["resume"],
    ["test-alert"],
    ["permissions", "try", "--", "node", "-e", ""],
    ["permissions", "done"],
    ["destroy", "--yes", "--delete-logs"],
  ];
  for (const args of steps) {
    if (args[0] === "test-alert")
      aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    const run = await cli(...args);
    expect(run.code, `${args.join(" ")}: ${run.stderr}${run.stdout}`).toBe(0);
  }
  const called = calledActions();
  const policy = readPolicy("operator-policy.json");
  const allowed = new Set(policy.Statement.flatMap(actionsOf));
  expect([...called].filter((a) => !allowed.has(a)).sort()).toEqual([]);
  expect(called.size).toBeGreaterThan(40);
}, 240_000);

it("the bounded operator policy allows every call of every command when roles carry the boundary, and never lets one go without it", async () => {
  await aws.reset();
  const boundary = "arn:aws:iam::123456789012:policy/support-job-boundary";
  const policy = readPolicy("operator-policy-bounded.json");
  const withBoundary = policy.Statement.filter((s) => s.Condition);
  // Role creation and every change to a role's permissions require the boundary, and only that boundary.
  for (const action of [
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:PutRolePermissionsBoundary",
  ]) {
    const granting = policy.Statement.filter((s) => s.Effect === "Allow" && actionsOf(s).includes(action));
    expect(granting.length, action).toBeGreaterThan(0);
    for (const s of granting)
      expect(s.Condition?.StringEquals?.["iam:PermissionsBoundary"], `${s.Sid} grants ${action}`).toBe(boundary.replace("123456789012", "ACCOUNT"));
  }
  const denied = new Set(policy.Statement.filter((s) => s.Effect === "Deny").flatMap(actionsOf));
  expect([...denied]).toEqual(expect.arrayContaining(["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]));
  expect(policy.Statement.find((s) => s.Sid === "NeverChangeTheBoundaryItself")?.Resource).toBe(boundary.replace("123456789012", "ACCOUNT"));

  await aws.clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: "support-job-boundary",
      PolicyDocument: readFileSync(new URL("../../../docs/permissions-boundary-example.json", import.meta.url), "utf8"),
    }),
  );
  const cwd = mkdtempSync(join(tmpdir(), "support-job-operator-bounded-"));
  writeFileSync(
    join(cwd, "policy.json"),
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::reports" }] }),
  );
  const cli = (...args: string[]) => runCli(args, { env: { ...aws.env, SUPPORT_JOB_POLL_MS: "20" }, cwd });
  const flags = [
    "--name",
    "audit",
    "--repo",
    "https://github.com/acme/ops",
    "--schedule",
    "rate(1 day)",
    "--email",
    "ops@example.com",
    "--policy-file",
    "policy.json",
    "--permissions-boundary",
    boundary,
    "--alert-webhook",
    "https://discord.com/api/webhooks/1/secret",
  ];
  const steps = [
    ["init", "--yes", ...flags],
    ["init", "--yes", "--timezone", "Europe/Rome"],
    ["init", "--yes", "--timezone", "UTC"],
    ["status"],
    ["run-now", "--wait"],
    ["permissions", "try", "--", "node", "-e", ""],
    ["permissions", "done"],
    ["destroy", "--yes"],
  ];
  const unbounded: string[] = [];
  for (const args of steps) {
    const run = await cli(...args);
    expect(run.code, `${args.join(" ")}: ${run.stderr}${run.stdout}`).toBe(0);
    // After each command, every role of the job carries the boundary: the conditioned calls on them were allowed.
    const roles = (await aws.clients.iam.send(new ListRolesCommand({}))).Roles ?? [];
    for (const r of roles.filter((r) => r.RoleName?.startsWith("support-job-"))) {
      const got = (await aws.clients.iam.send(new GetRoleCommand({ RoleName: r.RoleName! }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn;
      if (got !== boundary) unbounded.push(`${r.RoleName} after ${args[0]}`);
    }
  }
  expect(unbounded).toEqual([]);
  const called = calledActions();
  const allowed = new Set(policy.Statement.filter((s) => s.Effect === "Allow").flatMap(actionsOf));
  const deniedEverywhere = new Set(policy.Statement.filter((s) => s.Effect === "Deny" && s.Resource === "*").flatMap(actionsOf));
  expect([...called].filter((a) => !allowed.has(a) || deniedEverywhere.has(a)).sort()).toEqual([]);
  // The deny on the boundary policy itself never got in the way: destroy left it alone.
  expect((await aws.clients.iam.send(new GetPolicyCommand({ PolicyArn: boundary }))).Policy?.DefaultVersionId).toBe("v1");
  expect(withBoundary.length).toBeGreaterThan(0);
}, 240_000);

it("scopes the job's alarms (missed-run, start-refused) and its rules (the alarm chat rule too) to support-job names, in both policies", () => {
  const { arns } = jobRef("audit", { account: "123456789012", region: "eu-west-1", partition: "aws" });
  const wanted: [string, string][] = [
    ...["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:EnableAlarmActions", "cloudwatch:SetAlarmState"].flatMap(
      (action): [string, string][] => [
        [action, arns.missedRunAlarm],
        [action, arns.startRefusedAlarm],
      ],
    ),
    ...["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule", "events:DisableRule", "events:TagResource"].map(
      (action): [string, string] => [action, arns.alarmChatRule],
    ),
  ];
  const matches = (pattern: string, arn: string) =>
    new RegExp(
      `^${pattern
        .replace("ACCOUNT", "123456789012")
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")}$`,
    ).test(arn);
  for (const file of ["operator-policy.json", "operator-policy-bounded.json"]) {
    const statements = readPolicy(file).Statement.filter((s) => s.Effect === "Allow");
    for (const [action, arn] of wanted) {
      const granting = statements.filter((s) => actionsOf(s).includes(action));
      expect(granting.length, `${file} ${action}`).toBeGreaterThan(0);
      // Named resources only: never "*", and the ARN falls under one of them.
      for (const s of granting) expect(s.Resource, `${file} ${s.Sid}`).not.toBe("*");
      expect(
        granting.some((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).some((r) => matches(r, arn))),
        `${file} ${action} ${arn}`,
      ).toBe(true);
    }
  }
});
