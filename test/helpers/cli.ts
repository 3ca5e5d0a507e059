/** Run the built CLI (dist/cli.js) as a user would: a child process with its own env, cwd and no TTY. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the process when this resolves (interruption tests). */
  killWhen?: Promise<unknown>;
  signal?: NodeJS.Signals;
  /** Another build's entry (a copy of dist/ a test changed) instead of dist/cli.js. */
  cli?: string;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, CI: "true", NO_COLOR: "1", ...options.env })) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [options.cli ?? CLI, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    void options.killWhen?.then(() => child.kill(options.signal ?? "SIGKILL"));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
