/**
 * The CLI's own entry point, `main(argv)` from src/cli.ts, run in this test process as a child would see it: the
 * same environment as `runCli` (CI, NO_COLOR, the test's variables, nothing else), no terminal, its own working
 * directory, stdout and stderr captured. Runs one at a time (they share process-wide state); a process.exit in
 * a command body is caught and reported as that exit code.
 */
import type { CliOptions, CliResult } from "./cli.js";

type Main = (argv: string[]) => Promise<number>;

class ProcessExit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

let loading: Promise<Main> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** The child's environment exactly, as runCli builds it. */
function childEnv(env: CliOptions["env"] = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, CI: "true", NO_COLOR: "1", ...env })) if (v !== undefined) out[k] = v;
  return out;
}

/** Runs `body` with process.env, cwd, the standard streams and process.exit swapped as a child's would be. */
async function asChild<T>(
  options: Pick<CliOptions, "env" | "cwd">,
  body: (output: { stdout: string; stderr: string }) => Promise<T>,
): Promise<{ value: T | undefined; exit: number | undefined; stdout: string; stderr: string }> {
  const saved = { env: process.env, cwd: process.cwd(), exit: process.exit, out: process.stdout.write, err: process.stderr.write };
  const tty = [process.stdin, process.stdout, process.stderr].map((stream) => stream.isTTY);
  const output = { stdout: "", stderr: "" };
  const capture = (key: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output[key] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  process.env = childEnv(options.env);
  if (options.cwd) process.chdir(options.cwd);
  for (const stream of [process.stdin, process.stdout, process.stderr]) stream.isTTY = false;
  process.stdout.write = capture("stdout");
  process.stderr.write = capture("stderr");
  process.exit = ((code?: number | string | null) => {
    throw new ProcessExit(Number(code ?? 0));
  }) as typeof process.exit;
  try {
    return { value: await body(output), exit: undefined, ...output };
  } catch (error) {
    if (error instanceof ProcessExit) return { value: undefined, exit: error.code, ...output };
    throw error;
  } finally {
    process.env = saved.env;
    process.chdir(saved.cwd);
    process.exit = saved.exit;
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    [process.stdin, process.stdout, process.stderr].forEach((stream, i) => (stream.isTTY = tty[i] ?? false));
  }
}

/**
 * src/cli.ts's `main`. While its last lines still run the CLI on import, that first run is handed a harmless
 * `--version` in a child-like process whose output is dropped; once the module is side-effect free this is a plain import.
 */
function loadMain(): Promise<Main> {
  loading ??= (async () => {
    const argv = process.argv;
    const exitCode = process.exitCode;
    process.argv = [argv[0] ?? process.execPath, "support-job", "--version"];
    try {
      const { value } = await asChild({}, async () => (await import("../../src/cli.js")).main);
      if (!value) throw new Error("src/cli.ts exited while it was imported");
      return value;
    } finally {
      process.argv = argv;
      process.exitCode = exitCode;
    }
  })();
  return loading;
}

/** `support-job ...args` through main(argv) in this process: its exit code, stdout and stderr, as runCli returns them. */
export function runInProcess(args: string[], options: Pick<CliOptions, "env" | "cwd"> = {}): Promise<CliResult> {
  const run = queue.then(async () => {
    const main = await loadMain();
    const { value, exit, stdout, stderr } = await asChild(options, () => main([process.execPath, "support-job", ...args]));
    return { code: exit ?? value ?? null, stdout, stderr };
  });
  queue = run.catch(() => undefined);
  return run;
}
