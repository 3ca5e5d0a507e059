// Local AWS (moto + the test proxy) for the README's "try it" demo and the benchmark.
//
//   npx tsx tools/local-aws/serve.ts [--latency MS]
//
// Prints exactly one line on stdout when ready, `AWS_ENDPOINT_URL=http://127.0.0.1:PORT`, then runs until
// SIGTERM/SIGINT, until stdin closes when stdin is a pipe, or until a launcher process above it exits.
// Diagnostics go to stderr. Builds complete SUCCEEDED on their first BatchGetBuilds, with a few log lines.
//
// `npx` (npm exec) does not pass SIGTERM on to tsx: `kill $!` after `npx tsx tools/local-aws/serve.ts &` kills only npm.
// Hence the launcher watch below; `node --import tsx tools/local-aws/serve.ts` avoids the wrappers altogether.
import { fstatSync, readFileSync } from "node:fs";
import { startMoto } from "./moto.js";
import { startProxy } from "./proxy.js";

function parseLatency(argv: string[]): number {
  const index = argv.findIndex((arg) => arg === "--latency" || arg.startsWith("--latency="));
  if (index === -1) return 0;
  const arg = argv[index] ?? "";
  const raw = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[index + 1];
  const latency = Number(raw);
  if (raw === undefined || !Number.isFinite(latency) || latency < 0) {
    process.stderr.write(`local-aws: --latency needs a number of milliseconds, got ${String(raw)}\n`);
    process.exit(2);
  }
  return latency;
}

/** Our parent and its parents (up to npm/tsx wrappers and whoever started them), below init. Linux only. */
function launchers(): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  for (let level = 0; level < 4 && pid > 1; level += 1) {
    chain.push(pid);
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
  }
  return chain;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const latencyMs = parseLatency(process.argv.slice(2));
  const moto = await startMoto();
  const proxy = await startProxy({ target: moto.url, latencyMs, buildLogs: true });

  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`local-aws: stopping (${why})\n`);
    await proxy.close();
    await moto.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // Only a pipe's end means "the parent is gone": /dev/null or a terminal would end (or never end) at once.
  const stdin = fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on("end", () => void stop("stdin closed"));
    process.stdin.on("close", () => void stop("stdin closed"));
    process.stdin.resume();
  }

  const watched = launchers();
  setInterval(() => {
    if (watched.some((pid) => !isRunning(pid))) void stop("launcher exited");
  }, 1_000).unref();

  process.stdout.write(`AWS_ENDPOINT_URL=${proxy.url}\n`);
  process.stderr.write(`local-aws: moto pid ${moto.pid} at ${moto.url}, proxy latency ${latencyMs} ms\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`local-aws: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
