// A moto_server child process on a free loopback port, one per test file (servers share no state).
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { ensureMotoServer, localAwsDir, MOTO_SERVER_VARIABLE } from "./provision.js";

export interface Moto {
  url: string;
  port: number;
  pid: number;
  /** Clears every service's state (~4 ms). */
  reset(): Promise<void>;
  /** Kills the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const RUNNING_ON = /Running on http:\/\/127\.0\.0\.1:(\d+)/;

/** Servers this process started and has not stopped yet: the exit and signal handlers kill them. */
const live = new Set<ChildProcess>();
let cleanupInstalled = false;

export async function startMoto(): Promise<Moto> {
  installCleanup();
  // The pinned moto from the PATH, or the project's own copy, installed on first use.
  const { motoServer } = await ensureMotoServer();
  // No shell: the pid we hold is the server's, so stop() and the exit handler kill the server itself.
  const child = spawn(motoServer, ["-H", "127.0.0.1", "-p", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  live.add(child);
  child.once("exit", () => live.delete(child));

  const port = await waitForPort(child, motoServer);
  const pid = child.pid;
  if (pid === undefined) throw new Error("moto_server started without a pid");
  const url = `http://127.0.0.1:${port}`;
  startWatchdog(pid);
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }

  return {
    url,
    port,
    pid,
    async reset() {
      const { status } = await send(url, "POST", "/moto-api/reset");
      if (status !== 200) throw new Error(`moto reset answered HTTP ${status}`);
    },
    stop: () => stopChild(child),
  };
}

/** Resolves with the port once moto prints its address; keeps draining output so moto never blocks on a full pipe. */
function waitForPort(child: ChildProcess, motoServer: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      fail(new Error(`moto_server did not report its port within ${STARTUP_TIMEOUT_MS} ms:\n${tail.join("")}`));
    }, STARTUP_TIMEOUT_MS);
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      if (settled) return;
      tail.push(text);
      if (tail.length > 50) tail.shift();
      const match = RUNNING_ON.exec(tail.join(""));
      if (match?.[1] !== undefined) {
        settled = true;
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    // moto logs every request on stderr: reading must go on for the server's whole life.
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("error", (error: NodeJS.ErrnoException) => {
      fail(
        error.code === "ENOENT"
          ? new Error(`${motoServer} not found: unset ${MOTO_SERVER_VARIABLE}, or remove ${localAwsDir()} to install the emulator again`)
          : error,
      );
    });
    child.once("exit", (code, signal) => {
      fail(new Error(`moto_server exited early (code ${code}, signal ${signal}):\n${tail.join("")}`));
    });
  });
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("moto_server exited before answering");
    try {
      // GET / is S3 ListBuckets: cheap and touches nothing.
      const { status } = await send(url, "GET", "/");
      if (status < 500) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`moto_server at ${url} did not answer within ${STARTUP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function send(base: string, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      live.delete(child);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  // 'exit' handlers must be synchronous: a kill signal is, waiting for the exit is not needed.
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = (): void => {
      killAll();
      process.off(signal, onSignal);
      // Without other listeners, re-raise so the process still dies the way the signal asked.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * SIGKILL of the test process (OOM, a killed vitest worker) runs no handler at all, so a tiny detached
 * watcher kills the server once this process is gone. It exits by itself when the server exits.
 */
function startWatchdog(serverPid: number): void {
  const script = `
    const [parent, server] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    process.on("SIGINT", () => {});
    setInterval(() => {
      if (!alive(server)) process.exit(0);
      if (!alive(parent)) { try { process.kill(server, "SIGKILL"); } catch {} process.exit(0); }
    }, 500);
  `;
  const watcher = spawn(process.execPath, ["-e", script, String(process.pid), String(serverPid)], {
    stdio: "ignore",
    detached: true,
  });
  watcher.on("error", () => undefined);
  watcher.unref();
}
