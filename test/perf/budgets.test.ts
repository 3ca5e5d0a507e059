/**
 * Performance budgets as counts, never times: API calls, writes and round trips on the critical path (the
 * proxy adds latency so that calls issued together share a depth), and what `--help` loads.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalAws, type LocalAws } from "../../tools/local-aws/env.js";
import { runCli } from "../helpers/cli.js";

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
    expect(aws.proxy.maxDepth()).toBeLessThanOrEqual(2);
  });

  it("a no-op re-run with a policy file is still at most 2 round trips deep", async () => {
    writeFileSync(join(cwd, "policy.json"), JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }] }));
    expect((await runCli(["init", "--yes", "--policy-file", "policy.json"], { env: aws.env, cwd })).code).toBe(0);
    aws.proxy.resetCalls();
    const run = await runCli(["init", "--yes"], { env: aws.env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
    expect(aws.proxy.maxDepth()).toBeLessThanOrEqual(2);
  });
});

describe("start-up", () => {
  it.each(["--help", "--version", "init --help", "status --help"])("`support-job %s` loads no AWS SDK module", async (command) => {
    const args = command.split(" ");
    const dir = mkdtempSync(join(tmpdir(), "support-job-loads-"));
    const log = join(dir, "loaded.txt");
    writeFileSync(log, "");
    // A resolve hook records every module URL the CLI loads (hooks run off-thread: write to a file).
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
    writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
    const run = await runCli(args, { env: { NODE_OPTIONS: `--import=${pathToFileURL(register).href}` } });
    expect(run.code, run.stderr).toBe(0);
    const loaded = readFileSync(log, "utf8").split("\n").filter(Boolean);
    expect(loaded.some((url) => url.includes("/dist/cli.js"))).toBe(true);
    expect(loaded.filter((url) => url.includes("@aws-sdk") || url.includes("@smithy"))).toEqual([]);
    expect(loaded.filter((url) => url.includes("@inquirer") || url.includes("/ora/"))).toEqual([]);
  });

  it("the same hook does see the SDK when a command needs it (the check above can fail)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-job-loads-"));
    const log = join(dir, "loaded.txt");
    const hooks = join(dir, "hooks.mjs");
    writeFileSync(hooks, `import { appendFileSync } from "node:fs";
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }`);
    const register = join(dir, "register.mjs");
    writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
    await runCli(["init", "--yes", "--dry-run", ...FLAGS], { env: { ...aws.env, NODE_OPTIONS: `--import=${pathToFileURL(register).href}` }, cwd: dir });
    expect(readFileSync(log, "utf8")).toContain("@aws-sdk/client-codebuild");
  });
});
