// A fresh `init --yes` through a proxy that throttles, fails and drops a share of the calls still ends with
// exactly the account a clean run leaves; a fault that persists stops it with one line, and a re-run finishes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnv } from "../../tools/local-aws/env.js";
import { useLocalAws } from "../helpers/local-aws.js";
import type { CliResult } from "../helpers/cli.js";
import { startProxy, type FaultRule } from "../../tools/local-aws/proxy.js";
import { cli, createTeamPolicy, describeRun, FULL_FLAGS, isolated, JOB, reasonLine, stackLines, workdir, ZONED_FLAGS } from "./helpers.js";
import { runInProcess } from "../helpers/run-in-process.js";
import { Results } from "./results.js";
import { snapshotAccount, countResources, type AccountSnapshot } from "./snapshot.js";

const results = new Results("faults", 1, "Faults: throttling, server errors, dropped connections, IAM propagation");

const CONFIGS = { utc: FULL_FLAGS, zoned: ZONED_FLAGS } as const;
type Config = keyof typeof CONFIGS;

/** 20% of all calls, reads and writes alike, fail in one of four transient ways (5% each). */
const SHARE = 0.2;
const TRANSIENT = ["throttle", "http500", "http503", "drop"] as const;
function transientFaults(share: number): FaultRule[] {
  const each = share / TRANSIENT.length;
  // Rules are tried in order and each draws on its own: scale them so each kind hits `each` of all calls.
  return TRANSIENT.map((fault, i) => ({ fault, probability: each / (1 - each * i) }));
}

const aws = useLocalAws();
const clean = new Map<Config, AccountSnapshot>();
const cleanWrites = new Map<Config, string[]>();
let injectedOnWrites = 0;

async function freshAccount(): Promise<void> {
  await aws.reset();
  await createTeamPolicy(aws.clients);
}

async function init(config: Config, proxyUrl: string, cwd = workdir()): Promise<CliResult> {
  return cli(["init", "--yes", ...CONFIGS[config]], { env: awsEnv(proxyUrl), cwd });
}

beforeAll(async () => {
  for (const config of Object.keys(CONFIGS) as Config[]) {
    await freshAccount();
    // The clean reference run, through the CLI's entry point in this process (the faulted runs below are real processes).
    const run = await runInProcess(["init", "--yes", ...CONFIGS[config]], { env: isolated(awsEnv(aws.endpoint)), cwd: workdir() });
    expect(run.code, describeRun(run)).toBe(0);
    clean.set(config, await snapshotAccount(aws.clients, JOB));
    cleanWrites.set(
      config,
      aws.proxy.writes().map((c) => `${c.service}.${c.action}`),
    );
  }
  results.set("resources in a clean run (UTC schedule)", countResources(clean.get("utc")!));
  results.set("resources in a clean run (time-zone schedule)", countResources(clean.get("zoned")!));
}, 120_000);

afterAll(async () => {
  results.write();
});

describe("transient faults on a share of the calls", () => {
  // Each seed gives its own proxy (own random sequence) over the same moto.
  const RUNS: { config: Config; seed: number }[] = [
    { config: "utc", seed: 1 },
    { config: "utc", seed: 2 },
    { config: "utc", seed: 3 },
    { config: "zoned", seed: 4 },
    { config: "zoned", seed: 5 },
  ];

  it.each(RUNS)(
    `with ${SHARE * 100}% of calls throttled, answered 500/503 or dropped (seed $seed, $config), a fresh init ends exactly like a clean run`,
    async ({ config, seed }) => {
      await freshAccount();
      const proxy = await startProxy({ target: aws.moto.url, seed });
      try {
        for (const rule of transientFaults(SHARE)) proxy.addFault(rule);
        const run = await init(config, proxy.url);
        const injected = proxy.calls.filter((c) => c.injected !== undefined);
        expect(run.code, describeRun(run)).toBe(0);
        expect(stackLines(run.stderr)).toEqual([]);
        expect(await snapshotAccount(aws.clients, JOB)).toEqual(clean.get(config));
        expect(injected.length).toBeGreaterThan(0);
        injectedOnWrites += injected.filter((c) => c.write).length;
        results.add("fresh inits under random transient faults (all ended like a clean run)");
        results.add("calls made by those inits", proxy.calls.length);
        results.add("transient faults injected and survived", injected.length);
        for (const kind of TRANSIENT) results.add(`  of which ${kind}`, injected.filter((c) => c.injected === kind).length);
      } finally {
        await proxy.close();
      }
    },
    90_000,
  );

  it("the faults hit writes too, not only the reads before them", () => {
    expect(injectedOnWrites).toBeGreaterThan(0);
    results.add("  of which on writes", injectedOnWrites);
  });

  it.each(["utc", "zoned"] as const)(
    "a write whose answer is lost after it took effect (every write, once; %s) is retried without leaving a duplicate",
    async (config) => {
      await freshAccount();
      const proxy = await startProxy({ target: aws.moto.url });
      try {
        const actions = [...new Set(cleanWrites.get(config)!.map((w) => w.split(".")[1]!))];
        for (const action of actions) proxy.addFault({ action, times: 1, fault: "lostResponse" });
        const run = await init(config, proxy.url);
        expect(run.code, describeRun(run)).toBe(0);
        const lost = proxy.calls.filter((c) => c.injected === "lostResponse");
        expect(new Set(lost.map((c) => c.action))).toEqual(new Set(actions));
        // No second subscription, no second policy version, no second target, the same tags.
        expect(await snapshotAccount(aws.clients, JOB)).toEqual(clean.get(config));
        results.add("writes whose answer was lost after they took effect (retried, no duplicate)", lost.length);
      } finally {
        await proxy.close();
      }
    },
    90_000,
  );
});

describe("IAM propagation", () => {
  it("CodeBuild refusing the new role twice: init waits, says so, and completes", async () => {
    await freshAccount();
    aws.proxy.addFault({ service: "codebuild", action: "CreateProject", times: 2, fault: "rolePropagation" });
    const run = await init("utc", aws.endpoint);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).toMatch(/creating CodeBuild project nightly-cleanup: waiting for the new IAM role to reach CodeBuild/);
    expect(aws.proxy.count({ action: "CreateProject", injected: true })).toBe(2);
    expect(aws.proxy.count({ action: "CreateProject", injected: false })).toBe(1);
    expect(await snapshotAccount(aws.clients, JOB)).toEqual(clean.get("utc"));
    results.add("IAM-propagation refusals waited out (CreateProject)", 2);
  }, 60_000);

  // Each service words the refusal its own way; each is waited out, none ends the init.
  const OTHER_SERVICES = [
    {
      config: "zoned" as const,
      service: "scheduler",
      action: "CreateSchedule",
      says: /creating time-zone schedule support-job-nightly-cleanup: waiting for the new IAM role to reach EventBridge Scheduler/,
    },
    {
      config: "utc" as const,
      service: "events",
      action: "PutTargets",
      says: /(schedule|alert) rule support-job-nightly-cleanup-(schedule|alerts): waiting for the new IAM role to reach EventBridge/,
    },
  ];
  it.each(OTHER_SERVICES)(
    "$action refusing the new role twice in its own words: init waits, says so, and completes",
    async ({ config, service, action, says }) => {
      await freshAccount();
      aws.proxy.addFault({ service, action, times: 2, fault: "rolePropagation" });
      const run = await init(config, aws.endpoint);
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stderr).toMatch(says);
      expect(aws.proxy.count({ action, injected: true })).toBe(2);
      expect(await snapshotAccount(aws.clients, JOB)).toEqual(clean.get(config));
      results.add(`IAM-propagation refusals waited out (${action})`, 2);
    },
    60_000,
  );
});

describe("a fault that persists", () => {
  const CASES: { what: string; rule: FaultRule; reason: RegExp }[] = [
    {
      what: "access denied on CreateTopic",
      rule: { service: "sns", action: "CreateTopic", fault: "accessDenied" },
      reason: /Creating the alert topic support-job-nightly-cleanup-alerts failed: access denied \(sns:CreateTopic\)\. .*README/,
    },
    {
      what: "HTTP 500 on every PutTargets",
      rule: { service: "events", action: "PutTargets", fault: "http500" },
      reason:
        /(schedule|alert) rule support-job-nightly-cleanup-(schedule|alerts) failed: AWS answered with a server error \(InternalFailure, HTTP 500\) after several retries/,
    },
    {
      // Throttling that never ends is left out: the SDK's throttling backoff makes it take ~15 s.
      what: "access denied on PutRolePolicy (each role is created, its policy is not)",
      rule: { service: "iam", action: "PutRolePolicy", fault: "accessDenied" },
      reason: /Creating the (CodeBuild service|schedule) role support-job-nightly-cleanup-use1-(build|start) failed: access denied \(iam:PutRolePolicy\)/,
    },
    {
      what: "every Subscribe connection dropped",
      rule: { service: "sns", action: "Subscribe", fault: "drop" },
      reason: /Creating the alert email subscription ops@example\.com failed: the connection to AWS kept failing \(ECONNRESET\)/,
    },
  ];

  it.each(CASES)(
    "$what: init stops with exit 1 and one line naming the resource and the error; a re-run without it finishes the job",
    async ({ rule, reason }) => {
      await freshAccount();
      const handle = aws.proxy.addFault(rule);
      const cwd = workdir();
      const failed = await init("utc", aws.endpoint, cwd);
      expect(failed.code, describeRun(failed)).toBe(1);
      const line = reasonLine(failed.stderr);
      expect(line, describeRun(failed)).toMatch(reason);
      expect(line).toMatch(/^✘ .*Fix the cause and run `support-job init --yes` again to finish\.$/);
      expect(stackLines(failed.stderr)).toEqual([]);
      expect(handle.hits).toBeGreaterThan(0);

      handle.remove();
      // The user's re-run: support-job.json was saved before applying, so no flags are needed.
      const rerun = await cli(["init", "--yes"], { env: awsEnv(aws.endpoint), cwd });
      expect(rerun.code, describeRun(rerun)).toBe(0);
      expect(await snapshotAccount(aws.clients, JOB)).toEqual(clean.get("utc"));
      results.add("persistent faults: init stopped with one line, a re-run finished the job");
      results.add("calls failed by persistent faults", handle.hits);
    },
    90_000,
  );
});
