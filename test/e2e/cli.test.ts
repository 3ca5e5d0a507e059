/** The CLI's surface: help on every command with an example, usage errors, version, closed pipes. */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";

const COMMANDS = [
  "init",
  "status",
  "run-now",
  "logs",
  "list",
  "pause",
  "resume",
  "destroy",
  "test-alert",
  "permissions",
  "permissions try",
  "permissions done",
];

describe("the command line", () => {
  it.each(COMMANDS)("`%s --help` explains the command with an example and exits 0", async (command) => {
    const run = await runCli([...command.split(" "), "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: support-job/);
    expect(run.stdout).toMatch(/Example/);
    expect(run.stdout).toContain("$ support-job");
  });

  it("prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const run = await runCli(["--version"]);
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("treats an unknown command or option as a usage error (exit 2) on one line", async () => {
    const unknown = await runCli(["deploy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'deploy'/);
    const option = await runCli(["init", "--nmae", "x"]);
    expect(option.code).toBe(2);
    expect(option.stderr.split("\n")[0]).toMatch(/unknown option '--nmae'.*Did you mean --name\?/);
  });

  it("exits quietly when the reader closes the pipe early (`support-job --help | head -1`)", async () => {
    const child = spawn(process.execPath, [CLI, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  });

  it("lists the commands under three help groups: set up, operate, trust", async () => {
    const run = await runCli(["--help"]);
    const group = (heading: string) => run.stdout.split(`${heading}\n`)[1]?.split("\n\n")[0] ?? "";
    expect(group("Set up:")).toMatch(/^ {2}init /m);
    for (const command of ["status", "run-now", "logs", "list", "pause", "resume", "destroy"])
      expect(group("Operate:")).toMatch(new RegExp(`^ {2}${command} `, "m"));
    for (const command of ["test-alert", "permissions"]) expect(group("Trust:")).toMatch(new RegExp(`^ {2}${command}`, "m"));
  });

  it("can be imported without running a command, and main(argv) returns the exit code in the same process", async () => {
    const exitCode = process.exitCode;
    const { main } = await import("../../src/cli.js");
    expect(process.exitCode).toBe(exitCode);
    expect(await main(["node", "support-job", "init", "--nmae", "x"])).toBe(2);
    expect(await main(["node", "support-job", "status", "--limit", "0"])).toBe(2);
  });

  const src = new URL("../../src/", import.meta.url).pathname;
  const sources = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));

  it("sets the exit code in cli.ts only: no command body ends the process itself", () => {
    const files = sources.filter((f) => f !== "cli.ts");
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => /process\.exit\(|process\.exitCode\s*=/.test(readFileSync(join(src, f), "utf8")))).toEqual([]);
  });

  it("says each fact in its comment rather than pointing to notes outside the repository", () => {
    const outside = /seed article|the article|AWS-FACTS|TESTING\.md|ARCHITECTURE\.md|shared\/guide/i;
    expect(sources.filter((f) => outside.test(readFileSync(join(src, f), "utf8")))).toEqual([]);
  });
});
