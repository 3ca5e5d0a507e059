/** Schedules in the team's time zone: EventBridge Scheduler instead of a UTC rule, and moving between the two. */
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetRoleCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { GetScheduleCommand, GetScheduleGroupCommand, ListTagsForResourceCommand, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../../helpers/local-aws.js";
import { runCli } from "../../helpers/cli.js";
import { ACCOUNT } from "../../helpers/constants.js";

const JOB = "weekday-report";
const FLAGS = ["--name", JOB, "--repo", "https://github.com/acme/ops-scripts", "--schedule", "cron(0 7 ? * MON-FRI *)", "--email", "ops@example.com"];
const GROUP_ARN = `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule-group/support-job-${JOB}`;

const aws = useLocalAws();
let cwd: string;
const init = (args: string[] = []) => runCli(["init", "--yes", ...args], { env: aws.env, cwd });
const decode = (text: string | undefined) => JSON.parse(text!.startsWith("%") ? decodeURIComponent(text!) : text!) as Record<string, unknown>;
const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    (e: Error) => (/NotFound|NoSuchEntity/.test(e.name) ? false : Promise.reject(e)),
  );

beforeEach(async () => {
  await aws.reset();
  cwd = mkdtempSync(join(tmpdir(), "support-job-tz-"));
});

describe("a schedule in a time zone other than UTC", () => {
  it("becomes an EventBridge Scheduler schedule in the job's own group, started through a role only Scheduler may assume", async () => {
    const run = await init([...FLAGS, "--timezone", "Europe/Paris"]);
    expect(run.code, run.stderr).toBe(0);
    const { scheduler, iam, events } = aws.clients;
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: `support-job-${JOB}`, GroupName: `support-job-${JOB}` }));
    expect(schedule).toMatchObject({
      ScheduleExpression: "cron(0 7 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Paris",
      State: "ENABLED",
      FlexibleTimeWindow: { Mode: "OFF" },
      // Scheduler's templated CodeBuild target (as AWS CDK's CodeBuildStartBuild): the project ARN, no Input.
      Target: {
        Arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOB}`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/support-job-${JOB}-use1-scheduler`,
        // The grace time (10% of the longest gap, the 73-hour weekend when clocks go back: 7 h 18 min), not AWS's 24 h.
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 26_280 },
      },
    });
    expect(schedule.Target!.Input).toBeUndefined();
    await scheduler.send(new GetScheduleGroupCommand({ Name: `support-job-${JOB}` }));
    expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: GROUP_ARN }))).Tags).toContainEqual({ Key: "support-job:job", Value: JOB });

    const role = (await iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-scheduler` }))).Role!;
    expect(decode(role.AssumeRolePolicyDocument)).toMatchObject({
      Statement: [
        { Principal: { Service: "scheduler.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": GROUP_ARN } } },
      ],
    });
    const policy = decode((await iam.send(new GetRolePolicyCommand({ RoleName: role.RoleName, PolicyName: "support-job-start-build" }))).PolicyDocument);
    expect(policy.Statement).toEqual([
      { Effect: "Allow", Action: ["codebuild:StartBuild"], Resource: [`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOB}`] },
    ]);

    expect(await exists(events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-schedule` })))).toBe(false);
    expect(await exists(iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-start` })))).toBe(false);

    aws.proxy.resetCalls();
    const again = await init();
    expect(again.code, again.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
  });

  it("moves a schedule on the universal target over to the templated one with one UpdateSchedule (no delete, no create)", async () => {
    expect((await init([...FLAGS, "--timezone", "Europe/Paris"])).code).toBe(0);
    const { scheduler } = aws.clients;
    const ids = { Name: `support-job-${JOB}`, GroupName: `support-job-${JOB}` };
    const before = await scheduler.send(new GetScheduleCommand(ids));
    // What earlier releases wrote: the universal target with a JSON Input, and an hour of retries.
    await scheduler.send(
      new UpdateScheduleCommand({
        ...ids,
        ScheduleExpression: before.ScheduleExpression,
        ScheduleExpressionTimezone: before.ScheduleExpressionTimezone,
        Description: before.Description,
        State: "ENABLED",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: "arn:aws:scheduler:::aws-sdk:codebuild:startBuild",
          RoleArn: before.Target!.RoleArn,
          Input: JSON.stringify({ ProjectName: JOB }),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      }),
    );
    aws.proxy.resetCalls();
    const run = await init();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/~ update\s+time-zone schedule/);
    expect(run.stdout).toMatch(/target Arn: arn:aws:scheduler:::aws-sdk:codebuild:startBuild → arn:aws:codebuild:/);
    expect(aws.proxy.writes().map((c) => c.action)).toEqual(["UpdateSchedule"]);
    const after = await scheduler.send(new GetScheduleCommand(ids));
    expect(after.Target).toMatchObject({ Arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOB}`, RetryPolicy: { MaximumEventAgeInSeconds: 26_280 } });
    expect(after.Target!.Input).toBeUndefined();
  });

  it("moving from UTC to a zone creates the new schedule before removing the rule and its role", async () => {
    expect((await init(FLAGS)).code).toBe(0);
    aws.proxy.resetCalls();
    const run = await init(["--timezone", "America/New_York"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\+ create\s+time-zone schedule/);
    expect(run.stdout).toMatch(/- delete\s+schedule rule/);
    expect(run.stdout).toMatch(/- delete\s+schedule role/);
    const writes = aws.proxy.writes().map((c) => c.action);
    expect(writes.indexOf("CreateSchedule")).toBeGreaterThanOrEqual(0);
    expect(writes.indexOf("CreateSchedule")).toBeLessThan(writes.indexOf("DeleteRule"));
    expect(writes.indexOf("DeleteRule")).toBeLessThan(writes.indexOf("DeleteRole"));
    expect(await exists(aws.clients.events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-schedule` })))).toBe(false);
    expect(await exists(aws.clients.iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-start` })))).toBe(false);
  });

  it("moving back to UTC creates the rule before removing the schedule, its group and its role", async () => {
    expect((await init([...FLAGS, "--timezone", "Australia/Sydney"])).code).toBe(0);
    aws.proxy.resetCalls();
    const run = await init(["--timezone", "UTC"]);
    expect(run.code, run.stderr).toBe(0);
    const writes = aws.proxy.writes().map((c) => c.action);
    expect(writes.indexOf("PutRule")).toBeLessThan(writes.indexOf("DeleteSchedule"));
    expect(writes.indexOf("DeleteSchedule")).toBeLessThan(writes.indexOf("DeleteScheduleGroup"));
    const rule = await aws.clients.events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-schedule` }));
    expect(rule.ScheduleExpression).toBe("cron(0 7 ? * MON-FRI *)");
    expect(await exists(aws.clients.scheduler.send(new GetScheduleGroupCommand({ Name: `support-job-${JOB}` })))).toBe(false);
    expect(await exists(aws.clients.iam.send(new GetRoleCommand({ RoleName: `support-job-${JOB}-use1-scheduler` })))).toBe(false);
  });

  it("rejects an unknown zone before any AWS call, with the closest valid names", async () => {
    const run = await init([...FLAGS, "--timezone", "Europe/Pari"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--timezone: "Europe\/Pari" is not an IANA time zone; did you mean Europe\/Paris/);
    expect(aws.proxy.calls).toEqual([]);
  });
});

describe("a paused job", () => {
  const ruleState = async () => (await aws.clients.events.send(new DescribeRuleCommand({ Name: `support-job-${JOB}-schedule` }))).State;
  const scheduleState = async () =>
    (await aws.clients.scheduler.send(new GetScheduleCommand({ Name: `support-job-${JOB}`, GroupName: `support-job-${JOB}` }))).State;

  it("stays paused through every change of schedule, time zone and kind (UTC rule ↔ time-zone schedule, both ways)", async () => {
    expect((await init(FLAGS)).code).toBe(0);
    const pause = await runCli(["pause", "--name", JOB], { env: aws.env, cwd });
    expect(pause.code, pause.stderr).toBe(0);
    expect(await ruleState()).toBe("DISABLED");

    const toZone = await init(["--timezone", "Europe/Paris"]);
    expect(toZone.code, toZone.stderr).toBe(0);
    expect(toZone.stdout).toMatch(/created paused/);
    expect(await scheduleState()).toBe("DISABLED");

    expect((await init(["--timezone", "America/New_York", "--schedule", "cron(0 8 ? * MON-FRI *)"])).code).toBe(0);
    expect(await scheduleState()).toBe("DISABLED");

    const toUtc = await init(["--timezone", "UTC"]);
    expect(toUtc.code, toUtc.stderr).toBe(0);
    expect(await ruleState()).toBe("DISABLED");

    expect((await init(["--schedule", "rate(2 hours)"])).code).toBe(0);
    expect(await ruleState()).toBe("DISABLED");
    const status = await runCli(["status", "--name", JOB, "--json"], { env: aws.env, cwd });
    expect(status.stdout).toMatch(/"DISABLED"|paused/i);
  });

  it("a running job stays running when it moves between kinds", async () => {
    expect((await init(FLAGS)).code).toBe(0);
    expect((await init(["--timezone", "Europe/Paris"])).code).toBe(0);
    expect(await scheduleState()).toBe("ENABLED");
    expect((await init(["--timezone", "UTC"])).code).toBe(0);
    expect(await ruleState()).toBe("ENABLED");
  });
});
