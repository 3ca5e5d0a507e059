import { describe, expect, it } from "vitest";
import {
  alarmStateEventPattern,
  failedRunTransformer,
  MAX_INPUT_TEMPLATE,
  missedRunAlarmTransformer,
  renderInputTemplate,
  SAFE_EVENT_PATHS,
  type InputTransformer,
} from "../../../src/desired/chat.js";
import { InputError } from "../../../src/errors.js";
import { CHAT_KINDS, type ChatKind } from "../../../src/settings/types.js";
import { parseAlertWebhook } from "../../../src/settings/webhook.js";

const SLACK = "https://hooks.slack.com/services/T0SECRET/B0SECRET/xoxSECRETtoken";
const TEAMS =
  "https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SECRETsig";
const TEAMS_POWER_PLATFORM =
  "https://default0a1b2c.0d.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SECRETsig";
const DISCORD = "https://discord.com/api/webhooks/123456789/SECRETdiscordToken";
const GENERIC = "https://alerts.example.com/hooks/support?token=SECRETgeneric";

const LOG_LINK =
  "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/nightly-cleanup;stream=8745a7a9-c340-456a-9166-edf953571bEX";
const BUILD_ARN = "arn:aws:codebuild:us-east-1:123456789012:build/nightly-cleanup:8745a7a9-c340-456a-9166-edf953571bEX";

/** AWS's sample CodeBuild Build State Change event (user guide), trimmed, for a failed run of nightly-cleanup. */
const FAILED_EVENT = {
  version: "0",
  id: "bfdc1220-60ff-44da-a6ba-3f9e7ba4f0d8",
  "detail-type": "CodeBuild Build State Change",
  source: "aws.codebuild",
  account: "123456789012",
  time: "2026-11-30T03:04:05Z",
  region: "us-east-1",
  resources: [BUILD_ARN],
  detail: {
    "build-status": "FAILED",
    "project-name": "nightly-cleanup",
    "build-id": BUILD_ARN,
    "additional-information": {
      "build-complete": true,
      initiator: "rule/support-job-nightly-cleanup-schedule",
      logs: { "group-name": "/aws/codebuild/nightly-cleanup", "stream-name": "8745a7a9", "deep-link": LOG_LINK },
    },
    "current-phase": "BUILD",
    // Free text: quotes and backslashes do happen here, which is why no template extracts it.
    "current-phase-context": '[{"statusCode":"COMMAND_EXECUTION_ERROR","message":"Error while executing command: grep "x" C:\\tmp. Reason: exit status 1"}]',
    version: "1",
  },
};

/** AWS's sample CloudWatch Alarm State Change event (EventBridge user guide), trimmed. */
const ALARM_EVENT = {
  version: "0",
  id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
  "detail-type": "CloudWatch Alarm State Change",
  source: "aws.cloudwatch",
  account: "123456789012",
  time: "2026-12-03T09:18:00Z",
  region: "us-east-1",
  resources: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:support-job-nightly-cleanup-missed-run"],
  detail: {
    alarmName: "support-job-nightly-cleanup-missed-run",
    state: {
      value: "ALARM",
      reason: "Threshold Crossed: 1 datapoint [0.0 (02/12/26 22:00:00)] was less than the threshold (1.0).",
      reasonData: '{"version":"1.0","queryDate":"2026-12-03T09:18:00.000+0000"}',
      timestamp: "2026-12-03T09:18:00.989+0000",
    },
    previousState: { value: "OK", reason: "Threshold Crossed", timestamp: "2026-12-01T06:20:00.000+0000" },
  },
};

const render = (transformer: InputTransformer, event: unknown): unknown => JSON.parse(renderInputTemplate(transformer, event));

describe("--alert-webhook parsing", () => {
  it.each<[string, string, ChatKind]>([
    ["a Slack incoming webhook", SLACK, "slack"],
    ["a Teams workflow webhook on logic.azure.com", TEAMS, "teams"],
    ["a Teams workflow webhook on powerplatform.com", TEAMS_POWER_PLATFORM, "teams"],
    ["a Discord webhook", DISCORD, "discord"],
    ["any other HTTPS endpoint", GENERIC, "generic"],
  ])("detects %s from its URL", (_what, url, kind) => {
    const hook = parseAlertWebhook(url);
    expect(hook.kind).toBe(kind);
    expect(hook.url).toBe(url);
  });

  it("kind=URL forces the kind", () => {
    expect(parseAlertWebhook(`slack=${GENERIC}`).kind).toBe("slack");
    expect(parseAlertWebhook(`Generic=${SLACK}`).kind).toBe("generic");
  });

  it("shows only the scheme and host, and names the connection by a hash, never by the secret", () => {
    const hook = parseAlertWebhook(SLACK);
    expect(hook.display).toBe("https://hooks.slack.com/…");
    expect(hook.key).toMatch(/^slack-[0-9a-f]{8}$/);
    expect(parseAlertWebhook(SLACK).key).toBe(hook.key);
    expect(parseAlertWebhook(SLACK.replace("xox", "yoy")).key).not.toBe(hook.key);
    expect(JSON.stringify({ ...hook, url: undefined })).not.toContain("SECRET");
  });

  it.each<[string, string, RegExp]>([
    ["an unknown kind", `chat=${SLACK}`, /unknown kind "chat"; use slack, teams, discord or generic/],
    ["no URL", "slack=", /needs a webhook URL/],
    ["text that is no URL", "hooks.slack.com/services/T0SECRET/B0SECRET/xoxSECRETtoken", /is not a URL \(the value is not shown/],
    ["plain http", SLACK.replace("https:", "http:"), /http:\/\/hooks\.slack\.com must use https/],
    ["a password in the URL", "https://user:SECRETpass@alerts.example.com/hook", /has a user name or password in it/],
    ["a quote in the URL", `${GENERIC}"SECRET`, /has characters an API destination does not accept/],
    ["a retired Office 365 connector", "https://acme.webhook.office.com/webhookb2/SECRET/IncomingWebhook/SECRET", /Microsoft retired those/],
    ["a Discord URL that is no webhook", "https://discord.com/channels/SECRET", /is not a Discord webhook URL/],
  ])("rejects %s as an input error that does not echo the secret", (_what, value, message) => {
    let error: unknown;
    try {
      parseAlertWebhook(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const text = (error as InputError).message;
    expect(text).toMatch(/^--alert-webhook: /);
    expect(text).toMatch(message);
    expect(text).toMatch(/\(example: /);
    expect(text).not.toContain("SECRET");
  });
});

describe("the body each chat service receives for a failed run", () => {
  it("Slack gets {text} with the log link", () => {
    expect(render(failedRunTransformer("slack", "nightly-cleanup"), FAILED_EVENT)).toEqual({
      text:
        "Support job nightly-cleanup: the run ended FAILED at 2026-11-30T03:04:05Z (UTC), last phase BUILD.\n" +
        `Logs: ${LOG_LINK}\n` +
        "See every run: support-job status --name nightly-cleanup",
    });
  });

  it("Discord gets {content} and pings nobody", () => {
    expect(render(failedRunTransformer("discord", "nightly-cleanup"), FAILED_EVENT)).toEqual({
      content:
        "Support job nightly-cleanup: the run ended FAILED at 2026-11-30T03:04:05Z (UTC), last phase BUILD.\n" +
        `Logs: ${LOG_LINK}\n` +
        "See every run: support-job status --name nightly-cleanup",
      allowed_mentions: { parse: [] },
    });
  });

  it("Teams gets a message with one Adaptive Card, its facts and a button to the log", () => {
    expect(render(failedRunTransformer("teams", "nightly-cleanup"), FAILED_EVENT)).toEqual({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              { type: "TextBlock", size: "Medium", weight: "Bolder", wrap: true, text: "Support job nightly-cleanup: the run ended FAILED" },
              {
                type: "FactSet",
                facts: [
                  { title: "Status", value: "FAILED" },
                  { title: "Phase", value: "BUILD" },
                  { title: "Time (UTC)", value: "2026-11-30T03:04:05Z" },
                  { title: "Run", value: BUILD_ARN },
                ],
              },
              { type: "TextBlock", wrap: true, text: "See every run: support-job status --name nightly-cleanup" },
            ],
            actions: [{ type: "Action.OpenUrl", title: "Open the log", url: LOG_LINK }],
          },
        },
      ],
    });
  });

  it("a generic endpoint gets a JSON object with each field", () => {
    expect(render(failedRunTransformer("generic", "nightly-cleanup"), FAILED_EVENT)).toEqual({
      source: "support-job",
      event: "run-ended",
      job: "nightly-cleanup",
      status: "FAILED",
      phase: "BUILD",
      time: "2026-11-30T03:04:05Z",
      build: BUILD_ARN,
      logs: LOG_LINK,
      text: `Support job nightly-cleanup: the run ended FAILED at 2026-11-30T03:04:05Z (UTC), last phase BUILD. Logs: ${LOG_LINK}`,
    });
  });

  it("stays valid JSON for a run that failed before it had a log", () => {
    const noLog = { ...FAILED_EVENT, detail: { ...FAILED_EVENT.detail, "current-phase": "SUBMITTED", "additional-information": {} } };
    for (const kind of CHAT_KINDS) expect(() => render(failedRunTransformer(kind, "nightly-cleanup"), noLog), kind).not.toThrow();
  });
});

const REFUSED_EVENT = {
  ...ALARM_EVENT,
  resources: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:support-job-nightly-cleanup-start-refused"],
  detail: {
    ...ALARM_EVENT.detail,
    alarmName: "support-job-nightly-cleanup-start-refused",
    state: { ...ALARM_EVENT.detail.state, value: "OK" },
    previousState: { value: "ALARM" },
  },
};

describe("the body each chat service receives when one of the job's alarms changes state", () => {
  it("Slack: which alarm (by its name), ALARM or OK, and what each alarm means", () => {
    expect(render(missedRunAlarmTransformer("slack", "nightly-cleanup", "1 day 2 hours"), ALARM_EVENT)).toEqual({
      text:
        "Support job nightly-cleanup: alarm support-job-nightly-cleanup-missed-run is ALARM (was OK) at 2026-12-03T09:18:00Z (UTC).\n" +
        "support-job-nightly-cleanup-missed-run: ALARM means no run succeeded in the last 1 day 2 hours. " +
        "support-job-nightly-cleanup-start-refused: ALARM means AWS refused to start a scheduled run (no run happened). OK means it is over.\n" +
        "See why: support-job status --name nightly-cleanup",
    });
    expect(render(missedRunAlarmTransformer("slack", "nightly-cleanup", "1 day 2 hours"), REFUSED_EVENT)).toMatchObject({
      text: expect.stringMatching(/^Support job nightly-cleanup: alarm support-job-nightly-cleanup-start-refused is OK \(was ALARM\)/),
    });
  });

  it("without the missed-run alarm (its schedule not watched), only the start-refused alarm is explained", () => {
    const text = (render(missedRunAlarmTransformer("slack", "nightly-cleanup", undefined), REFUSED_EVENT) as { text: string }).text;
    expect(text).not.toContain("missed-run");
    expect(text).toContain("start-refused: ALARM means AWS refused to start a scheduled run");
  });

  it("Teams, Discord and generic render to the JSON each expects", () => {
    const teams = render(missedRunAlarmTransformer("teams", "nightly-cleanup", "1 day"), REFUSED_EVENT) as {
      attachments: { content: { body: { text?: string; facts?: unknown }[] } }[];
    };
    expect(teams.attachments[0]!.content.body[0]!.text).toBe("Support job nightly-cleanup: support-job-nightly-cleanup-start-refused OK");
    expect(teams.attachments[0]!.content.body[1]!.facts).toEqual([
      { title: "Alarm", value: "support-job-nightly-cleanup-start-refused" },
      { title: "State", value: "OK" },
      { title: "Was", value: "ALARM" },
      { title: "Time (UTC)", value: "2026-12-03T09:18:00Z" },
    ]);
    expect(render(missedRunAlarmTransformer("discord", "nightly-cleanup", "1 day"), ALARM_EVENT)).toMatchObject({
      content: expect.stringContaining("alarm support-job-nightly-cleanup-missed-run is ALARM (was OK)"),
      allowed_mentions: { parse: [] },
    });
    expect(render(missedRunAlarmTransformer("generic", "nightly-cleanup", "1 day"), ALARM_EVENT)).toMatchObject({
      source: "support-job",
      event: "alarm",
      job: "nightly-cleanup",
      alarm: "support-job-nightly-cleanup-missed-run",
      state: "ALARM",
      previous: "OK",
    });
  });

  it("matches only the job's alarms' moves into ALARM and back to OK", () => {
    expect(alarmStateEventPattern(["support-job-nightly-cleanup-missed-run", "support-job-nightly-cleanup-start-refused"])).toEqual({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: {
        alarmName: ["support-job-nightly-cleanup-missed-run", "support-job-nightly-cleanup-start-refused"],
        state: { value: ["ALARM", "OK"] },
      },
    });
  });
});

describe("EventBridge does not escape extracted values", () => {
  it("so a quote in the phase context would break a template that extracted it (the renderer does what EventBridge does)", () => {
    const unsafe = { InputPathsMap: { context: "$.detail.current-phase-context" }, InputTemplate: '{"text": "<context>"}' };
    expect(() => JSON.parse(renderInputTemplate(unsafe, FAILED_EVENT))).toThrow(SyntaxError);
  });

  it("so every template extracts only values that cannot hold a quote, and stays within EventBridge's limits", () => {
    const all = CHAT_KINDS.flatMap((kind) => [
      failedRunTransformer(kind, "nightly-cleanup"),
      missedRunAlarmTransformer(kind, "nightly-cleanup", "1 day"),
      missedRunAlarmTransformer(kind, "j".repeat(150), undefined),
    ]);
    for (const transformer of all) {
      for (const [name, path] of Object.entries(transformer.InputPathsMap)) {
        expect(SAFE_EVENT_PATHS, path).toContain(path);
        expect(name).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      }
      expect(Object.keys(transformer.InputPathsMap).length).toBeLessThanOrEqual(100);
      expect(transformer.InputTemplate.length).toBeLessThanOrEqual(MAX_INPUT_TEMPLATE);
    }
  });

  it("fills a placeholder outside quotes as a JSON value", () => {
    const transformer = {
      InputPathsMap: { done: "$.detail.additional-information.build-complete", status: "$.detail.build-status" },
      InputTemplate: '{"done": <done>, "s": <status>}',
    };
    expect(render(transformer, FAILED_EVENT)).toEqual({ done: true, s: "FAILED" });
  });
});
