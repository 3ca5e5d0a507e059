// tools/local-aws/serve.ts as the demo and the benchmark use it: one stdout line, real builds, a clean stop.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { BatchGetBuildsCommand, CreateProjectCommand, StartBuildCommand } from "@aws-sdk/client-codebuild";
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { clients } from "../env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

interface Running {
  child: ChildProcessWithoutNullStreams;
  endpoint: string;
  motoPid: number;
  stdoutLines: string[];
  exited: Promise<number | null>;
}

async function startScript(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ["--import", "tsx", "tools/local-aws/serve.ts", ...args], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stdoutLines: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => stdoutLines.push(line));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const deadline = Date.now() + 30_000;
  while (stdoutLines.length === 0 || !/moto pid (\d+)/.test(stderr)) {
    if (child.exitCode !== null) throw new Error(`local-aws exited early:\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`local-aws did not get ready:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const endpoint = /^AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)$/.exec(stdoutLines[0] ?? "")?.[1];
  if (endpoint === undefined) throw new Error(`unexpected first line: ${stdoutLines[0]}`);
  return { child, endpoint, motoPid: Number(/moto pid (\d+)/.exec(stderr)?.[1]), stdoutLines, exited };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("tools/local-aws/serve.ts", () => {
  it("prints the endpoint, completes builds SUCCEEDED with sane times and logs, and stops when stdin closes", async () => {
    const running = await startScript(["--latency", "5"]);
    const aws = clients(running.endpoint);
    try {
      await aws.codebuild.send(
        new CreateProjectCommand({
          name: "demo",
          source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
          artifacts: { type: "NO_ARTIFACTS" },
          environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_SMALL" },
          serviceRole: "arn:aws:iam::123456789012:role/demo",
        }),
      );
      const { build } = await aws.codebuild.send(new StartBuildCommand({ projectName: "demo" }));
      const { builds } = await aws.codebuild.send(new BatchGetBuildsCommand({ ids: [build?.id ?? ""] }));
      const done = builds?.[0];
      expect(done?.buildStatus).toBe("SUCCEEDED");
      const start = done?.startTime?.getTime() ?? Number.NaN;
      const end = done?.endTime?.getTime() ?? Number.NaN;
      expect(end).toBeGreaterThanOrEqual(start);
      expect(end).toBeLessThanOrEqual(Date.now());
      const events = await aws.logs.send(
        new GetLogEventsCommand({ logGroupName: done?.logs?.groupName, logStreamName: done?.logs?.streamName, startFromHead: true }),
      );
      expect(events.events?.length).toBeGreaterThan(0);
    } finally {
      aws.destroy();
      running.child.stdin.end();
    }
    expect(await running.exited).toBe(0);
    expect(running.stdoutLines).toHaveLength(1);
    expect(isRunning(running.motoPid)).toBe(false);
  });

  it("stops moto on SIGTERM", async () => {
    const running = await startScript([]);
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(isRunning(running.motoPid)).toBe(false);
  });
});
