/**
 * Alerts to chat, as pure data: for each kind of chat service (the webhooks are parsed in ../settings/webhook.ts) the
 * EventBridge input transformer that turns a failed-run event (and the missed-run alarm's state change) into the
 * JSON body that service expects, plus a local renderer that fills a template the way EventBridge does, so tests
 * check the exact body each service receives.
 *
 * EventBridge does not escape the values it extracts: a value with a quote or a backslash inserted into a JSON
 * string breaks the body (AWS's InputTransformer reference shows placeholders inside quoted strings, with no
 * escaping). So the templates extract only values that cannot hold such characters: enums (build status, phase,
 * alarm state), the event time, AWS-made ARNs and the log deep link. Free text (current-phase-context, the alarm's
 * reason) is left out; the job name, known when the rule is made, is written into the template as a literal.
 */
import type { ChatKind } from "../settings/types.js";
import { missedRunAlarmName, startRefusedAlarmName } from "./names.js";

// ---------------------------------------------------------------------------------------------------------------
// Input transformers

export interface InputTransformer {
  readonly InputPathsMap: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

/** Event fields whose values cannot contain a quote, a backslash or a control character (see the header). */
export const SAFE_EVENT_PATHS: readonly string[] = [
  "$.time",
  "$.region",
  "$.account",
  "$.detail.build-status",
  "$.detail.current-phase",
  "$.detail.build-id",
  "$.detail.project-name",
  "$.detail.additional-information.logs.deep-link",
  "$.detail.state.value",
  "$.detail.previousState.value",
  "$.detail.alarmName",
];

/** botocore events model: InputTemplate 1–8192 characters, InputPathsMap ≤ 100 keys matching [A-Za-z0-9_-]+. */
export const MAX_INPUT_TEMPLATE = 8192;

const BUILD_PATHS = {
  status: "$.detail.build-status",
  phase: "$.detail.current-phase",
  time: "$.time",
  logs: "$.detail.additional-information.logs.deep-link",
  build: "$.detail.build-id",
} as const;

const ALARM_PATHS = {
  alarm: "$.detail.alarmName",
  state: "$.detail.state.value",
  previous: "$.detail.previousState.value",
  time: "$.time",
} as const;

/** Text for a JSON string literal, without its quotes; the literal parts of a template go through this. */
function literal(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** The transformer for a CodeBuild Build State Change event of a run that ended badly. */
export function failedRunTransformer(kind: ChatKind, job: string): InputTransformer {
  const j = literal(job);
  const headline = `Support job ${j}: the run ended <status> at <time> (UTC), last phase <phase>.`;
  const template = chatTemplate(kind, {
    lines: [headline, "Logs: <logs>", `See every run: support-job status --name ${j}`],
    teams: {
      title: `Support job ${j}: the run ended <status>`,
      facts: [
        ["Status", "<status>"],
        ["Phase", "<phase>"],
        ["Time (UTC)", "<time>"],
        ["Run", "<build>"],
      ],
      footer: `See every run: support-job status --name ${j}`,
      link: "<logs>",
    },
    generic:
      `"event": "run-ended", "job": "${j}", "status": "<status>", "phase": "<phase>", ` +
      `"time": "<time>", "build": "<build>", "logs": "<logs>", "text": "${headline} Logs: <logs>"`,
  });
  return checked({ InputPathsMap: { ...BUILD_PATHS }, InputTemplate: template });
}

/**
 * The transformer for a CloudWatch Alarm State Change event of the job's alarms (ALARM or OK): the alarm's name
 * says which (…-missed-run or …-start-refused, names made from the job name, so without quotes), and a line says
 * what each means. `windowWords`: the missed-run alarm's window; undefined when only the start-refused alarm is on.
 */
export function missedRunAlarmTransformer(kind: ChatKind, job: string, windowWords: string | undefined): InputTransformer {
  const j = literal(job);
  const headline = `Support job ${j}: alarm <alarm> is <state> (was <previous>) at <time> (UTC).`;
  const meaning = [
    windowWords === undefined ? "" : `${literal(missedRunAlarmName(job))}: ALARM means no run succeeded in the last ${literal(windowWords)}.`,
    `${literal(startRefusedAlarmName(job))}: ALARM means AWS refused to start a scheduled run (no run happened).`,
    "OK means it is over.",
  ]
    .filter(Boolean)
    .join(" ");
  const look = `See why: support-job status --name ${j}`;
  const template = chatTemplate(kind, {
    lines: [headline, meaning, look],
    teams: {
      title: `Support job ${j}: <alarm> <state>`,
      facts: [
        ["Alarm", "<alarm>"],
        ["State", "<state>"],
        ["Was", "<previous>"],
        ["Time (UTC)", "<time>"],
      ],
      footer: `${meaning} ${look}`,
      link: undefined,
    },
    generic: `"event": "alarm", "job": "${j}", "alarm": "<alarm>", "state": "<state>", "previous": "<previous>", "time": "<time>", "text": "${headline} ${meaning}"`,
  });
  return checked({ InputPathsMap: { ...ALARM_PATHS }, InputTemplate: template });
}

interface ChatParts {
  /** Slack and Discord: the message's lines. */
  lines: readonly string[];
  teams: { title: string; facts: ReadonlyArray<readonly [string, string]>; footer: string; link: string | undefined };
  /** Generic JSON: the fields after "source". */
  generic: string;
}

/** One message in each chat service's JSON: Slack {"text"}, Discord {"content"} (no mentions), a Teams card, generic fields. */
function chatTemplate(kind: ChatKind, parts: ChatParts): string {
  const text = parts.lines.join("\\n");
  switch (kind) {
    case "slack":
      return `{"text": "${text}"}`;
    case "discord":
      return `{"content": "${text}", "allowed_mentions": {"parse": []}}`;
    case "teams":
      return teamsCard(parts.teams.title, parts.teams.facts, parts.teams.footer, parts.teams.link);
    case "generic":
      return `{"source": "support-job", ${parts.generic}}`;
  }
}

/**
 * The body a Teams "Workflows" webhook (Post to a channel when a webhook request is received) takes: a message
 * with one Adaptive Card attachment.
 */
function teamsCard(title: string, facts: ReadonlyArray<readonly [string, string]>, footer: string, link: string | undefined): string {
  const factSet = facts.map(([name, value]) => `{"title": "${name}", "value": "${value}"}`).join(", ");
  const actions = link === undefined ? "" : `, "actions": [{"type": "Action.OpenUrl", "title": "Open the log", "url": "${link}"}]`;
  return (
    `{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null, ` +
    `"content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4", ` +
    `"body": [{"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": true, "text": "${title}"}, ` +
    `{"type": "FactSet", "facts": [${factSet}]}, {"type": "TextBlock", "wrap": true, "text": "${footer}"}]${actions}}}]}`
  );
}

function checked(transformer: InputTransformer): InputTransformer {
  if (transformer.InputTemplate.length > MAX_INPUT_TEMPLATE) {
    throw new RangeError(`input template over ${MAX_INPUT_TEMPLATE} characters`);
  }
  return transformer;
}

/** The rule pattern for the job's alarms' state changes into ALARM or back to OK (not INSUFFICIENT_DATA). */
export function alarmStateEventPattern(alarmNames: readonly string[]): Record<string, unknown> {
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    detail: { alarmName: [...alarmNames], state: { value: ["ALARM", "OK"] } },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Local rendering, as EventBridge does it

/**
 * Fill an input template from an event the way EventBridge does: each <name> of InputPathsMap is replaced by the
 * value at its path. Inside a JSON string the value goes in as its raw text, unescaped (as EventBridge does, which
 * is why only SAFE_EVENT_PATHS are used); outside one, as JSON. A path missing from the event gives "" inside a
 * string and null outside (how EventBridge fills a missing path is not confirmed here).
 */
export function renderInputTemplate(transformer: InputTransformer, event: unknown): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap)) values.set(name, valueAt(event, path));
  const template = transformer.InputTemplate;
  const isJson = template.trimStart().startsWith("{");
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] ?? "";
    if (char === "<") {
      const match = /^<([A-Za-z0-9_\-.]+)>/.exec(template.slice(i));
      const name = match?.[1];
      if (match && name !== undefined && values.has(name)) {
        const value = values.get(name);
        if (isJson && !inString) out += value === undefined ? "null" : JSON.stringify(value);
        else out += value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
        i += match[0].length - 1;
        continue;
      }
    }
    if (char === "\\" && inString) {
      out += char + (template[i + 1] ?? "");
      i += 1;
      continue;
    }
    if (char === '"') inString = !inString;
    out += char;
  }
  return out;
}

/** EventBridge's dot paths: $.a.b-c.d, with [n] array indices. */
function valueAt(event: unknown, path: string): unknown {
  if (path === "$") return event;
  if (!path.startsWith("$.")) return undefined;
  let current: unknown = event;
  for (const segment of path.slice(2).split(".")) {
    const parts = /^([^[\]]+)((\[\d+\])*)$/.exec(segment);
    if (!parts) return undefined;
    current = isRecord(current) ? current[parts[1] ?? ""] : undefined;
    for (const index of (parts[2] ?? "").match(/\d+/g) ?? []) {
      current = Array.isArray(current) ? (current as unknown[])[Number(index)] : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
