// An HTTP proxy between the AWS SDK and moto: a call log with critical-path depth, latency, fault injection,
// and CodeBuild answered the way AWS answers (see proxy-codebuild.ts).
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { headerValue, identifyCall, isWrite } from "./aws-protocol.js";
import { FaultRules, faultLabel, faultOutcome, seededRandom, type FaultHandle, type FaultRule } from "./faults.js";
import { CodeBuildEmulation, type BuildControl, type Upstream } from "./proxy-codebuild.js";
import { handleCloudWatch } from "./proxy-cloudwatch.js";

export type { FaultRule } from "./faults.js";
export type { BuildSettings, BuildStep } from "./codebuild-builds.js";

/**
 * Calls whose user agent carries this marker (the harness's own read-back clients, see aws-env.ts) are
 * forwarded and rewritten like any other, but never logged, delayed or faulted.
 */
export const HARNESS_USER_AGENT = "support-job-test-harness";

export interface CallRecord {
  service: string;
  action: string;
  write: boolean;
  /** HTTP status sent; 0 when the proxy dropped the connection or never answered. */
  status: number;
  /** Epoch milliseconds (fractional) when the request arrived and when its answer was fully sent. */
  startedAt: number;
  endedAt: number;
  /** Round trips on the critical path: 1 + the deepest call that had completed when this one arrived. */
  depth: number;
  /** The fault that answered this call instead of moto. */
  injected?: string;
  /** The client's x-amz-user-agent and user-agent headers, joined: what the SDK says about its configuration. */
  userAgent: string;
}

type CallFilter = { service?: string; action?: string | RegExp; write?: boolean; injected?: boolean } | ((call: CallRecord) => boolean);

export interface ProxyOptions {
  /** moto's URL. */
  target: string;
  /** Added before each request is handled. */
  latencyMs?: number;
  /** Seed for probabilistic faults; same seed, same failures. */
  seed?: number;
  /** Write a few CloudWatch Logs lines for every build at StartBuild (the demo uses it). */
  buildLogs?: boolean;
}

export interface AwsProxy {
  readonly url: string;
  readonly port: number;
  latencyMs: number;
  /** Completed calls in completion order ("hang" calls are logged when they start hanging). */
  readonly calls: readonly CallRecord[];
  resetCalls(): void;
  writes(): CallRecord[];
  reads(): CallRecord[];
  count(filter?: CallFilter): number;
  /** Deepest call since the last resetCalls: the number of sequential round trips. */
  maxDepth(): number;
  addFault(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  /** Called after each logged call; returns an unsubscribe function. */
  onCall(listener: (call: CallRecord) => void): () => void;
  readonly builds: BuildControl;
  /** Forget calls, faults, latency and all CodeBuild bookkeeping. Pair it with moto.reset() (LocalAws.reset does both). */
  reset(): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host", "expect", "upgrade"]);

export async function startProxy(options: ProxyOptions): Promise<AwsProxy> {
  const target = new URL(options.target);
  const random = seededRandom(options.seed ?? 42);
  let faults = new FaultRules(random);
  let calls: CallRecord[] = [];
  let generation = 0;
  let deepestCompleted = 0;
  let latencyMs = options.latencyMs ?? 0;
  const listeners = new Set<(call: CallRecord) => void>();
  const sockets = new Set<Socket>();

  const forward = (method: string, path: string, headers: IncomingMessage["headers"], body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const outgoing: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) outgoing[name] = value;
      }
      outgoing["content-length"] = String(body.length);
      const upstream = request({ host: target.hostname, port: target.port, method, path, headers: outgoing }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      upstream.on("error", reject);
      upstream.end(body);
    });

  // The proxy's own calls to moto: signed-looking headers so moto routes them, never logged.
  const motoJson = async (service: string, targetName: string, payload: unknown): Promise<{ status: number; json: unknown }> => {
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": targetName,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    };
    const answer = await forward("POST", "/", headers, Buffer.from(JSON.stringify(payload), "utf8"));
    let json: unknown;
    try {
      json = JSON.parse(answer.body.toString("utf8"));
    } catch {
      json = undefined;
    }
    return { status: answer.status, json };
  };

  const codebuild = new CodeBuildEmulation(motoJson, { buildLogs: options.buildLogs ?? false });

  const send = (res: ServerResponse, upstream: Upstream): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers["content-length"] = String(upstream.body.length);
    res.writeHead(upstream.status, headers);
    res.end(upstream.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Taken before any await: what had completed when this request arrived decides its depth.
    const arrivedAt = now();
    const depth = deepestCompleted + 1;
    const callGeneration = generation;
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const identity = identifyCall(method, path, req.headers, body);
    const upstreamFor = async (): Promise<Upstream> => {
      const passThrough = (rewritten: Buffer): Promise<Upstream> => forward(method, path, req.headers, rewritten);
      if (identity.service === "codebuild") {
        const emulated = await codebuild.handle(identity.action, body, identity.region, passThrough);
        if (emulated !== undefined) return emulated;
      }
      if (identity.service === "monitoring") {
        const emulated = await handleCloudWatch(identity.action, body, motoJson);
        if (emulated !== undefined) return emulated;
      }
      return passThrough(body);
    };

    const userAgent = `${headerValue(req.headers, "x-amz-user-agent") ?? ""} ${headerValue(req.headers, "user-agent") ?? ""}`;
    if (path.startsWith("/moto-api") || userAgent.includes(HARNESS_USER_AGENT)) {
      send(res, await upstreamFor());
      return;
    }

    const record: CallRecord = {
      service: identity.service,
      action: identity.action,
      write: isWrite(identity.action),
      status: 0,
      startedAt: arrivedAt,
      endedAt: arrivedAt,
      depth,
      userAgent: userAgent.trim(),
    };
    const finish = (status: number, completed: boolean): void => {
      record.status = status;
      record.endedAt = now();
      if (callGeneration !== generation) return;
      if (completed) deepestCompleted = Math.max(deepestCompleted, record.depth);
      calls.push(record);
      for (const listener of listeners) listener(record);
    };

    // Logged once the answer is fully sent, or with status 0 if the client went away first.
    const finishWhenSent = (status: number): void => {
      let settled = false;
      const settle = (sent: number): void => {
        if (settled) return;
        settled = true;
        finish(sent, true);
      };
      res.once("finish", () => settle(status));
      res.once("close", () => settle(0));
    };

    if (latencyMs > 0) await sleep(latencyMs);
    const fault = faults.match(identity.service, identity.action);
    if (fault === undefined) {
      const upstream = await upstreamFor();
      finishWhenSent(upstream.status);
      send(res, upstream);
      return;
    }

    record.injected = faultLabel(fault);
    const outcome = faultOutcome(fault, { ...identity, body, path });
    switch (outcome.kind) {
      case "respond":
        finishWhenSent(outcome.response.status);
        send(res, {
          status: outcome.response.status,
          headers: outcome.response.headers,
          body: Buffer.from(outcome.response.body, "utf8"),
        });
        return;
      case "drop":
        req.socket.destroy();
        finish(0, true);
        return;
      case "hang":
        // Never answered; close() destroys the socket. Logged now so a test can react to it.
        finish(0, false);
        return;
      case "lostResponse": {
        // The call takes effect in moto, then the connection dies before the answer: the SDK retries a done call.
        await upstreamFor();
        req.socket.destroy();
        finish(0, true);
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // moto down or a bug in the proxy: a 502 the SDK treats as transient, with the reason for whoever looks.
      if (!res.headersSent) {
        const message = error instanceof Error ? error.message : String(error);
        res.writeHead(502, { "content-type": "application/json", "x-amzn-errortype": "ProxyError" });
        res.end(JSON.stringify({ __type: "ProxyError", message: `test proxy: ${message}` }));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const matches = (call: CallRecord, filter: CallFilter | undefined): boolean => {
    if (filter === undefined) return true;
    if (typeof filter === "function") return filter(call);
    if (filter.service !== undefined && call.service !== filter.service) return false;
    if (filter.action !== undefined) {
      const ok = typeof filter.action === "string" ? call.action === filter.action : filter.action.test(call.action);
      if (!ok) return false;
    }
    if (filter.write !== undefined && call.write !== filter.write) return false;
    if (filter.injected !== undefined && (call.injected !== undefined) !== filter.injected) return false;
    return true;
  };

  const resetCalls = (): void => {
    // Calls still in flight belong to the old generation and are not logged when they finish.
    generation += 1;
    calls = [];
    deepestCompleted = 0;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get latencyMs() {
      return latencyMs;
    },
    set latencyMs(value: number) {
      latencyMs = value;
    },
    get calls() {
      return calls;
    },
    resetCalls,
    writes: () => calls.filter((call) => call.write),
    reads: () => calls.filter((call) => !call.write),
    count: (filter) => calls.filter((call) => matches(call, filter)).length,
    maxDepth: () => calls.reduce((deepest, call) => Math.max(deepest, call.depth), 0),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    onCall: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    builds: codebuild.builds,
    reset: () => {
      resetCalls();
      faults = new FaultRules(seededRandom(options.seed ?? 42));
      latencyMs = options.latencyMs ?? 0;
      codebuild.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
