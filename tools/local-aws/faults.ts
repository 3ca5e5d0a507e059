// Fault rules for the test proxy: which calls fail, and the exact answer AWS would give for each failure.
import { ACCOUNT_ID, awsError, protocolOf, type ErrorResponse } from "./aws-protocol.js";

type NamedFault =
  | "throttle"
  | "http500"
  | "http503"
  | "drop"
  | "hang"
  /** Not in the brief's list: moto does the call, then the connection dies before the answer (retry safety). */
  | "lostResponse"
  | "rolePropagation"
  | "accessDenied"
  | "expiredToken";

interface CustomFault {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export type Fault = NamedFault | CustomFault;

export interface FaultRule {
  service?: string;
  action?: string | RegExp;
  /** How many matching calls fail; default: all of them. */
  times?: number;
  /** Chance (0..1) that a matching call fails, drawn from the proxy's seeded generator. */
  probability?: number;
  fault: Fault;
}

export interface FaultHandle {
  readonly rule: FaultRule;
  /** How many calls this rule has failed so far. */
  readonly hits: number;
  remove(): void;
}

export interface FaultedCall {
  service: string;
  action: string;
  region: string;
  body: Buffer;
  path: string;
}

/** What the proxy does with a faulted call: answer with an error, or misbehave at the socket level. Only
 * "lostResponse" reaches moto; every other fault leaves moto untouched. */
export type FaultOutcome = { kind: "respond"; response: ErrorResponse } | { kind: "drop" } | { kind: "hang" } | { kind: "lostResponse" };

export function faultLabel(fault: Fault): string {
  return typeof fault === "string" ? fault : `custom ${fault.status}`;
}

/** Deterministic 0..1 generator (mulberry32) so a probabilistic fault run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultRules {
  private rules: Array<{ rule: FaultRule; hits: number }> = [];

  constructor(private readonly random: () => number) {}

  add(rule: FaultRule): FaultHandle {
    const entry = { rule, hits: 0 };
    this.rules.push(entry);
    return {
      rule,
      get hits() {
        return entry.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((candidate) => candidate !== entry);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The first rule that matches and still has failures left decides; each call consumes at most one. */
  match(service: string, action: string): Fault | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.service !== undefined && rule.service !== service) continue;
      if (rule.action !== undefined) {
        const matches = typeof rule.action === "string" ? rule.action === action : rule.action.test(action);
        if (!matches) continue;
      }
      if (entry.hits >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      entry.hits += 1;
      return rule.fault;
    }
    return undefined;
  }
}

export function faultOutcome(fault: Fault, call: FaultedCall): FaultOutcome {
  if (typeof fault !== "string") {
    return {
      kind: "respond",
      response: { status: fault.status, headers: { ...fault.headers }, body: fault.body },
    };
  }
  const { service, action } = call;
  const restJson = protocolOf(service) === "rest-json";
  switch (fault) {
    case "drop":
      return { kind: "drop" };
    case "hang":
      return { kind: "hang" };
    case "lostResponse":
      return { kind: "lostResponse" };
    case "throttle":
      // Scheduler's model gives ThrottlingException HTTP 429; the JSON-1.1 services answer 400.
      return respond(
        awsError(service, { json: "ThrottlingException", query: "Throttling" }, "Rate exceeded", {
          json: restJson ? 429 : 400,
          query: 400,
        }),
      );
    case "http500":
      return respond(
        awsError(
          service,
          { json: "InternalFailure", query: "InternalFailure" },
          "The request processing has failed because of an unknown error, exception or failure.",
          { json: 500, query: 500 },
          false,
        ),
      );
    case "http503":
      return respond(
        awsError(
          service,
          { json: "ServiceUnavailable", query: "ServiceUnavailable" },
          "The request has failed due to a temporary failure of the server.",
          { json: 503, query: 503 },
          false,
        ),
      );
    case "rolePropagation":
      return respond(rolePropagationError(call));
    case "accessDenied": {
      const permission = `${service}:${action}`;
      return respond(
        awsError(
          service,
          { json: "AccessDeniedException", query: "AccessDenied" },
          `User: arn:aws:iam::${ACCOUNT_ID}:user/dev is not authorized to perform: ${permission} on resource: ` +
            `${resourceOf(call)} because no identity-based policy allows the ${permission} action`,
          { json: restJson ? 403 : 400, query: 403 },
        ),
      );
    }
    case "expiredToken":
      return respond(
        awsError(service, { json: "ExpiredTokenException", query: "ExpiredToken" }, "The security token included in the request is expired", {
          json: restJson ? 403 : 400,
          query: 403,
        }),
      );
  }
}

/** Each service refuses a role IAM has not propagated yet in its own words (the ones reported against AWS). */
function rolePropagationError(call: FaultedCall): ErrorResponse {
  const { service } = call;
  if (service === "scheduler")
    // aws-sdk-js-v3 issue 6494: CreateSchedule right after the role's creation.
    return awsError(
      service,
      { json: "ValidationException", query: "ValidationException" },
      "The execution role you provide must allow AWS EventBridge Scheduler to assume the role.",
      { json: 400, query: 400 },
    );
  if (service === "events")
    // What Terraform's PutRule/PutTargets retry matches.
    return awsError(
      service,
      { json: "ValidationException", query: "ValidationException" },
      `Provided role '${stringField(parsedBody(call).json, "RoleArn") ?? `arn:aws:iam::${ACCOUNT_ID}:role/support-job-start`}' cannot be assumed by principal 'events.amazonaws.com'.`,
      { json: 400, query: 400 },
    );
  return awsError(
    service,
    { json: "InvalidInputException", query: "InvalidInput" },
    `CodeBuild is not authorized to perform: sts:AssumeRole on ${serviceRoleOf(call)}`,
    { json: 400, query: 400 },
  );
}

function respond(response: ErrorResponse): FaultOutcome {
  return { kind: "respond", response };
}

function parsedBody(call: FaultedCall): { json: Record<string, unknown>; form: URLSearchParams } {
  const text = call.body.toString("utf8");
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    // Query protocol bodies are forms.
  }
  return { json, form: new URLSearchParams(text) };
}

function stringField(source: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = source[name];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

function serviceRoleOf(call: FaultedCall): string {
  const role = stringField(parsedBody(call).json, "serviceRole");
  if (role === undefined) return `arn:aws:iam::${ACCOUNT_ID}:role/support-job-service-role`;
  return role.startsWith("arn:") ? role : `arn:aws:iam::${ACCOUNT_ID}:role/${role}`;
}

/** The ARN IAM would name in an access-denied message, as near as the request lets us tell. */
function resourceOf(call: FaultedCall): string {
  const { service, region } = call;
  const { json, form } = parsedBody(call);
  const prefix = `arn:aws:${service}:${region}:${ACCOUNT_ID}`;
  switch (service) {
    case "codebuild": {
      const project = stringField(json, "name", "projectName");
      return project === undefined ? `${prefix}:project/*` : `${prefix}:project/${project}`;
    }
    case "iam": {
      const role = form.get("RoleName");
      const policy = form.get("PolicyArn");
      if (policy !== null) return policy;
      return role === null ? `arn:aws:iam::${ACCOUNT_ID}:*` : `arn:aws:iam::${ACCOUNT_ID}:role/${role}`;
    }
    case "events": {
      const rule = stringField(json, "Name", "Rule");
      return rule === undefined ? `${prefix}:rule/*` : `${prefix}:rule/${rule}`;
    }
    case "sns": {
      const topicArn = form.get("TopicArn");
      const name = form.get("Name");
      return topicArn ?? (name === null ? `${prefix}:*` : `${prefix}:${name}`);
    }
    case "logs": {
      const group = stringField(json, "logGroupName");
      return group === undefined ? `${prefix}:log-group:*` : `${prefix}:log-group:${group}`;
    }
    case "scheduler": {
      const segments = new URL(call.path, "http://localhost").pathname.split("/").filter((s) => s !== "");
      const name = segments[0] === "schedules" ? segments[1] : undefined;
      return name === undefined ? `${prefix}:schedule/*` : `${prefix}:schedule/default/${decodeURIComponent(name)}`;
    }
    default:
      return "*";
  }
}
