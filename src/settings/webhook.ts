/**
 * `--alert-webhook [kind=]URL`: which chat service a webhook URL belongs to, the checks an EventBridge API destination
 * needs of it, and the secret-free key support-job.json keeps in its place.
 * The webhook URL carries the secret (Slack, Discord, Teams' sig=...): errors and display show only its origin.
 */
import { createHash } from "node:crypto";
import { InputError } from "../errors.js";
import { CHAT_KINDS, type ChatKind } from "./types.js";

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
