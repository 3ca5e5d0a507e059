// Without tmux the real-terminal wizard test cannot run: the test run's closing summary must say so and why.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = mkdtempSync(join(tmpdir(), "support-job-no-tmux-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

it("on a machine without tmux, the summary names the skipped real-terminal test and how to get tmux", () => {
  symlinkSync(process.execPath, join(bin, "node"));
  const run = spawnSync(process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "test/e2e/wizard-terminal.test.ts"], {
    cwd: root,
    // node and nothing else on the PATH; the emulator is not needed, as nothing of that file runs.
    env: { ...process.env, PATH: bin, SUPPORT_JOB_MOTO_SERVER: join(bin, "not-needed"), NO_COLOR: "1" },
    encoding: "utf8",
  });
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Skipped 3 tests in test\/e2e\/wizard-terminal\.test\.ts: tmux is not on the PATH, .*install tmux \(apt-get install tmux/m);
  expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("Tests: 0 passed, 0 failed, 3 skipped");
});
