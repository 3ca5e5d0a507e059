/**
 * Performance budgets as counts, never times: API calls, writes and round trips on the critical path (the
 * proxy adds latency so that calls issued together share a depth), and which bundle chunks `--help` loads.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalAws, type LocalAws } from "../../tools/local-aws/env.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { METAFILE, outputsWith, ROOT } from "../../scripts/bundle.js";

const FLAGS = ["--name", "budget-job", "--repo", "https://github.com/acme/ops-scripts", "--schedule", "rate(1 day)", "--email", "ops@example.com"];

let aws: LocalAws;
let cwd: string;

beforeAll(async () => {
  // Enough latency that parallel calls overlap even on a slow CI core; depth comes from overlap, not from time.
  aws = await startLocalAws({ latencyMs: 400 });
  cwd = mkdtempSync(join(tmpdir(), "support-job-budget-"));
});
afterAll(async () => {
  await aws?.stop();
});

describe("round trips", () => {
  it("a fresh init is at most 4 round trips deep", async () => {
    aws.proxy.resetCalls();
    const run = await runCli(["init", "--yes", ...FLAGS], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.maxDepth()).toBeLessThanOrEqual(4);
  });

  it("a no-op re-run makes 0 writes and is at most 2 round trips deep, every read in parallel", async () => {
    aws.proxy.resetCalls();
    const run = await runCli(["init", "--yes"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
    expect(aws.proxy.maxDepth(), deepCalls()).toBeLessThanOrEqual(2);
  });

  it("a no-op re-run with a policy file is still at most 2 round trips deep", async () => {
    writeFileSync(
      join(cwd, "policy.json"),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }] }),
    );
    expect((await runCli(["init", "--yes", "--policy-file", "policy.json"], { env: aws.env, cwd })).code).toBe(0);
    aws.proxy.resetCalls();
    const run = await runCli(["init", "--yes"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
    expect(aws.proxy.maxDepth(), deepCalls()).toBeLessThanOrEqual(2);
  });

  it("status is at most 2 round trips deep", async () => {
    aws.proxy.resetCalls();
    const run = await runCli(["status"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.maxDepth(), deepCalls()).toBeLessThanOrEqual(2);
  });

  it("a time-zone job's status is at most 2 round trips deep, its schedule group's tags and its schedule read in the first", async () => {
    const zonedDir = mkdtempSync(join(tmpdir(), "support-job-budget-zoned-"));
    const zonedFlags = [
      "--name",
      "budget-zoned",
      "--repo",
      FLAGS[3]!,
      "--schedule",
      "cron(0 7 ? * MON-FRI *)",
      "--timezone",
      "Europe/Paris",
      "--email",
      FLAGS[7]!,
    ];
    const init = await runCli(["init", "--yes", ...zonedFlags], { env: aws.env, cwd: zonedDir });
    expect(init.code, init.stderr).toBe(0);
    aws.proxy.resetCalls();
    const run = await runCli(["status"], { env: aws.env, cwd: zonedDir });
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.maxDepth(), deepCalls()).toBeLessThanOrEqual(2);
    // support-job.json says the job is a time-zone one: the reads that wait for GetScheduleGroup when the group
    // may not be there go out with it.
    const scheduleReads = aws.proxy.calls.filter((c) => c.service === "scheduler").map((c) => `${c.action}@${c.depth}`);
    expect(scheduleReads.sort()).toEqual(["GetSchedule@1", "GetScheduleGroup@1", "ListTagsForResource@1"]);
  });
});

/** The calls past the first round trip, for a failure message: which reads went deep. */
const deepCalls = () =>
  aws.proxy.calls
    .filter((c) => c.depth > 1)
    .map((c) => `${c.service}.${c.action}@${c.depth}`)
    .join(" ");

describe("reads", () => {
  it("status (with support-job.json, so drift is checked) makes the reads of a no-op init but the 4 for the old IAM names", async () => {
    aws.proxy.resetCalls();
    expect((await runCli(["init", "--yes"], { env: aws.env, cwd })).code).toBe(0);
    const initReads = aws.proxy
      .reads()
      .map((c) => `${c.service}:${c.action}`)
      .sort();
    aws.proxy.resetCalls();
    const run = await runCli(["status"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/no drift|Drift/i);
    const statusReads = aws.proxy
      .reads()
      .map((c) => `${c.service}:${c.action}`)
      .sort();
    console.log(`reads: init ${initReads.length}, status ${statusReads.length}`);
    // The two lists' difference, both ways: status reads nothing init does not, and init's extra reads are GetRole
    // for the three region-less role names and GetPolicy for the old job policy.
    const initOnly = [...initReads];
    const statusOnly: string[] = [];
    for (const read of statusReads) {
      const at = initOnly.indexOf(read);
      if (at < 0) statusOnly.push(read);
      else initOnly.splice(at, 1);
    }
    expect(statusOnly).toEqual([]);
    expect(initOnly).toEqual(["iam:GetPolicy", "iam:GetRole", "iam:GetRole", "iam:GetRole"]);
  });

  it("status reads the policies of the roles a live job has alongside the roles: 2 round trips deep with IAM done in the first", async () => {
    aws.proxy.resetCalls();
    const run = await runCli(["status"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    const policyReads = aws.proxy.calls.filter((c) => /^(GetRolePolicy|ListRolePolicies|ListAttachedRolePolicies)$/.test(c.action));
    // The service role and the schedule rule's role (a UTC job), 3 reads each, all in the first round trip.
    expect(policyReads).toHaveLength(6);
    expect(policyReads.map((c) => c.depth)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("a job without webhooks: status makes no ListApiDestinations, no chat Describe and no chat-role read", async () => {
    aws.proxy.resetCalls();
    const run = await runCli(["status"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    const reads = aws.proxy.reads().map((c) => `${c.service}:${c.action}`);
    const count = (read: string) => reads.filter((r) => r === read).length;
    expect(count("events:ListApiDestinations")).toBe(0);
    expect(count("events:DescribeConnection") + count("events:DescribeApiDestination")).toBe(0);
    // The one sign of chat asked for: the job's connections (the alert rule's targets are its own read).
    expect(count("events:ListConnections")).toBe(1);
    expect(count("events:ListTargetsByRule")).toBe(2);
    // One GetRole per role name support-job could have made, but not the chat role or the old (region-less) names:
    // the service, schedule, scheduler and try roles. Policies only for the two roles the job has.
    expect(count("iam:GetRole")).toBe(4);
    expect(count("iam:GetRolePolicy")).toBe(2);
    expect(count("iam:ListRolePolicies")).toBe(2);
    // One DescribeAlarms names both alarms (the missed-run and the start-refused one); their tags are one read each.
    expect(count("monitoring:DescribeAlarms")).toBe(1);
  });

  it("a job with a chat webhook: a no-op init and status are still at most 2 round trips deep", async () => {
    // The chat reads that depend on another (the webhook's describes, the alarm chat rule's targets, tags and the
    // job's API destinations) all go out in the second round.
    const chatDir = mkdtempSync(join(tmpdir(), "support-job-budget-chat-"));
    const chatFlags = [...FLAGS.slice(2), "--name", "budget-chat", "--alert-webhook", "https://hooks.slack.com/services/T000/B000/XXXX"];
    expect((await runCli(["init", "--yes", ...chatFlags], { env: aws.env, cwd: chatDir })).code).toBe(0);
    for (const args of [["init", "--yes"], ["status"]]) {
      aws.proxy.resetCalls();
      const run = await runCli(args, { env: aws.env, cwd: chatDir });
      expect(run.code, run.stderr).toBe(0);
      expect(aws.proxy.writes()).toEqual([]);
      expect(aws.proxy.count({ service: "events", action: "DescribeApiDestination" }), args.join(" ")).toBeGreaterThan(0);
      expect(aws.proxy.maxDepth(), args.join(" ")).toBeLessThanOrEqual(2);
    }
  });
});

describe("start-up", () => {
  // Everything is bundled, so the hook sees dist/ files only: the metafile says which of them hold the SDK.
  const metafile = () => JSON.parse(readFileSync(METAFILE, "utf8")) as Metafile;
  const sdkChunks = () => outputsWith(metafile(), /node_modules\/(@aws-sdk|@smithy)\//);
  const promptChunks = () => outputsWith(metafile(), /node_modules\/(@inquirer|ora)\//);

  /**
   * Runs the CLI with hooks that record every module it loads, and each HTTP request it sends in the same file as it
   * leaves: `events` is the two in the order they happened. The bundle is CommonJS (its chunks are required, a
   * require() hook sees them); an ES module resolve hook (off-thread: hence a file) sees the entry as Node starts it.
   */
  async function loadedBy(
    args: string[],
    options: { env?: Record<string, string>; cwd?: string } = {},
  ): Promise<{ run: CliResult; loaded: string[]; events: string[] }> {
    const dir = mkdtempSync(join(tmpdir(), "support-job-loads-"));
    const log = join(dir, "loaded.txt");
    writeFileSync(log, "");
    const hooks = join(dir, "hooks.mjs");
    writeFileSync(
      hooks,
      `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
  return result;
}`,
    );
    const register = join(dir, "register.mjs");
    writeFileSync(
      register,
      `import { Module, register, syncBuiltinESMExports } from "node:module";
import { appendFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import http from "node:http";
import https from "node:https";
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const file = Module._resolveFilename(request, parent, isMain);
  if (isAbsolute(file)) appendFileSync(${JSON.stringify(log)}, pathToFileURL(file).href + "\\n");
  return load.apply(this, arguments);
};
for (const transport of [http, https]) {
  const send = transport.request;
  transport.request = function (...args) {
    appendFileSync(${JSON.stringify(log)}, "request\\n");
    return send.apply(this, args);
  };
}
syncBuiltinESMExports();
register(${JSON.stringify(pathToFileURL(hooks).href)});`,
    );
    const run = await runCli(args, { env: { ...options.env, NODE_OPTIONS: `--import=${pathToFileURL(register).href}` }, cwd: options.cwd ?? dir });
    const events = readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("file:") || line === "request")
      .map((line) => (line === "request" ? line : relative(ROOT, fileURLToPath(line)).split("\\").join("/")));
    return { run, loaded: events.filter((event) => event !== "request"), events };
  }

  it("the SDK and the prompts live in chunks of their own, apart from dist/cli.js", () => {
    expect(sdkChunks().length).toBeGreaterThan(0);
    expect(sdkChunks()).not.toContain("dist/cli.js");
    expect(promptChunks()).not.toContain("dist/cli.js");
  });

  it.each(["--help", "--version", "init --help", "status --help"])("`support-job %s` loads no chunk with AWS SDK, prompt or spinner code", async (command) => {
    const { run, loaded } = await loadedBy(command.split(" "));
    expect(run.code, run.stderr).toBe(0);
    expect(loaded).toContain("dist/cli.js");
    expect(loaded.filter((file) => sdkChunks().includes(file))).toEqual([]);
    expect(loaded.filter((file) => promptChunks().includes(file))).toEqual([]);
  });

  it.each(["--help", "-h", "init --help", "permissions try --help", "--version", "-v"])(
    "`support-job %s` is answered by dist/cli.js alone: no module of commander or the CLI is loaded",
    async (command) => {
      const { run, loaded } = await loadedBy(command.split(" "));
      expect(run.code, run.stderr).toBe(0);
      const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
      if (command === "--version" || command === "-v") expect(run.stdout).toBe(`${version}\n`);
      else expect(run.stdout).toMatch(/^Usage: support-job /);
      // esbuild's runtime helpers sit in a chunk that every entry imports; it holds no module of ours or a package's.
      const withModules = loaded.filter((file) => file.startsWith("dist/chunks/") && Object.keys(metafile().outputs[file]?.inputs ?? { missing: 1 }).length);
      expect(loaded).toContain("dist/cli.js");
      expect(withModules).toEqual([]);
    },
  );

  it("a bad input is refused (exit 2) without loading a chunk with AWS SDK code", async () => {
    aws.proxy.resetCalls();
    const { run, loaded } = await loadedBy(["init", "--yes", ...FLAGS.map((flag) => (flag === "budget-job" ? "budget job" : flag))], { env: aws.env });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("--name");
    expect(loaded.filter((file) => sdkChunks().includes(file))).toEqual([]);
    expect(aws.proxy.calls).toEqual([]);
  });

  it("status sends its first request before the last SDK client module is loaded: each client loads on its first use, in turn", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-job-first-request-"));
    expect((await runCli(["init", "--yes", ...FLAGS.map((f) => (f === "budget-job" ? "first-request-job" : f))], { env: aws.env, cwd: dir })).code).toBe(0);
    // The client modules: what src/aws/clients.ts imports on a client's first request (src/aws/sdk/*).
    const clientChunks = Object.entries(metafile().outputs)
      .filter(([, output]) => output.entryPoint?.startsWith("src/aws/sdk/"))
      .map(([file]) => file);
    const { run, events } = await loadedBy(["status"], { env: aws.env, cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const firstRequest = events.indexOf("request");
    const clientLoads = clientChunks.map((file) => events.indexOf(file)).filter((at) => at >= 0);
    expect(firstRequest).toBeGreaterThan(0);
    expect(clientLoads.length).toBeGreaterThanOrEqual(5);
    // Resolved after the request left, so evaluated after it too.
    expect(Math.max(...clientLoads)).toBeGreaterThan(firstRequest);
    expect(clientLoads.filter((at) => at > firstRequest).length, "client modules loaded after the first request").toBeGreaterThanOrEqual(3);
  });

  describe("the compile cache", () => {
    const node22 = Number(process.versions.node.split(".")[0]) >= 22;
    const fresh = () => mkdtempSync(join(tmpdir(), "support-job-compile-cache-"));
    // `help` (not --help or --version, which the entry answers itself) loads the CLI. NODE_COMPILE_CACHE names the
    // folder, on every platform (Node >= 22 keeps its own cache there).
    const helpIn = (folder: string, env: Record<string, string | undefined> = {}, cli?: string) =>
      runCli(["help"], { env: { NODE_COMPILE_CACHE: folder, NODE_DISABLE_COMPILE_CACHE: undefined, ...env }, cli });
    /** Every file under `folder`, by name (Node 20: `<chunk>.cache`, in a folder for the V8 version, then the command). */
    const cacheFiles = (folder: string): Map<string, string> => {
      if (!existsSync(folder)) return new Map();
      const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      return new Map(files.map((entry) => [entry.name, join(entry.parentPath, entry.name)]));
    };
    const inodes = (folder: string) => new Map([...cacheFiles(folder)].map(([name, path]) => [name, statSync(path).ino]));

    it.skipIf(process.platform !== "linux")("is kept in the user's cache folder ($XDG_CACHE_HOME/support-job/compile-cache) by default", async () => {
      const home = fresh();
      const done = await runCli(["help"], { env: { XDG_CACHE_HOME: home, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined } });
      expect(done.code, done.stderr).toBe(0);
      expect(cacheFiles(join(home, "support-job", "compile-cache")).size).toBeGreaterThan(0);
    });

    it("a run that succeeds leaves one for each chunk it compiled, in its command's own folder (Node's own cache on Node >= 22)", async () => {
      const folder = fresh();
      const done = await helpIn(folder);
      expect(done.code, done.stderr).toBe(0);
      const files = cacheFiles(folder);
      expect(files.size).toBeGreaterThan(0);
      if (node22) return;
      const chunks = new Set(readdirSync(join(ROOT, "dist", "chunks")));
      for (const [name, path] of files) {
        expect(chunks.has(name.replace(/\.cache$/, "")), name).toBe(true);
        expect(basename(dirname(path)), name).toBe("help");
      }
    });

    it.skipIf(node22)("Node 20: the next run reads it (nothing is rewritten); one cut short or with bytes changed is written again", async () => {
      const folder = fresh();
      expect((await helpIn(folder)).code).toBe(0);
      const before = inodes(folder);
      expect((await helpIn(folder)).code).toBe(0);
      expect(inodes(folder)).toEqual(before);
      const [[cut, cutPath], [changed, changedPath]] = [...cacheFiles(folder)] as [[string, string], [string, string]];
      const whole = { cut: readFileSync(cutPath), changed: readFileSync(changedPath) };
      // Half a file (a full disk), and the same length with bytes changed in the middle (a disk fault): V8 checks
      // only the length and would crash on the second; the checksums refuse both, and the run goes on.
      writeFileSync(cutPath, whole.cut.subarray(0, whole.cut.length >> 1));
      const damaged = Buffer.from(whole.changed);
      damaged.fill(0x5a, damaged.length >> 1, (damaged.length >> 1) + 64);
      writeFileSync(changedPath, damaged);
      const done = await helpIn(folder);
      expect(done.code, done.stderr).toBe(0);
      // Both written again (new files), and good: the run after that rewrites nothing.
      const after = inodes(folder);
      expect(after.get(cut)).not.toBe(before.get(cut));
      expect(after.get(changed)).not.toBe(before.get(changed));
      expect(readFileSync(cacheFiles(folder).get(changed)!)).not.toEqual(damaged);
      expect((await helpIn(folder)).code).toBe(0);
      expect(inodes(folder)).toEqual(after);
    });

    it.skipIf(node22)("Node 20: a chunk changed in place, to the same length, is compiled anew, not run from the old cache", async () => {
      const folder = fresh();
      expect((await helpIn(folder)).code).toBe(0);
      const copy = join(fresh(), "dist");
      cpSync(join(ROOT, "dist"), copy, { recursive: true });
      const chunk = readdirSync(join(copy, "chunks")).find(
        (name) => name.endsWith(".cjs") && readFileSync(join(copy, "chunks", name), "utf8").includes("Run a support script"),
      );
      expect(chunk).toBeDefined();
      const path = join(copy, "chunks", chunk!);
      writeFileSync(path, readFileSync(path, "utf8").replace("Run a support script", "Run a SUPPORT script"));
      const done = await helpIn(folder, {}, join(copy, "cli.js"));
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain("Run a SUPPORT script");
    });

    it("a run that fails (a bad input), or NODE_DISABLE_COMPILE_CACHE=1, leaves none", async () => {
      const failed = fresh();
      expect((await runCli(["status", "--limit", "lots"], { env: { NODE_COMPILE_CACHE: failed, NODE_DISABLE_COMPILE_CACHE: undefined } })).code).toBe(2);
      if (!node22) expect(cacheFiles(failed).size).toBe(0);
      const disabled = fresh();
      expect((await helpIn(disabled, { NODE_DISABLE_COMPILE_CACHE: "1" })).code).toBe(0);
      expect(cacheFiles(disabled).size).toBe(0);
    });
  });

  it("the same hook does see an SDK chunk when a command needs it (the checks above can fail)", async () => {
    const { run, loaded } = await loadedBy(["init", "--yes", "--dry-run", ...FLAGS], { env: aws.env });
    expect(run.code, run.stderr).toBe(0);
    expect(loaded.filter((file) => sdkChunks().includes(file)).length).toBeGreaterThan(0);
  });
});
