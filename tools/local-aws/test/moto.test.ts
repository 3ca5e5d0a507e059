// moto_server's life cycle: one per caller, reset, stop, and no server outliving a dead test process.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, describe, expect, it } from "vitest";
import { startMoto } from "../moto.js";

const here = dirname(fileURLToPath(import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "support-job-moto-test-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isRunning(pid);
}

describe("startMoto", () => {
  it("starts a server on a free port, resets it, and stops it by pid", async () => {
    const moto = await startMoto();
    try {
      expect(moto.url).toBe(`http://127.0.0.1:${moto.port}`);
      expect(isRunning(moto.pid)).toBe(true);
      const sns = new SNSClient({
        endpoint: moto.url,
        region: "us-east-1",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      });
      await sns.send(new CreateTopicCommand({ Name: "alerts" }));
      expect((await sns.send(new ListTopicsCommand({}))).Topics).toHaveLength(1);
      await moto.reset();
      expect((await sns.send(new ListTopicsCommand({}))).Topics ?? []).toHaveLength(0);
      sns.destroy();
    } finally {
      await moto.stop();
    }
    expect(isRunning(moto.pid)).toBe(false);
    await moto.stop();
  });

  // A test process that dies must not leave its server behind: by signal (handlers) or SIGKILL (watchdog).
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`kills the server when the test process dies by ${signal}`, async () => {
      const script = join(scratch, `holder-${signal}.mts`);
      writeFileSync(
        script,
        `import { startMoto } from ${JSON.stringify(pathToFileURL(join(here, "..", "moto.ts")).href)};\n` +
          "const moto = await startMoto();\n" +
          "console.log(String(moto.pid));\n" +
          "setInterval(() => {}, 1000);\n",
      );
      // No tsx wrapper process in between: the signal must reach the process that owns the server.
      const holder = spawn(process.execPath, ["--import", "tsx", script], {
        cwd: join(here, "..", "..", ".."),
        stdio: ["ignore", "pipe", "inherit"],
      });
      const lines = createInterface({ input: holder.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once("line", resolve);
        holder.once("exit", (code) => reject(new Error(`holder exited (${code}) before starting moto`)));
      });
      const motoPid = Number(first);
      expect(isRunning(motoPid)).toBe(true);
      holder.kill(signal);
      expect(await waitUntilGone(motoPid, 5_000)).toBe(true);
    });
  }
});
