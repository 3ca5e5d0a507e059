// The README's way to run support-job from a clone before it is on the registry: pack it, install the tarball
// globally (here into a temporary prefix), and run the installed command against the local AWS.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { CLI } from "../helpers/cli.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "support-job-packed-"));
const aws = useLocalAws();

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
});

it("the packed tarball installs globally, and its support-job command shows help and plans a job against the local AWS", { timeout: 300_000 }, async () => {
  const npm = (...args: string[]) => execFileSync("npm", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  // npm test has just built dist/: packing skips the prepare script's second build.
  npm("pack", "--ignore-scripts", "--silent", "--pack-destination", scratch);
  const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"));
  expect(tarball).toMatch(/^support-job-\d+\.\d+\.\d+\.tgz$/);
  const prefix = join(scratch, "prefix");
  npm("install", "--global", "--prefix", prefix, join(scratch, tarball ?? ""), "--no-audit", "--no-fund", "--prefer-offline");

  const installed = join(prefix, "bin", "support-job");
  const work = join(scratch, "work");
  mkdirSync(work);
  // Not spawnSync: the local AWS proxy runs in this process and must keep answering.
  const supportJob = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(installed, args, { cwd: work, env: { ...aws.env, CI: "true", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.once("error", reject);
      child.once("close", (status) => resolve({ status, stdout, stderr }));
    });

  const help = await supportJob(["--help"]);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: support-job /);

  const plan = await supportJob([
    "init",
    "--dry-run",
    "--yes",
    "--name",
    "nightly-cleanup",
    "--repo",
    "https://github.com/acme/ops-scripts.git",
    "--branch",
    "support-jobs",
    "--schedule",
    "cron(0 7 ? * MON-FRI *)",
    "--email",
    "ops@example.com",
  ]);
  expect(plan.stderr).not.toMatch(/\n\s+at /);
  expect(plan.status).toBe(0);
  expect(plan.stdout).toContain("Plan for job nightly-cleanup in us-east-1 (account 123456789012)");
  expect(plan.stdout).toMatch(/\+ create\s+CodeBuild project\s+nightly-cleanup/);
  expect(aws.proxy.writes()).toEqual([]);
  expect(aws.proxy.reads().length).toBeGreaterThan(0);
});
