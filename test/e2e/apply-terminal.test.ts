/**
 * `support-job apply`'s confirmation as a user meets it: the built CLI in a real terminal (tmux on a private socket)
 * against moto. "no" writes nothing and exits 130 ("Cancelled, nothing was changed.", the README's exit code for an
 * interrupted command before any change); "yes" applies every job of support-job.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { CLI } from "../helpers/cli.js";
import { ACCOUNT } from "../helpers/constants.js";
import { hasTmux, Terminal } from "../helpers/terminal.js";

const NO_TMUX = "tmux is not on the PATH, so apply's confirmation in a real terminal was not tested: install tmux (apt-get install tmux, brew install tmux)";
const JOBS = ["confirm-alpha", "confirm-beta"];
const FILE = `${JSON.stringify(
  {
    version: 2,
    defaults: {
      region: "us-east-1",
      account: ACCOUNT,
      repository: "https://github.com/acme/ops-scripts.git",
      branch: "support-jobs",
      email: "ops@example.com",
    },
    jobs: { "confirm-alpha": { schedule: "rate(1 day)" }, "confirm-beta": { schedule: "rate(2 days)" } },
  },
  null,
  2,
)}\n`;

describe("apply's confirmation in a real terminal", () => {
  const aws = useLocalAws({ enabled: hasTmux });
  let dir: string;
  let home: string;
  let terminal: Terminal;
  const projects = async () => (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: JOBS }))).projects?.map((p) => p.name) ?? [];
  const cliEnv = () => ({ ...Object.fromEntries(Object.entries(aws.env).filter(([k]) => k.startsWith("AWS_"))), NO_COLOR: "1", TZ: "UTC" });

  beforeAll(() => {
    if (hasTmux && !existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });
  beforeEach(async (context) => {
    context.skip(!hasTmux, NO_TMUX);
    await aws.reset();
    dir = mkdtempSync(join(tmpdir(), "support-job-apply-e2e-"));
    home = mkdtempSync(join(tmpdir(), "support-job-tmux-"));
    writeFileSync(join(dir, "support-job.json"), FILE);
    terminal = new Terminal(home);
  });
  afterEach(() => {
    if (!hasTmux) return;
    terminal.kill();
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('answering "no" writes nothing to AWS or the file and exits 130', async () => {
    aws.proxy.resetCalls();
    terminal.start(dir, cliEnv(), ["apply"]);
    await terminal.waitFor("Plan for job confirm-alpha", { timeoutMs: 60_000 });
    await terminal.waitFor("? Apply the changes to 2 jobs?");
    terminal.type("n");
    expect(await terminal.exitCode(), terminal.screen()).toBe(130);
    expect(terminal.screen()).toContain("Cancelled, nothing was changed.");
    expect(aws.proxy.writes()).toEqual([]);
    expect(aws.proxy.reads().length).toBeGreaterThan(0);
    expect(await projects()).toEqual([]);
    expect(readFileSync(join(dir, "support-job.json"), "utf8")).toBe(FILE);
  }, 90_000);

  it('answering "yes" applies every job and exits 0', async () => {
    terminal.start(dir, cliEnv(), ["apply"]);
    await terminal.waitFor("? Apply the changes to 2 jobs?", { timeoutMs: 60_000 });
    terminal.type("y");
    expect(await terminal.exitCode(90_000), terminal.screen()).toBe(0);
    expect(terminal.screen()).toContain("Applied: confirm-alpha, confirm-beta.");
    expect((await projects()).sort()).toEqual(JOBS);
  }, 120_000);
});
