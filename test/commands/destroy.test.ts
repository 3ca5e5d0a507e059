/** `support-job destroy`: everything the job created goes, in a safe order, only if tagged for it; logs stay. */
import { ListProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { CreatePolicyCommand, CreateRoleCommand, GetPolicyCommand, GetRoleCommand, ListPoliciesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { ListScheduleGroupsCommand } from "@aws-sdk/client-scheduler";
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { writeBuildLog } from "../../tools/local-aws/env.js";
import { useLocalAws } from "../helpers/local-aws.js";
import { json, setUpJob, type TestJob } from "../helpers/job.js";
import { JOB } from "../helpers/constants.js";

const policy = (action: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::acme-exports/*" }] });

const aws = useLocalAws();

beforeEach(async () => {
  await aws.reset();
});

/** Every resource in the account whose name belongs to the job (by the naming scheme), whatever its kind. */
async function leftovers(job: string): Promise<string[]> {
  const { iam, events, sns, codebuild, scheduler } = aws.clients;
  const mine = (name: string | undefined) => name !== undefined && (name === job || name.startsWith(`support-job-${job}-`) || name === `support-job-${job}`);
  const [roles, policies, rules, topics, projects, groups] = await Promise.all([
    iam.send(new ListRolesCommand({})),
    iam.send(new ListPoliciesCommand({ Scope: "Local" })),
    events.send(new ListRulesCommand({})),
    sns.send(new ListTopicsCommand({})),
    codebuild.send(new ListProjectsCommand({})),
    scheduler.send(new ListScheduleGroupsCommand({})),
  ]);
  return [
    ...(roles.Roles ?? [])
      .map((r) => r.RoleName)
      .filter(mine)
      .map((n) => `role ${n}`),
    ...(policies.Policies ?? [])
      .map((p) => p.PolicyName)
      .filter(mine)
      .map((n) => `policy ${n}`),
    ...(rules.Rules ?? [])
      .map((r) => r.Name)
      .filter(mine)
      .map((n) => `rule ${n}`),
    ...(topics.Topics ?? [])
      .map((t) => t.TopicArn?.split(":").pop())
      .filter(mine)
      .map((n) => `topic ${n}`),
    ...(projects.projects ?? []).filter(mine).map((n) => `project ${n}`),
    ...(groups.ScheduleGroups ?? [])
      .map((g) => g.Name)
      .filter(mine)
      .map((n) => `schedule group ${n}`),
  ];
}

const TEAM_POLICY = "arn:aws:iam::123456789012:policy/acme-exports-read";

/** A job with its own policy in two versions, plus a team policy that is attached but not the job's. */
async function jobWithPolicyVersions(): Promise<TestJob> {
  await aws.clients.iam.send(new CreatePolicyCommand({ PolicyName: "acme-exports-read", PolicyDocument: policy("s3:GetObject") }));
  const job = await setUpJob(aws, JOB, ["--policy-file", "policy.json", "--policy-arn", TEAM_POLICY], { "policy.json": policy("s3:GetObject") });
  // A second version of the job's own policy: destroy must delete the old, non-default one first.
  writeFileSync(join(job.cwd, "policy.json"), policy("s3:PutObject"));
  const again = await job.cli(["init", "--yes"]);
  expect(again.code, again.stderr).toBe(0);
  return job;
}

describe("support-job destroy", () => {
  it("deletes every resource of the job, keeps its logs, and a second destroy changes nothing", async () => {
    const job = await jobWithPolicyVersions();
    const run = await job.cli(["run-now", "--wait"]);
    expect(run.code, run.stderr).toBe(0);
    const [id] = aws.proxy.builds.ids(JOB);
    await writeBuildLog(aws.clients, id ?? "", ["kept after destroy"]);
    expect(await leftovers(JOB)).toHaveLength(7);

    const destroyed = await job.cli(["destroy", "--yes"]);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toMatch(/- delete {2}schedule rule +support-job-nightly-cleanup-schedule \(1 target\)/);
    expect(destroyed.stdout).toMatch(/- delete {2}alert topic +support-job-nightly-cleanup-alerts \(subscription ops@example.com\)/);
    expect(destroyed.stdout).toMatch(
      /- delete {2}CodeBuild service role +support-job-nightly-cleanup-use1-build \(1 inline policy; 2 managed policies detached\)/,
    );
    expect(destroyed.stdout).toMatch(/- delete {2}job permissions policy +support-job-nightly-cleanup-use1-permissions/);
    expect(destroyed.stdout).toContain("Job nightly-cleanup is destroyed: 8 resources deleted.");
    expect(destroyed.stderr).toContain("The runs' logs are kept in CloudWatch Logs group /aws/codebuild/nightly-cleanup");
    expect(await leftovers(JOB)).toEqual([]);
    // Detached from the job's role, but not the job's to delete.
    await aws.clients.iam.send(new GetPolicyCommand({ PolicyArn: TEAM_POLICY }));
    const logGroups = await aws.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/codebuild/${JOB}` }));
    expect(logGroups.logGroups?.map((g) => g.logGroupName)).toEqual([`/aws/codebuild/${JOB}`]);

    // Safe order: targets before rules, subscriptions before the topic, the roles' policies before the roles.
    const order = aws.proxy.writes().map((c) => c.action);
    const before = (a: string, b: string) => {
      expect(order).toContain(a);
      expect(order.lastIndexOf(a), `${a} before ${b}`).toBeLessThan(order.indexOf(b));
    };
    // The two rules go in parallel, each RemoveTargets → DeleteRule: every DeleteRule has a RemoveTargets of its own before it.
    order.forEach((action, i) => {
      if (action !== "DeleteRule") return;
      const deletesSoFar = order.slice(0, i + 1).filter((a) => a === "DeleteRule").length;
      expect(order.slice(0, i).filter((a) => a === "RemoveTargets").length, "a RemoveTargets before each DeleteRule").toBeGreaterThanOrEqual(deletesSoFar);
    });
    before("Unsubscribe", "DeleteTopic");
    before("DeleteRolePolicy", "DeleteRole");
    before("DetachRolePolicy", "DeleteRole");
    before("DeletePolicyVersion", "DeletePolicy");
    before("DeleteRule", "DeleteProject");
    before("DeleteRole", "DeletePolicy");

    // The job's entry went with its resources: the folder's support-job.json no longer names it.
    expect(readFileSync(join(job.cwd, "support-job.json"), "utf8")).not.toContain('"nightly-cleanup"');
    aws.proxy.resetCalls();
    const again = await job.cli(["destroy", "--name", "nightly-cleanup", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("Nothing to delete: no resource of job nightly-cleanup is left in us-east-1.");
    expect(aws.proxy.writes()).toEqual([]);
  });

  it("leaves a resource with the job's name but not its tag alone, and says so", async () => {
    const job = await setUpJob(aws, JOB);
    // Someone else's role that happens to carry the name of the job's try-it role.
    await aws.clients.iam.send(
      new CreateRoleCommand({ RoleName: `support-job-${JOB}-use1-try`, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }),
    );
    const run = await job.cli(["destroy", "--yes", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = json<{ deleted: { resource: string }[]; skipped: { resource: string; name: string; reason: string }[] }>(run.stdout);
    expect(doc.skipped).toEqual([
      {
        resource: "tryRole",
        label: "try-it role",
        name: `support-job-${JOB}-use1-try`,
        reason: `not tagged support-job:job=${JOB} (support-job did not create it): left alone`,
      },
    ]);
    expect(doc.deleted.map((d) => d.resource).sort()).toEqual([
      "alertRule",
      "alertTopic",
      "project",
      "scheduleRole",
      "scheduleRule",
      "serviceRole",
      "startRefusedAlarm",
    ]);
    await aws.clients.iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-try` }));
  });

  it("stops after a failure, says to run it again, and the second run finishes", async () => {
    const job = await setUpJob(aws, JOB);
    aws.proxy.addFault({ service: "iam", action: "DeleteRole", times: 1, fault: "accessDenied" });
    const failed = await job.cli(["destroy", "--yes"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Deleting (CodeBuild service|schedule) role support-job-nightly-cleanup-use1-(build|start) failed: access denied/);
    expect(failed.stderr).toContain("6 of 7 resources were deleted. Fix the cause and run `support-job destroy --name nightly-cleanup` again");
    expect(await leftovers(JOB)).toHaveLength(1);

    const finished = await job.cli(["destroy", "--yes"]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toContain("1 resource deleted");
    expect(await leftovers(JOB)).toEqual([]);
  });

  it("removes a time-zone job's schedule, schedule group and scheduler role", async () => {
    const job = await setUpJob(aws, "weekday-report", ["--timezone", "Europe/Paris"]);
    const run = await job.cli(["destroy", "--yes"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/- delete {2}schedule +support-job-weekday-report\/support-job-weekday-report/);
    expect(run.stdout).toMatch(/- delete {2}schedule group +support-job-weekday-report/);
    expect(run.stdout).toMatch(/- delete {2}scheduler role +support-job-weekday-report-use1-scheduler/);
    expect(await leftovers("weekday-report")).toEqual([]);
  });

  it("without a terminal and without --yes it is a usage error, before any AWS call", async () => {
    const job = await setUpJob(aws, JOB);
    aws.proxy.resetCalls();
    const run = await job.cli(["destroy"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--yes: destroy deletes the job's AWS resources and asks first; with no terminal to ask on, pass --yes");
    expect(aws.proxy.calls).toEqual([]);
    expect(await leftovers(JOB)).toHaveLength(6);
  });
});
