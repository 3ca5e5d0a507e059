// How an AWS request names its service and action, and how each protocol spells an error.
import { randomUUID } from "node:crypto";
import { TEST_ACCOUNT } from "./account.js";

export const ACCOUNT_ID = TEST_ACCOUNT;

export type Protocol = "json" | "rest-json" | "query";

export interface CallIdentity {
  service: string;
  action: string;
  region: string;
}

/** The services support-job talks to, by SigV4 signing name. Anything else is treated as JSON. */
const PROTOCOLS: Record<string, Protocol> = {
  codebuild: "json",
  events: "json",
  logs: "json",
  // CloudWatch signs as "monitoring"; @aws-sdk/client-cloudwatch 3.1142 speaks JSON 1.0 to it (awsQueryCompatible),
  // which moto 5.2.1 answers. botocore's model also lists smithy-rpc-v2-cbor, which this SDK does not use.
  monitoring: "json",
  scheduler: "rest-json",
  iam: "query",
  sns: "query",
  sts: "query",
};

export function protocolOf(service: string): Protocol {
  return PROTOCOLS[service] ?? "json";
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

export function identifyCall(method: string, rawPath: string, headers: Record<string, string | string[] | undefined>, body: Buffer): CallIdentity {
  const authorization = headerValue(headers, "authorization") ?? "";
  const scope = CREDENTIAL_SCOPE.exec(authorization);
  const region = scope?.[1] ?? "us-east-1";
  const service = scope?.[2] ?? "unknown";

  const target = headerValue(headers, "x-amz-target");
  if (target !== undefined) {
    // "CodeBuild_20161006.StartBuild", "AWSEvents.PutRule", "Logs_20140328.GetLogEvents"
    return { service, region, action: target.slice(target.lastIndexOf(".") + 1) };
  }

  const url = new URL(rawPath, "http://localhost");
  const formAction = new URLSearchParams(body.toString("utf8")).get("Action") ?? url.searchParams.get("Action");
  if (formAction !== null && formAction !== "") return { service, region, action: formAction };

  if (service === "scheduler") return { service, region, action: schedulerAction(method, url.pathname) };
  return { service, region, action: `${method} ${url.pathname}` };
}

/** EventBridge Scheduler is REST-JSON: the operation is the method and the path's shape. */
export function schedulerAction(method: string, pathname: string): string {
  const segments = pathname.split("/").filter((segment) => segment !== "");
  const [collection, name] = segments;
  const verb = method.toUpperCase();
  if (collection === "tags") {
    if (verb === "GET") return "ListTagsForResource";
    if (verb === "POST") return "TagResource";
    if (verb === "DELETE") return "UntagResource";
  }
  const noun = collection === "schedules" ? "Schedule" : collection === "schedule-groups" ? "ScheduleGroup" : undefined;
  if (noun !== undefined) {
    if (name === undefined) return verb === "GET" ? `List${noun}s` : `${verb} /${collection}`;
    if (verb === "POST") return `Create${noun}`;
    if (verb === "GET") return `Get${noun}`;
    if (verb === "PUT") return `Update${noun}`;
    if (verb === "DELETE") return `Delete${noun}`;
  }
  return `${verb} ${pathname}`;
}

const READ_PREFIXES = ["Get", "List", "Describe", "BatchGet", "Head"];
const READ_ACTIONS = new Set(["FilterLogEvents"]);

/** Everything that is not a read changes something (StartBuild, AssumeRole and Subscribe included). */
export function isWrite(action: string): boolean {
  if (READ_ACTIONS.has(action)) return false;
  return !READ_PREFIXES.some((prefix) => action.startsWith(prefix));
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An error answer as the real service sends it, so the SDK parses `error.name` and `message` exactly as it would
 * from AWS. JSON protocols carry the code in `__type` and `x-amzn-ErrorType`; query protocols in `<Error><Code>`.
 */
export function awsError(
  service: string,
  code: { json: string; query: string },
  message: string,
  status: { json: number; query: number },
  senderFault = true,
): ErrorResponse {
  const requestId = randomUUID();
  if (protocolOf(service) === "query") {
    const body =
      `<ErrorResponse xmlns="${queryNamespace(service)}"><Error><Type>${senderFault ? "Sender" : "Receiver"}</Type>` +
      `<Code>${escapeXml(code.query)}</Code><Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status: status.query, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
  }
  const contentType = protocolOf(service) === "rest-json" ? "application/json" : "application/x-amz-json-1.1";
  return {
    status: status.json,
    headers: { "content-type": contentType, "x-amzn-errortype": code.json, "x-amzn-requestid": requestId },
    body: JSON.stringify({ __type: code.json, message }),
  };
}

function queryNamespace(service: string): string {
  if (service === "iam") return "https://iam.amazonaws.com/doc/2010-05-08/";
  if (service === "sts") return "https://sts.amazonaws.com/doc/2011-06-15/";
  return "http://sns.amazonaws.com/doc/2010-03-31/";
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
