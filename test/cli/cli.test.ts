/** The CLI's surface: help on every command with an example, usage errors, version, closed pipes. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";

const COMMANDS = ["init", "status", "run-now", "logs", "list", "pause", "resume", "destroy", "test-alert", "permissions", "permissions try", "permissions done"];

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
});
