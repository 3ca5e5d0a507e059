/**
 * `npm run bench`: what a user waits for is round trips to AWS and Node's start-up, so count both.
 * Starts moto behind the test proxy with a fixed latency per request (default 50 ms, like a real region),
 * runs the built CLI for each scenario, and prints API calls, round trips on the critical path, the time from
 * process start to its first AWS request (the proxy's call log), and wall time; next to it (alternating run by run) the AWS CLI doing the
 * least `status` does (list-builds-for-project + batch-get-builds), `--help` next to `node -e ''`, and a cold
 * install of the packed tarball before (the last unbundled commit, built from git) and after the bundle.
 *
 * Also converging many jobs of one support-job.json: `apply --yes` with 1, 5 and 20 jobs, fresh and then no-op
 * (zero writes; round trips stay at 2 whatever the number of jobs). `--jobs-only` runs just that part.
 *
 *   npm run bench [-- --latency 50] [-- --runs 300] [-- --no-install] [-- --jobs-only]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { coldInstall, lastUnbundledCommit, packCommit, packTree, type InstallFigures } from "./install.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};
const LATENCY = arg("latency", 50);
const HISTORY = arg("runs", 300);
const STARTUP_SAMPLES = 15;
/** Runs of `status` and of the AWS CLI peer (alternating) whose medians are compared. */
const SAMPLES = 7;
const JOB = "bench-job";

interface Row {
  scenario: string;
  reads: number;
  writes: number;
  roundTrips: number;
  /** Process start to the first request reaching the proxy: Node start-up and module loading. */
  firstRequestMs: number;
  wallMs: number;
  /** wall / latency: the round trips a user feels, CLI start-up included. */
  wallInLatencies: number;
  ok: boolean;
}

async function main(): Promise<void> {
  // The harness builds SDK clients in this process too; the Node 20 notice is noise in a benchmark.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // The CLI's compile cache (src/compile-cache.ts) in a folder of this run's own: the first runs below write it, as a
  // user's first runs do, whatever an earlier bench or build left in the user's cache folder.
  const cacheHome = mkdtempSync(join(tmpdir(), "support-job-bench-cache-"));
  process.env.NODE_COMPILE_CACHE = cacheHome;
  const aws = await startLocalAws({ latencyMs: LATENCY });
  const cwd = mkdtempSync(join(tmpdir(), "support-job-bench-"));
  // moto loads each service's backend on its first request (about a second each): pay that before measuring,
  // so the figures are the CLI's and not the emulator's warm-up.
  await warmUp(aws.clients);
  const rows: Row[] = [];
  // `samples` > 1: each scenario's median run (a single run of a sub-second command is mostly noise). Scenarios
  // recorded together alternate run by run, so a machine that speeds up or slows down meanwhile (a shared 2-core
  // machine does, by 20% over minutes) weighs on both sides of a comparison alike.
  const recordTogether = async (scenarios: readonly { scenario: string; start: () => Promise<CliResult> }[], samples = 1): Promise<void> => {
    const runs = scenarios.map(() => [] as { result: CliResult; wallMs: number; first: number; reads: number; writes: number; depth: number }[]);
    for (let i = 0; i < samples; i++) {
      for (const [k, { start }] of scenarios.entries()) {
        aws.proxy.resetCalls();
        // The proxy stamps calls in epoch milliseconds (timeOrigin + now): the same clock here.
        const started = performance.timeOrigin + performance.now();
        const result = await start();
        const wallMs = performance.timeOrigin + performance.now() - started;
        const first = Math.min(...aws.proxy.calls.map((call) => call.startedAt)) - started;
        runs[k]!.push({ result, wallMs, first, reads: aws.proxy.reads().length, writes: aws.proxy.writes().length, depth: aws.proxy.maxDepth() });
      }
    }
    for (const [k, { scenario }] of scenarios.entries()) {
      const { result, wallMs, first, reads, writes, depth } = median(runs[k]!, (run) => run.wallMs);
      rows.push({
        scenario,
        reads,
        writes,
        roundTrips: depth,
        firstRequestMs: Number.isFinite(first) ? Math.round(first) : -1,
        wallMs: Math.round(wallMs),
        wallInLatencies: LATENCY ? Math.round((wallMs / LATENCY) * 10) / 10 : 0,
        ok: result.code === 0,
      });
      if (result.code !== 0) process.stderr.write(`bench: ${scenario} exited ${result.code}: ${result.stderr.trim().split("\n").pop() ?? ""}\n`);
    }
  };
  const record = (scenario: string, start: () => Promise<CliResult>) => recordTogether([{ scenario, start }]);
  const measure = (scenario: string, args: string[]) => record(scenario, () => runCli(args, { env: aws.env, cwd }));
  let peer: string;
  let wizard: number | string;
  const jobsOnly = process.argv.includes("--jobs-only");
  try {
    for (const count of [1, 5, 20]) {
      const dir = mkdtempSync(join(tmpdir(), "support-job-bench-jobs-"));
      const jobs = Object.fromEntries(Array.from({ length: count }, (_, i) => [`bench-many-${count}-${i + 1}`, { schedule: `rate(${i + 2} days)` }]));
      const defaults = { region: "us-east-1", account: "123456789012", repository: "https://github.com/acme/ops-scripts.git", email: "ops@example.com" };
      writeFileSync(join(dir, "support-job.json"), `${JSON.stringify({ version: 2, defaults, jobs }, null, 2)}\n`);
      await record(`apply --yes, ${count} job${count === 1 ? "" : "s"} (fresh)`, () => runCli(["apply", "--yes"], { env: aws.env, cwd: dir }));
      await record(`apply --yes, ${count} job${count === 1 ? "" : "s"} (no change)`, () => runCli(["apply", "--yes"], { env: aws.env, cwd: dir }));
    }
    if (jobsOnly) throw new JobsOnly();
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
    const status = { scenario: `status (${HISTORY} past runs), median of ${SAMPLES}`, start: () => runCli(["status"], { env: aws.env, cwd }) };
    const awsCli = awsCliPeer(aws.env);
    peer = typeof awsCli === "string" ? awsCli : "";
    // status and the AWS CLI script alternate, run by run: their ratio is the goal.
    await recordTogether(typeof awsCli === "string" ? [status] : [status, awsCli], SAMPLES);
    // Node reads the NODE_EXTRA_CA_CERTS file when it starts, before any of our code, whether or not TLS is used;
    // where it is set (this CI machine sets it), status is measured once more without it, for comparison only.
    if (process.env.NODE_EXTRA_CA_CERTS)
      await recordTogether(
        [
          {
            scenario: `status, NODE_EXTRA_CA_CERTS unset (comparison only)`,
            start: () => runCli(["status"], { env: { ...aws.env, NODE_EXTRA_CA_CERTS: undefined }, cwd }),
          },
        ],
        SAMPLES,
      );
    // Without the compile cache: every chunk parsed and compiled, as on a first run (comparison only).
    await recordTogether(
      [
        {
          scenario: `status, compile cache off (comparison only)`,
          start: () => runCli(["status"], { env: { ...aws.env, NODE_DISABLE_COMPILE_CACHE: "1" }, cwd }),
        },
      ],
      SAMPLES,
    );
    await measure("run-now (start only)", ["run-now"]);
    wizard = await firstQuestion(aws.env);
  } catch (error) {
    if (!(error instanceof JobsOnly)) throw error;
    peer = "not measured (--jobs-only)";
    wizard = "not measured (--jobs-only)";
  } finally {
    await aws.stop();
  }

  const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
  const startup = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const samples: number[] = [];
    for (let i = 0; i < STARTUP_SAMPLES; i++) {
      const t = performance.now();
      spawnSync(process.execPath, args, { stdio: "ignore", env });
      samples.push(performance.now() - t);
    }
    return Math.round(median(samples, (ms) => ms));
  };
  const nodeAlone = jobsOnly ? 0 : startup(["-e", ""]);
  const help = jobsOnly ? 0 : startup([cli, "--help"]);
  const withoutCaFile = { ...process.env, NODE_EXTRA_CA_CERTS: undefined };
  const nodeWithoutCa = jobsOnly || !process.env.NODE_EXTRA_CA_CERTS ? undefined : startup(["-e", ""], withoutCaFile);
  const helpWithoutCa = nodeWithoutCa === undefined ? undefined : startup([cli, "--help"], withoutCaFile);

  const table = [
    ["scenario", "reads", "writes", "round trips", "1st request ms", "wall ms", "wall / latency"],
    ...rows.map((r) => [r.scenario + (r.ok ? "" : " (FAILED)"), r.reads, r.writes, r.roundTrips, r.firstRequestMs, r.wallMs, r.wallInLatencies]),
    ["support-job --help (median)", "-", "-", 0, "-", help, "-"],
    ["node -e '' (median)", "-", "-", 0, "-", nodeAlone, "-"],
    ...(nodeWithoutCa === undefined
      ? []
      : [
          ["support-job --help, NODE_EXTRA_CA_CERTS unset (median)", "-", "-", 0, "-", helpWithoutCa ?? "-", "-"],
          ["node -e '', NODE_EXTRA_CA_CERTS unset (median)", "-", "-", 0, "-", nodeWithoutCa, "-"],
        ]),
    ["init wizard: first question shown (median)", "-", "-", "-", "-", wizard, "-"],
  ].map((r) => r.map(String));
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  process.stdout.write(`support-job benchmark: ${LATENCY} ms added per AWS request, Node ${process.version}\n\n`);
  for (const [i, r] of table.entries()) {
    process.stdout.write(`${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")}\n`);
    if (i === 0) process.stdout.write(`${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  }
  const status = rows.find((r) => r.scenario.startsWith("status"));
  const peerRow = rows.find((r) => r.scenario.startsWith("aws cli"));
  process.stdout.write(`\n--help / node -e '': ${(help / nodeAlone).toFixed(2)}x (goal: at most 1.3x)\n`);
  process.stdout.write(status && peerRow?.ok ? `AWS CLI peer / status: ${(peerRow.wallMs / status.wallMs).toFixed(2)}x (goal: at least 3x)\n` : `${peer}\n`);

  const installs = process.argv.includes("--no-install") || jobsOnly ? [] : measureInstalls();
  if (installs.length) {
    const rowsOut = [
      ["cold install (empty folder, empty npm cache)", "commit", "tarball kB", "install ms", "files", "MB", "MB on disk", "npx --help"],
      ...installs.map((i) =>
        [
          i.label + (i.error ? ` (FAILED: ${i.error})` : ""),
          i.commit.slice(0, 8),
          i.tarballKb,
          i.installMs,
          i.files,
          i.mb,
          i.diskMb,
          i.helpWorks ? "works" : "FAILS",
        ].map(String),
      ),
    ];
    const w = rowsOut[0]!.map((_, c) => Math.max(...rowsOut.map((r) => r[c]!.length)));
    process.stdout.write("\n");
    for (const [i, r] of rowsOut.entries()) {
      process.stdout.write(`${r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]!) : cell.padStart(w[c]!))).join("  ")}\n`);
      if (i === 0) process.stdout.write(`${w.map((x) => "-".repeat(x)).join("  ")}\n`);
    }
  }
  rmSync(cacheHome, { recursive: true, force: true });
  if (jobsOnly) return;
  const out = fileURLToPath(new URL("./results.json", import.meta.url));
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, latencyMs: LATENCY, scenarios: rows, startup: { helpMs: help, nodeMs: nodeAlone, withoutExtraCaCerts: nodeWithoutCa === undefined ? undefined : { helpMs: helpWithoutCa, nodeMs: nodeWithoutCa }, wizardFirstQuestionMs: wizard }, awsCliPeer: peerRow ? undefined : peer, install: installs }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten to bench/results.json\n`);
  if (rows.some((r) => !r.ok) || installs.some((i) => i.error || !i.helpWorks)) process.exitCode = 1;
}

/** The middle item of `items` by `by` (the upper one of the two middle items for an even count). */
function median<T>(items: readonly T[], by: (item: T) => number): T {
  return [...items].sort((a, b) => by(a) - by(b))[Math.floor(items.length / 2)]!;
}

/** `--jobs-only`: the many-jobs scenarios are measured, the rest is skipped. */
class JobsOnly extends Error {}

/**
 * The two calls a user would script with the AWS CLI to see the last runs (the CLI's own start-up included),
 * against the same proxy and latency; or why it is not measured when there is no `aws` command.
 */
function awsCliPeer(env: Record<string, string>): { scenario: string; start: () => Promise<CliResult> } | string {
  const version = spawnSync("aws", ["--version"], { encoding: "utf8" });
  if (version.status !== 0) return "the AWS CLI peer: not measured (no `aws` command here; Debian: apt-get install awscli)";
  const script = `ids=$(aws codebuild list-builds-for-project --project-name ${JOB} --max-items 20 --query 'ids' --output text | head -n 1) && aws codebuild batch-get-builds --ids $ids > /dev/null`;
  return {
    scenario: `aws cli: list-builds + batch-get-builds (${(version.stdout || version.stderr).split(" ")[0] ?? "aws"}), median of ${SAMPLES}`,
    start: () => shell(script, env),
  };
}

/** The wizard in a real terminal (util-linux `script` gives it a pty) until its first question is drawn. */
async function firstQuestion(env: Record<string, string>): Promise<number | string> {
  if (spawnSync("script", ["--version"], { stdio: "ignore" }).status !== 0) return "not measured (no `script` command for a terminal)";
  const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const cwd = mkdtempSync(join(tmpdir(), "support-job-bench-wizard-"));
    const ms = await new Promise<number>((resolve) => {
      const started = performance.now();
      const child = spawn("script", ["-qfc", `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} init`, "/dev/null"], {
        cwd,
        env: { ...env, TERM: "xterm-256color" },
        stdio: ["pipe", "pipe", "ignore"],
      });
      let screen = "";
      const give = (value: number) => {
        clearTimeout(timer);
        child.kill("SIGTERM");
        resolve(value);
      };
      const timer = setTimeout(() => give(-1), 20_000);
      child.stdout.on("data", (d: Buffer) => {
        screen += d.toString();
        if (screen.includes("Repository with the script")) give(Math.round(performance.now() - started));
      });
    });
    rmSync(cwd, { recursive: true, force: true });
    if (ms < 0) return "not measured (no question within 20 s)";
    samples.push(ms);
  }
  return median(samples, (ms) => ms);
}

function shell(script: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: "", stderr }));
  });
}

/** Before (the last commit with runtime dependencies, built from git) and after (this tree, already built). */
function measureInstalls(): InstallFigures[] {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const scratch = mkdtempSync(join(tmpdir(), "support-job-bench-pack-"));
  try {
    const figures: InstallFigures[] = [];
    const before = lastUnbundledCommit(root);
    if (before) figures.push(coldInstall("before: runtime dependencies", before, packCommit(root, before, scratch)));
    const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
    const afterDir = mkdtempSync(join(scratch, "after-"));
    figures.push(coldInstall("after: one bundle", head, packTree(root, afterDir)));
    return figures;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
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
