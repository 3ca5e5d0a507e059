/**
 * The start-refused alarm and the alarm chat rule (issue #13) against moto through the test proxy, read back with
 * the SDK: the alarm's fields for a UTC job (the schedule rule's FailedInvocations) and after moving it to
 * Europe/Paris (the Scheduler group's InvocationDroppedCount); none with --no-missed-run-alarm; drift when someone
 * deletes it; destroy removes both. The chat rule's pattern is checked by moto's matcher (moto has no
 * TestEventPattern): the same pattern on a rule with a log-group target (the harness has no SQS client), PutEvents
 * of sample alarm state-change events, and the log group read back; moto cannot deliver to an API destination, so what a
 * webhook receives is rendered here from the target's own InputPathsMap/InputTemplate as AWS holds them
 * (desired/chat.ts renderInputTemplate), as TESTING.md says.
 */
import { DeleteAlarmsCommand, DescribeAlarmsCommand, ListTagsForResourceCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import {
  DescribeApiDestinationCommand,
  DescribeRuleCommand,
  ListTagsForResourceCommand as ListRuleTagsCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateLogGroupCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { renderInputTemplate } from "../../../src/desired/chat.js";
import { runCli } from "../../helpers/cli.js";
import { ACCOUNT, JOB, jobFlags } from "../../helpers/constants.js";
import { useLocalAws } from "../../helpers/local-aws.js";

const aws = useLocalAws();
let cwd: string;
const cli = (args: string[]) => runCli(args, { env: { ...aws.env, SUPPORT_JOB_POLL_MS: "20", TZ: "UTC" }, cwd });
const REFUSED = `support-job-${JOB}-start-refused`;
const MISSED = `support-job-${JOB}-missed-run`;
const RULE = `support-job-${JOB}-alarms`;
const PROBE = "/test/alarm-pattern-probe";
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:support-job-${JOB}-alerts`;
const URLS = {
  slack: "https://hooks.slack.com/services/T0/B0/xoxALARMSsecret",
  teams: "https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-06-01&sig=ALARMSsig",
  discord: "https://discord.com/api/webhooks/1/ALARMStoken",
  generic: "https://alerts.example.com/hooks/support?token=ALARMStoken",
};
const webhookFlags = Object.values(URLS).flatMap((url) => ["--alert-webhook", url]);

/** The job's alarms, by name. */
async function alarms(): Promise<Map<string, MetricAlarm>> {
  const out = await aws.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `support-job-${JOB}-` }));
  return new Map((out.MetricAlarms ?? []).map((a) => [a.AlarmName ?? "", a]));
}

const ruleOrUndefined = () => aws.clients.events.send(new DescribeRuleCommand({ Name: RULE })).catch(() => undefined);

/** A CloudWatch Alarm State Change event as EventBridge delivers it (AWS's documented sample, with our names). */
function alarmEvent(alarmName: string, state: string, previous: string): Record<string, unknown> {
  return {
    version: "0",
    id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: ACCOUNT,
    time: "2026-12-03T09:18:00Z",
    region: "us-east-1",
    resources: [`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value: state, reason: 'Threshold Crossed: 1 datapoint [1.0] was >= the threshold (1.0). "quoted"', timestamp: "2026-12-03T09:18:00.989+0000" },
      previousState: { value: previous, reason: "Threshold Crossed", timestamp: "2026-12-01T06:20:00.000+0000" },
      configuration: { description: "support-job: ..." },
    },
  };
}

beforeEach(async () => {
  await aws.reset();
  cwd = mkdtempSync(join(tmpdir(), "support-job-alarms-"));
});

describe("the start-refused alarm", () => {
  it("is created by the first init (no arming), follows the trigger from the UTC rule to the Paris schedule group, and shows in status", async () => {
    const first = await cli(["init", "--yes", ...jobFlags(JOB)]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/\+ create\s+start-refused alarm\s+support-job-nightly-cleanup-start-refused/);
    const utc = (await alarms()).get(REFUSED);
    expect(utc).toMatchObject({
      Namespace: "AWS/Events",
      MetricName: "FailedInvocations",
      Dimensions: [{ Name: "RuleName", Value: `support-job-${JOB}-schedule` }],
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      ActionsEnabled: true,
      AlarmActions: [TOPIC_ARN],
      OKActions: [TOPIC_ARN],
    });
    expect(utc!.AlarmDescription).toMatch(
      new RegExp(`^support-job ${JOB}: AWS refused to start a scheduled run from its schedule rule .* See why: support-job status --name ${JOB}$`),
    );
    const tags = await aws.clients.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: utc!.AlarmArn }));
    expect(tags.Tags).toContainEqual({ Key: "support-job:job", Value: JOB });
    // The missed-run alarm waits for its arming; the start-refused one does not.
    expect((await alarms()).has(MISSED)).toBe(false);

    const moved = await cli(["init", "--yes", "--timezone", "Europe/Paris"]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/~ update\s+start-refused alarm/);
    expect(moved.stdout).toMatch(/metric: AWS\/Events FailedInvocations → AWS\/Scheduler InvocationDroppedCount/);
    expect((await alarms()).get(REFUSED)).toMatchObject({
      Namespace: "AWS/Scheduler",
      MetricName: "InvocationDroppedCount",
      Dimensions: [{ Name: "ScheduleGroup", Value: `support-job-${JOB}` }],
      TreatMissingData: "notBreaching",
    });

    aws.proxy.resetCalls();
    const again = await cli(["init", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);

    const status = await cli(["status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout) as { missedRun: { startRefusedAlarm: { name: string } | null }; drift: { changes: unknown[] } };
    expect(doc.missedRun.startRefusedAlarm).toMatchObject({ name: REFUSED });
    expect(doc.drift.changes).toEqual([]);
    const text = await cli(["status"]);
    expect(text.stdout).toMatch(/Refused starts\s+alarm \S+ \(a start AWS refused is noticed within 5 minutes\)/);
  }, 120_000);

  it("someone deleting it is drift in status; init puts it back; pause turns its actions off; destroy removes it", async () => {
    expect((await cli(["init", "--yes", ...jobFlags(JOB)])).code).toBe(0);
    await aws.clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [REFUSED] }));
    const status = await cli(["status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const drift = (JSON.parse(status.stdout) as { drift: { changes: { resource: string; action: string }[] } }).drift.changes;
    expect(drift).toEqual([expect.objectContaining({ resource: "startRefusedAlarm", action: "create" })]);
    expect((JSON.parse(status.stdout) as { missedRun: { startRefusedAlarm: unknown } }).missedRun.startRefusedAlarm).toBeNull();
    expect((await cli(["init", "--yes"])).code).toBe(0);
    expect((await alarms()).has(REFUSED)).toBe(true);

    expect((await cli(["pause"])).code).toBe(0);
    expect((await alarms()).get(REFUSED)?.ActionsEnabled).toBe(false);
    aws.proxy.resetCalls();
    expect((await cli(["init", "--yes"])).code).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
    expect((await cli(["resume"])).code).toBe(0);
    expect((await alarms()).get(REFUSED)?.ActionsEnabled).toBe(true);

    const gone = await cli(["destroy", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain(REFUSED);
    expect([...(await alarms()).keys()]).toEqual([]);
  }, 120_000);

  it("--no-missed-run-alarm: no alarm at all and no alarm chat rule, even with a webhook; turned back on, both are made; off again, both go", async () => {
    const off = await cli(["init", "--yes", ...jobFlags(JOB, ["--no-missed-run-alarm", "--alert-webhook", URLS.slack])]);
    expect(off.code, off.stderr).toBe(0);
    expect([...(await alarms()).keys()]).toEqual([]);
    expect(await ruleOrUndefined()).toBeUndefined();
    const status = JSON.parse((await cli(["status", "--json"])).stdout) as { missedRun: { startRefusedAlarm: unknown } };
    expect(status.missedRun.startRefusedAlarm).toBeNull();

    expect((await cli(["init", "--yes", "--missed-run-alarm"])).code).toBe(0);
    expect((await alarms()).has(REFUSED)).toBe(true);
    expect((await ruleOrUndefined())?.Name).toBe(RULE);

    const again = await cli(["init", "--yes", "--no-missed-run-alarm"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/- delete\s+start-refused alarm/);
    expect(again.stdout).toMatch(/- delete\s+alarm chat rule/);
    expect([...(await alarms()).keys()]).toEqual([]);
    expect(await ruleOrUndefined()).toBeUndefined();
  }, 120_000);
});

describe("the alarm chat rule", () => {
  it("matches the job's alarms' ALARM and OK, posts each service's body through its API destination with the chat role, and goes with the webhooks", async () => {
    // A time-zone job: moto's PutEvents fails on a schedule rule (no pattern: moto matches it to every event, and
    // cannot deliver to its CodeBuild target), and a Scheduler schedule is no rule.
    const init = await cli(["init", "--yes", ...jobFlags(JOB, ["--timezone", "Europe/Paris", ...webhookFlags])]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/\+ create\s+alarm chat rule\s+support-job-nightly-cleanup-alarms/);
    const { events } = aws.clients;
    const rule = await events.send(new DescribeRuleCommand({ Name: RULE }));
    expect(rule.State).toBe("ENABLED");
    const tags = await events.send(new ListRuleTagsCommand({ ResourceARN: rule.Arn }));
    expect(tags.Tags).toContainEqual({ Key: "support-job:job", Value: JOB });

    // moto's matcher (it has no TestEventPattern) on the rule's own pattern: the same pattern on a rule whose
    // target is a log group, then PutEvents of sample state changes; the log group holds the events that matched.
    const { logs } = aws.clients;
    await logs.send(new CreateLogGroupCommand({ logGroupName: PROBE }));
    await events.send(new PutRuleCommand({ Name: "pattern-probe", EventPattern: rule.EventPattern, State: "ENABLED" }));
    await events.send(
      new PutTargetsCommand({ Rule: "pattern-probe", Targets: [{ Id: "probe", Arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${PROBE}` }] }),
    );
    const samples = [
      alarmEvent(REFUSED, "ALARM", "OK"),
      alarmEvent(MISSED, "OK", "ALARM"),
      alarmEvent(REFUSED, "INSUFFICIENT_DATA", "OK"),
      alarmEvent("support-job-other-job-start-refused", "ALARM", "OK"),
    ];
    const put = await events.send(
      new PutEventsCommand({
        Entries: samples.map((e) => ({ Source: "aws.cloudwatch", DetailType: "CloudWatch Alarm State Change", Detail: JSON.stringify(e.detail) })),
      }),
    );
    expect(put.FailedEntryCount ?? 0).toBe(0);
    const logged = (await logs.send(new FilterLogEventsCommand({ logGroupName: PROBE }))).events ?? [];
    const matched = logged.map((e) => JSON.parse(e.message ?? "{}") as { detail: { alarmName: string; state: { value: string } } });
    expect(matched.map((e) => `${e.detail.alarmName} ${e.detail.state.value}`).sort()).toEqual([`${MISSED} OK`, `${REFUSED} ALARM`]);

    const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: RULE }))).Targets ?? [];
    expect(targets).toHaveLength(4);
    const bodies: Record<string, unknown> = {};
    for (const target of targets) {
      const name = (target.Arn ?? "").split(":api-destination/")[1]?.split("/")[0] ?? "";
      const destination = await events.send(new DescribeApiDestinationCommand({ Name: name }));
      expect(target).toMatchObject({ Arn: destination.ApiDestinationArn, RoleArn: `arn:aws:iam::${ACCOUNT}:role/support-job-${JOB}-use1-chat` });
      const kind = Object.entries(URLS).find(([, url]) => url === destination.InvocationEndpoint)?.[0] ?? "";
      const transformer = { InputPathsMap: target.InputTransformer?.InputPathsMap ?? {}, InputTemplate: target.InputTransformer?.InputTemplate ?? "" };
      bodies[kind] = JSON.parse(renderInputTemplate(transformer, alarmEvent(REFUSED, "ALARM", "OK")));
    }
    expect(bodies.slack).toEqual({
      text: expect.stringMatching(new RegExp(`^Support job ${JOB}: alarm ${REFUSED} is ALARM \\(was OK\\) at 2026-12-03T09:18:00Z \\(UTC\\)\\.\\n`)),
    });
    expect((bodies.slack as { text: string }).text).toContain(`${REFUSED}: ALARM means AWS refused to start a scheduled run`);
    expect(bodies.discord).toMatchObject({ content: expect.stringContaining(`alarm ${REFUSED} is ALARM`), allowed_mentions: { parse: [] } });
    expect(bodies.teams).toMatchObject({
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard" } }],
    });
    expect(JSON.stringify(bodies.teams)).toContain(`{"title":"Alarm","value":"${REFUSED}"}`);
    expect(bodies.generic).toMatchObject({ source: "support-job", event: "alarm", job: JOB, alarm: REFUSED, state: "ALARM", previous: "OK" });

    aws.proxy.resetCalls();
    expect((await cli(["init", "--yes"])).code).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);

    // A paused job says nothing about its alarms, in chat either.
    expect((await cli(["pause"])).code).toBe(0);
    expect((await events.send(new DescribeRuleCommand({ Name: RULE }))).State).toBe("DISABLED");
    expect((await cli(["resume"])).code).toBe(0);
    expect((await events.send(new DescribeRuleCommand({ Name: RULE }))).State).toBe("ENABLED");

    const dropped = await cli(["init", "--yes", "--no-alert-webhook"]);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toMatch(/- delete\s+alarm chat rule/);
    expect(await ruleOrUndefined()).toBeUndefined();
  }, 180_000);

  it("test-alert says the alarm's chat path was exercised; destroy removes the rule and both alarms", async () => {
    expect((await cli(["init", "--yes", ...jobFlags(JOB, ["--alert-webhook", URLS.slack])])).code).toBe(0);
    // A success arms the missed-run alarm (test-alert tests that one).
    expect((await cli(["run-now", "--wait"])).code).toBe(0);
    expect((await cli(["init", "--yes"])).code).toBe(0);
    expect((await alarms()).has(MISSED)).toBe(true);
    aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    const test = await cli(["test-alert"]);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(
      new RegExp(
        `The alarm chat rule ${RULE} matches these changes and posts them to 1 chat webhook: the chat path was exercised, but support-job cannot see the messages arrive`,
      ),
    );
    aws.proxy.builds.scriptNext([{ status: "FAILED", failedPhase: "BUILD", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    const json = await cli(["test-alert", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { missedRunAlarm: unknown }).missedRunAlarm).toMatchObject({ tested: true, chat: { rule: RULE, webhooks: 1 } });

    const gone = await cli(["destroy", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain(RULE);
    expect(await ruleOrUndefined()).toBeUndefined();
    expect([...(await alarms()).keys()]).toEqual([]);
  }, 180_000);
});
