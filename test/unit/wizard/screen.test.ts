// The whole wizard on inquirer's real prompts, drawn on @inquirer/testing's virtual screen (no TTY needed).
import { screen } from "@inquirer/testing/vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { terminal, type Ask } from "../../../src/wizard/prompts.js";
import { runWizard } from "../../../src/wizard/wizard.js";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "support-job-screen-"));
  writeFileSync(join(cwd, "buildspec.yml"), "version: 0.2\nphases:\n  build:\n    commands: [./cleanup.sh]\n");
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

/** Waits until the screen shows `text` (prompts follow each other asynchronously; next() alone can wait forever). */
async function until(text: string): Promise<string> {
  for (let waited = 0; waited < 5000; waited += 10) {
    const shown = screen.getScreen();
    if (shown.includes(text)) return shown;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the screen never showed "${text}"; it shows:\n${screen.getScreen()}`);
}

describe("the wizard on inquirer's prompts", () => {
  it("walks a newcomer from repository to permissions", async () => {
    const said: string[] = [];
    const ask: Ask = { ...terminal, say: (text) => said.push(text) };
    const workspace = { repository: "https://github.com/acme/ops-scripts.git", branch: "main", root: cwd };
    const answers = runWizard({}, { cwd, given: {}, ask, workspace, localZone: "UTC", now: () => new Date("2026-03-27T12:00:00Z") });

    expect(await until("Repository with the script")).toContain("(https://github.com/acme/ops-scripts.git)");
    screen.keypress("enter");
    expect(await until("Job name")).toContain("(ops-scripts)");
    screen.type("nightly cleanup");
    screen.keypress("enter");
    expect(await until('> "nightly cleanup" may only contain')).toBeTruthy();
    for (let i = 0; i < "cleanup".length + 1; i++) screen.keypress("backspace");
    screen.type("-cleanup");
    screen.keypress("enter");
    expect(await until("Branch to run")).toContain("(main)");
    screen.keypress("enter");
    await until("Buildspec path");
    screen.keypress("enter");
    expect(await until("When should the job run?")).toContain("❯ Every day at a time");
    screen.keypress("enter");
    await until("At what time?");
    screen.type("03:15");
    screen.keypress("enter");
    expect(await until("In which time zone?")).toContain("❯ UTC (this computer's zone)");
    screen.keypress("enter");
    await until("Use this schedule?");
    expect(said.join("\n")).toContain("2026-03-28 03:15 UTC");
    screen.keypress("enter");
    expect(await until("Compute size")).toMatch(/❯ small\s+2 vCPUs\s+3 GB memory/);
    screen.keypress("enter");
    await until("Change the image or the timeout, or send alerts to chat?");
    screen.keypress("enter");
    await until("Alert email");
    screen.type("ops@example.com");
    screen.keypress("enter");
    expect(await until("Send an alert when a run")).toMatch(/◉ FAULT/);
    screen.keypress("enter");
    await until("Environment variables");
    screen.keypress("enter");
    await until("Extra AWS permissions");
    screen.keypress("enter");

    await expect(answers).resolves.toMatchObject({
      repository: "https://github.com/acme/ops-scripts.git",
      name: "nightly-cleanup",
      branch: "main",
      buildspec: "buildspec.yml",
      schedule: "cron(15 3 * * ? *)",
      timezone: "UTC",
      email: "ops@example.com",
    });
  });
});
