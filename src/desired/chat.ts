/**
 * Alerts to chat, as pure data: `--alert-webhook [kind=]URL` parsing, and for each kind of chat service the
 * EventBridge input transformer that turns a failed-run event (and the missed-run alarm's state change) into the
 * JSON body that service expects, plus a local renderer that fills a template the way EventBridge does, so tests
 * check the exact body each service receives.
 *
 * EventBridge does not escape the values it extracts: a value with a quote or a backslash inserted into a JSON
 * string breaks the body (AWS's InputTransformer reference shows placeholders inside quoted strings, with no
 * escaping). So the templates extract only values that cannot hold such characters: enums (build status, phase,
 * alarm state), the event time, AWS-made ARNs and the log deep link. Free text (current-phase-context, the alarm's
 * reason) is left out; the job name, known when the rule is made, is written into the template as a literal.
 * The webhook URL carries the secret (Slack, Discord, Teams' sig=...): errors and display show only its origin.
 */
import { createHash } from "node:crypto";
import { InputError } from "../errors.js";

export type ChatKind = "slack" | "teams" | "discord" | "generic";
export const CHAT_KINDS: readonly ChatKind[] = ["slack", "teams", "discord", "generic"];

export interface AlertWebhook {
  readonly kind: ChatKind;
  /** The full URL: a secret. Never print it, never write it to support-job.json. */
  readonly url: string;
  /** Safe to show: scheme and host only, e.g. "https://hooks.slack.com/…". */
  readonly display: string;
  /** Stable, secret-free key for naming the connection and API destination: kind + 8 hex of the URL's hash. */
  readonly key: string;
}

const FIELD = "--alert-webhook";
const EXAMPLE = "--alert-webhook https://hooks.slack.com/services/T000/B000/XXXX";
/** botocore events model, HttpsEndpoint (an API destination's InvocationEndpoint): max 2048 and this pattern. */
const MAX_ENDPOINT_LENGTH = 2048;
const ENDPOINT_PATTERN = /^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$/;

export function parseAlertWebhook(value: string): AlertWebhook {
  const text = value.trim();
  let forced: ChatKind | undefined;
  let urlText = text;
  const prefix = /^([A-Za-z]+)=(.*)$/s.exec(text);
  if (prefix && !/^https?:/i.test(text)) {
    const name = (prefix[1] ?? "").toLowerCase();
    if (!(CHAT_KINDS as readonly string[]).includes(name)) {
      throw new InputError(FIELD, `unknown kind ${JSON.stringify(name)}; use slack, teams, discord or generic`, `generic=https://example.com/hook`);
    }
    forced = name as ChatKind;
    urlText = (prefix[2] ?? "").trim();
  }
  if (urlText === "") throw new InputError(FIELD, "needs a webhook URL", EXAMPLE);

  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new InputError(FIELD, "is not a URL (the value is not shown: webhook URLs hold a secret)", EXAMPLE);
  }
  const display = `${url.protocol}//${url.host}/…`;
  if (url.protocol !== "https:") {
    throw new InputError(FIELD, `${url.protocol}//${url.host} must use https: EventBridge API destinations call only HTTPS endpoints`, EXAMPLE);
  }
  if (url.username !== "" || url.password !== "") {
    throw new InputError(FIELD, `${display} has a user name or password in it; give the URL the chat service gave you`, EXAMPLE);
  }
  if (urlText.length > MAX_ENDPOINT_LENGTH || !ENDPOINT_PATTERN.test(urlText)) {
    throw new InputError(
      FIELD,
      `${display} is over ${MAX_ENDPOINT_LENGTH} characters or has characters an API destination does not accept (spaces, quotes, #)`,
      EXAMPLE,
    );
  }
  if (/\.webhook\.office\.com$/i.test(url.hostname) || /outlook\.office(365)?\.com$/i.test(url.hostname)) {
    throw new InputError(
      FIELD,
      `${display} is an Office 365 connector webhook; Microsoft retired those: create a Teams "Workflows" webhook and give its URL`,
      "--alert-webhook https://prod-00.westeurope.logic.azure.com/workflows/…",
    );
  }
  const detected = detectKind(url);
  const kind = forced ?? detected;
  if (forced === undefined && detected === "discord" && !/^\/api\/webhooks\/[^/]+\/[^/]+/.test(url.pathname)) {
    throw new InputError(
      FIELD,
      `${display} is not a Discord webhook URL (…/api/webhooks/ID/TOKEN)`,
      "--alert-webhook https://discord.com/api/webhooks/123/abc",
    );
  }
  const hash = createHash("sha256").update(urlText).digest("hex").slice(0, 8);
  return { kind, url: urlText, display, key: `${kind}-${hash}` };
}

function detectKind(url: URL): ChatKind {
  const host = url.hostname.toLowerCase();
  if (host === "hooks.slack.com") return "slack";
  if (host.endsWith(".logic.azure.com") || host.endsWith(".environment.api.powerplatform.com")) return "teams";
  if (["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"].includes(host)) return "discord";
  return "generic";
}

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

/** The transformer for the missed-run alarm's CloudWatch Alarm State Change event (ALARM or OK). */
export function missedRunAlarmTransformer(kind: ChatKind, job: string, windowWords: string): InputTransformer {
  const j = literal(job);
  const w = literal(windowWords);
  const headline = `Support job ${j}: missed-run alarm <state> (was <previous>) at <time> (UTC).`;
  const meaning = `ALARM means no run succeeded in the last ${w}; OK means a run succeeded again.`;
  const look = `See why: support-job status --name ${j}`;
  const template = chatTemplate(kind, {
    lines: [headline, meaning, look],
    teams: {
      title: `Support job ${j}: missed-run alarm <state>`,
      facts: [
        ["State", "<state>"],
        ["Was", "<previous>"],
        ["Time (UTC)", "<time>"],
      ],
      footer: `${meaning} ${look}`,
      link: undefined,
    },
    generic: `"event": "missed-run-alarm", "job": "${j}", "state": "<state>", "previous": "<previous>", "time": "<time>", "text": "${headline} ${meaning}"`,
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

/** The rule pattern for the missed-run alarm's state changes into ALARM or back to OK. */
export function alarmStateEventPattern(alarmName: string): Record<string, unknown> {
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    detail: { alarmName: [alarmName], state: { value: ["ALARM", "OK"] } },
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
