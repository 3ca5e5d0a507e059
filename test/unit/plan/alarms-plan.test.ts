/**
 * The start-refused alarm and the alarm chat rule, pure: what the job spec wants (following the trigger, off with
 * --no-missed-run-alarm, no rule without webhooks), that each request fits botocore's events model, and the plans
 * (a paused job's alarm and rule send nothing; a foreign rule is a conflict; a changed target is an update).
 */
import { describe, expect, it } from "vitest";
import { buildJobSpec } from "../../../src/desired/job.js";
import { RESOURCES } from "../../../src/resources/index.js";
import type { AlarmChatRuleState } from "../../../src/resources/alarm-chat-rule.js";
import { settings, WHERE } from "../desired/fixtures.js";
import { serviceModel } from "../../helpers/botocore.js";

const SLACK = "https://hooks.slack.com/services/T0/B0/xoxALARMsecret";
const DISCORD = "https://discord.com/api/webhooks/1/ALARMtoken";
const refused = RESOURCES.find((r) => r.key === "startRefusedAlarm")!;
const chatRule = RESOURCES.find((r) => r.key === "alarmChatRule")!;

describe("the start-refused alarm in the job spec", () => {
  it("follows the trigger: the schedule rule's FailedInvocations (UTC), the Scheduler group's InvocationDroppedCount (a zone)", () => {
    expect(buildJobSpec(settings(), WHERE).startRefusedAlarm).toMatchObject({
      AlarmName: "support-job-nightly-cleanup-start-refused",
      Namespace: "AWS/Events",
      MetricName: "FailedInvocations",
      Dimensions: [{ Name: "RuleName", Value: "support-job-nightly-cleanup-schedule" }],
      TreatMissingData: "notBreaching",
      AlarmActions: ["arn:aws:sns:us-east-1:123456789012:support-job-nightly-cleanup-alerts"],
      OKActions: ["arn:aws:sns:us-east-1:123456789012:support-job-nightly-cleanup-alerts"],
      Tags: [{ Key: "support-job:job", Value: "nightly-cleanup" }],
    });
    expect(buildJobSpec(settings({ timezone: "Europe/Paris" }), WHERE).startRefusedAlarm).toMatchObject({
      Namespace: "AWS/Scheduler",
      MetricName: "InvocationDroppedCount",
      Dimensions: [{ Name: "ScheduleGroup", Value: "support-job-nightly-cleanup" }],
    });
  });

  it("is off with --no-missed-run-alarm, and kept for a schedule whose missed runs cannot be watched (it needs no window)", () => {
    expect(buildJobSpec(settings({ missedRunAlarm: false }), WHERE).startRefusedAlarm).toBeUndefined();
    const monthly = buildJobSpec(settings({ schedule: "cron(0 3 1 * ? *)" }), WHERE);
    expect(monthly.missedRun.alarm).toBeUndefined();
    expect(monthly.startRefusedAlarm?.AlarmName).toBe("support-job-nightly-cleanup-start-refused");
  });

  it("is created at once (no arming), sends nothing while the job is paused, and a moved trigger updates its metric", () => {
    const spec = buildJobSpec(settings(), WHERE);
    expect(refused.plan(spec, undefined, { adopt: false }).action).toBe("create");
    const deployed = { alarm: { ...spec.startRefusedAlarm!, Dimensions: [...spec.startRefusedAlarm!.Dimensions] }, owner: "nightly-cleanup" };
    expect(refused.plan(spec, deployed, { adopt: false }).action).toBe("unchanged");
    const paused = refused.plan(spec, deployed, { adopt: false, paused: true });
    expect(paused.changes).toEqual([{ field: "actions enabled", from: "true", to: "false" }]);
    const moved = refused.plan(buildJobSpec(settings({ timezone: "Europe/Paris" }), WHERE), deployed, { adopt: false });
    expect(moved.action).toBe("update");
    expect(moved.changes.map((c) => c.field)).toEqual(expect.arrayContaining(["metric", "dimensions", "description"]));
    expect(refused.plan(buildJobSpec(settings({ missedRunAlarm: false }), WHERE), deployed, { adopt: false }).action).toBe("delete");
    expect(refused.plan(spec, { ...deployed, owner: "other-job" }, { adopt: false }).action).toBe("conflict");
  });

  it("an untagged alarm of the job's name is adopted with --adopt (tagged, no other note), refused without it", () => {
    const spec = buildJobSpec(settings(), WHERE);
    const untagged = { alarm: { ...spec.startRefusedAlarm!, Dimensions: [...spec.startRefusedAlarm!.Dimensions] }, owner: undefined };
    const adopted = refused.plan(spec, untagged, { adopt: true });
    expect(adopted.action).toBe("update");
    expect(adopted.changes).toEqual([{ field: "tag support-job:job", from: "(none)", to: "nightly-cleanup" }]);
    expect(adopted.notes).toEqual([]);
    expect(refused.plan(spec, untagged, { adopt: false }).action).toBe("conflict");
  });
});

describe("the alarm chat rule in the job spec", () => {
  it("exists only with webhooks and an alarm; matches the wanted alarms' names, one target per webhook with the chat role", () => {
    expect(buildJobSpec(settings(), WHERE).alarmChat).toBeUndefined();
    expect(buildJobSpec(settings({ alertWebhooks: [SLACK], missedRunAlarm: false }), WHERE).alarmChat).toBeUndefined();
    const spec = buildJobSpec(settings({ alertWebhooks: [SLACK, DISCORD] }), WHERE);
    expect(spec.alarmChat).toMatchObject({
      name: "support-job-nightly-cleanup-alarms",
      roleArn: "arn:aws:iam::123456789012:role/support-job-nightly-cleanup-use1-chat",
      eventPattern: {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { alarmName: ["support-job-nightly-cleanup-missed-run", "support-job-nightly-cleanup-start-refused"], state: { value: ["ALARM", "OK"] } },
      },
    });
    expect(spec.alarmChat!.targets.map((t) => t.destinationArnPrefix)).toEqual(
      spec.chat.webhooks.map((w) => `arn:aws:events:us-east-1:123456789012:api-destination/${w.name}/`),
    );
    // The chat role may invoke exactly these destinations: the same scope serves both rules.
    expect(spec.chatRole!.inlinePolicy.Statement[0]!.Resource).toEqual(spec.alarmChat!.targets.map((t) => `${t.destinationArnPrefix}*`));
    // A schedule not watched for missed runs: only the start-refused alarm is matched.
    const monthly = buildJobSpec(settings({ schedule: "cron(0 3 1 * ? *)", alertWebhooks: [SLACK] }), WHERE);
    expect((monthly.alarmChat!.eventPattern.detail as { alarmName: string[] }).alarmName).toEqual(["support-job-nightly-cleanup-start-refused"]);
  });

  it("fits botocore's events model (PutRule, PutTargets) for the longest job name", () => {
    const { shapes } = serviceModel("events", "2015-10-07");
    const fits = (shape: string, value: string) => {
      const s = shapes[shape]!;
      expect(value.length, shape).toBeLessThanOrEqual(s.max ?? Infinity);
      expect(value.length, shape).toBeGreaterThanOrEqual(s.min ?? 0);
      if (s.pattern) expect(value, shape).toMatch(new RegExp(`^(${s.pattern})$`));
    };
    for (const name of ["nightly-cleanup", "j".repeat(40)]) {
      const spec = buildJobSpec(settings({ name, alertWebhooks: [SLACK, DISCORD] }), WHERE);
      const rule = spec.alarmChat!;
      fits("RuleName", rule.name);
      fits("RuleDescription", rule.description);
      fits("EventPattern", JSON.stringify(rule.eventPattern));
      for (const t of rule.targets) {
        fits("TargetId", t.targetId);
        fits("TransformerInput", t.transformer.InputTemplate);
        for (const key of Object.keys(t.transformer.InputPathsMap)) fits("InputTransformerPathKey", key);
        for (const path of Object.values(t.transformer.InputPathsMap)) fits("TargetInputPath", path);
      }
    }
  });
});

describe("the alarm chat rule's plan", () => {
  const spec = buildJobSpec(settings({ alertWebhooks: [SLACK] }), WHERE);
  const want = spec.alarmChat!;
  const hook = want.targets[0]!;
  const destinationArn = `${hook.destinationArnPrefix}0a1b2c3d`;
  const deployed = (over: Partial<AlarmChatRuleState> = {}): AlarmChatRuleState => ({
    rule: { Name: want.name, EventPattern: JSON.stringify(want.eventPattern), Description: want.description, State: "ENABLED", $metadata: {} },
    owner: "nightly-cleanup",
    targets: [
      {
        Id: hook.targetId,
        Arn: destinationArn,
        RoleArn: want.roleArn,
        InputTransformer: { InputPathsMap: { ...hook.transformer.InputPathsMap }, InputTemplate: hook.transformer.InputTemplate },
      },
    ],
    destinations: new Map([[hook.destinationName, destinationArn]]),
    ...over,
  });

  it("creates, keeps, disables with the job, and deletes it when the webhooks or the alarms go", () => {
    expect(chatRule.plan(spec, undefined, { adopt: false }).action).toBe("create");
    expect(chatRule.plan(spec, deployed(), { adopt: false }).action).toBe("unchanged");
    expect(chatRule.plan(spec, deployed(), { adopt: false, paused: true }).changes).toEqual([{ field: "state", from: "ENABLED", to: "DISABLED" }]);
    expect(chatRule.plan(buildJobSpec(settings(), WHERE), deployed(), { adopt: false }).action).toBe("delete");
    expect(chatRule.plan(buildJobSpec(settings({ alertWebhooks: [SLACK], missedRunAlarm: false }), WHERE), deployed(), { adopt: false }).action).toBe("delete");
    // Not the job's: never deleted, and in the way of the job's own (a conflict).
    expect(chatRule.plan(buildJobSpec(settings(), WHERE), deployed({ owner: "other-job" }), { adopt: false }).absent).toBe(true);
    expect(chatRule.plan(spec, deployed({ owner: "other-job" }), { adopt: false }).action).toBe("conflict");
  });

  it("puts a target back when it points elsewhere or its destination is gone, and removes one of a dropped webhook", () => {
    const elsewhere = chatRule.plan(spec, deployed({ destinations: new Map([[hook.destinationName, `${hook.destinationArnPrefix}ffff`]]) }), { adopt: false });
    expect(elsewhere.changes).toEqual([{ field: `${hook.key} target`, from: "current", to: "chat message of the alarms" }]);
    expect(chatRule.plan(spec, deployed({ destinations: new Map() }), { adopt: false }).action).toBe("update");
    const extra = deployed();
    extra.targets.push({ Id: "support-job-chat-discord-00000000", Arn: "arn:x" });
    expect(chatRule.plan(spec, extra, { adopt: false }).changes).toEqual([
      { field: "target support-job-chat-discord-00000000", from: "current", to: "(removed)" },
    ]);
  });
});
