/** Shared by the operate tests: a job set up with `init --yes` (in-process) in its own directory, and the CLI run there. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalAws } from "../../tools/local-aws/env.js";
import { runCli, type CliResult } from "./cli.js";
import { runInProcess } from "./run-in-process.js";
import { jobFlags } from "./constants.js";
import { jobConfig, jobNamesIn, readJobsFile } from "../../src/settings/file.js";

export { ACCOUNT } from "./constants.js";

export interface TestJob {
  name: string;
  cwd: string;
  /** The CLI in the job's directory, with a fast poll interval and UTC as the local zone. */
  cli(args: string[], options?: { env?: Record<string, string>; killWhen?: Promise<unknown>; signal?: NodeJS.Signals; cwd?: string }): Promise<CliResult>;
}

export function tempDir(prefix = "support-job-operate-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** What every CLI run of a test job sees: a fast poll interval and UTC as the local zone. */
function jobEnv(aws: LocalAws): Record<string, string> {
  return { ...aws.env, SUPPORT_JOB_POLL_MS: "50", TZ: "UTC" };
}

export function cliIn(aws: LocalAws, cwd: string): TestJob["cli"] {
  return (args, options = {}) =>
    runCli(args, {
      env: { ...jobEnv(aws), ...options.env },
      cwd: options.cwd ?? cwd,
      ...(options.killWhen ? { killWhen: options.killWhen } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
}

/**
 * `support-job init --yes` for a new job, through the CLI's entry point main(argv) in this process (no child
 * process: the job only needs to exist); throws with the CLI's stderr if it fails. The runs under test use `cli`.
 */
export async function setUpJob(aws: LocalAws, name: string, extra: string[] = [], files: Record<string, string> = {}): Promise<TestJob> {
  const cwd = tempDir();
  for (const [file, text] of Object.entries(files)) writeFileSync(join(cwd, file), text);
  const cli = cliIn(aws, cwd);
  const run = await runInProcess(["init", "--yes", ...jobFlags(name, extra)], { env: jobEnv(aws), cwd });
  if (run.code !== 0) throw new Error(`init ${name} failed (${run.code}):\n${run.stderr}`);
  return { name, cwd, cli };
}

export function json<T = Record<string, unknown>>(text: string): T {
  return JSON.parse(text) as T;
}

/** Enough of `status --json` (docs/status-json.md) for the tests to read into. */
export interface StatusDoc {
  schedule: { nextRuns: string[]; state: string } | null;
  runs: Record<string, unknown>[];
  drift: Record<string, unknown>;
  [key: string]: unknown;
}

/** Job `name`'s settings as support-job.json in `cwd` holds them (the defaults overlaid with its entry); the only job when no name. */
export function savedJob(cwd: string, name?: string): Record<string, unknown> {
  const file = readJobsFile(cwd);
  const job = name ?? jobNamesIn(file)[0];
  if (!job) throw new Error(`no job in ${cwd}/support-job.json`);
  return (jobConfig(file, job) ?? {}) as Record<string, unknown>;
}
