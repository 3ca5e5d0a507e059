/**
 * `npm run bench`: what a user waits for is round trips to AWS and Node's start-up, so count both.
 * Starts moto behind the test proxy with a fixed latency per request (default 50 ms, like a real region),
 * runs the built CLI for each scenario, and prints API calls, round trips on the critical path and wall time.
 *
 *   npm run bench [-- --latency 50] [-- --runs 300]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { GetScheduleGroupCommand } from "@aws-sdk/client-scheduler";
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { startLocalAws, type AwsClients } from "../tools/local-aws/env.js";
import { runCli, type CliResult } from "../test/helpers/cli.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};
const LATENCY = arg("latency", 50);
const HISTORY = arg("runs", 300);
const STARTUP_SAMPLES = 15;
const JOB = "bench-job";

interface Row {
  scenario: string;
  reads: number;
  writes: number;
  roundTrips: number;
  wallMs: number;
  /** wall / latency: the round trips a user feels, CLI start-up included. */
  wallInLatencies: number;
  ok: boolean;
}

async function main(): Promise<void> {
  // The harness builds SDK clients in this process too; the Node 20 notice is noise in a benchmark.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const aws = await startLocalAws({ latencyMs: LATENCY });
  const cwd = mkdtempSync(join(tmpdir(), "support-job-bench-"));
  // moto loads each service's backend on its first request (about a second each): pay that before measuring,
  // so the figures are the CLI's and not the emulator's warm-up.
  await warmUp(aws.clients);
  const rows: Row[] = [];
  const measure = async (scenario: string, args: string[]): Promise<CliResult> => {
    aws.proxy.resetCalls();
    const started = performance.now();
    const result = await runCli(args, { env: aws.env, cwd });
    const wallMs = performance.now() - started;
    rows.push({
      scenario,
      reads: aws.proxy.reads().length,
      writes: aws.proxy.writes().length,
      roundTrips: aws.proxy.maxDepth(),
      wallMs: Math.round(wallMs),
      wallInLatencies: LATENCY ? Math.round((wallMs / LATENCY) * 10) / 10 : 0,
      ok: result.code === 0,
    });
    if (result.code !== 0) process.stderr.write(`bench: ${scenario} exited ${result.code}: ${result.stderr.trim().split("\n").pop() ?? ""}\n`);
    return result;
  };
  try {
    const flags = ["--name", JOB, "--repo", "https://github.com/acme/ops-scripts", "--schedule", "cron(0 3 * * ? *)", "--email", "ops@example.com"];
    await measure("fresh init --yes", ["init", "--yes", ...flags]);
    await measure("re-run init (no change)", ["init", "--yes"]);
    const now = Date.now();
    await aws.proxy.builds.createHistory(
      JOB,
      Array.from({ length: HISTORY }, (_, i) => ({
        status: i % 7 === 3 ? ("FAILED" as const) : ("SUCCEEDED" as const),
        startTime: new Date(now - (HISTORY - i) * 3_600_000),
        endTime: new Date(now - (HISTORY - i) * 3_600_000 + 240_000),
        initiator: `rule/support-job-${JOB}-schedule`,
      })),
    );
    await measure(`status (${HISTORY} past runs)`, ["status"]);
    await measure("run-now (start only)", ["run-now"]);
  } finally {
    await aws.stop();
  }

  const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
  const startup = (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < STARTUP_SAMPLES; i++) {
      const t = performance.now();
      spawnSync(process.execPath, args, { stdio: "ignore" });
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    return Math.round(samples[Math.floor(samples.length / 2)]!);
  };
  const nodeAlone = startup(["-e", ""]);
  const help = startup([cli, "--help"]);

  const table = [
    ["scenario", "reads", "writes", "round trips", "wall ms", "wall / latency"],
    ...rows.map((r) => [r.scenario + (r.ok ? "" : " (FAILED)"), r.reads, r.writes, r.roundTrips, r.wallMs, r.wallInLatencies]),
    ["support-job --help (median)", "-", "-", 0, help, "-"],
    ["node -e '' (median)", "-", "-", 0, nodeAlone, "-"],
  ].map((r) => r.map(String));
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  process.stdout.write(`support-job benchmark: ${LATENCY} ms added per AWS request, Node ${process.version}\n\n`);
  for (const [i, r] of table.entries()) {
    process.stdout.write(`${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")}\n`);
    if (i === 0) process.stdout.write(`${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  }
  const out = fileURLToPath(new URL("./results.json", import.meta.url));
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, latencyMs: LATENCY, scenarios: rows, startup: { helpMs: help, nodeMs: nodeAlone } }, null, 2)}\n`);
  process.stdout.write(`\nwritten to bench/results.json\n`);
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

async function warmUp(clients: AwsClients): Promise<void> {
  const ignore = (p: Promise<unknown>) => p.catch(() => undefined);
  await Promise.all([
    ignore(clients.sts.send(new GetCallerIdentityCommand({}))),
    ignore(clients.iam.send(new GetRoleCommand({ RoleName: "warm-up" }))),
    ignore(clients.codebuild.send(new BatchGetProjectsCommand({ names: ["warm-up"] }))),
    ignore(clients.events.send(new DescribeRuleCommand({ Name: "warm-up" }))),
    ignore(clients.sns.send(new ListTopicsCommand({}))),
    ignore(clients.scheduler.send(new GetScheduleGroupCommand({ Name: "warm-up" }))),
    ignore(clients.logs.send(new DescribeLogGroupsCommand({}))),
  ]);
}

await main();
