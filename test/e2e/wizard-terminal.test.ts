// `support-job init` as a user meets it: the built CLI in a real terminal (tmux on a private socket), keys typed
// one question at a time, against moto; then the resources are read back through the SDK.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchGetProjectsCommand, ListProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { ListSubscriptionsCommand } from "@aws-sdk/client-sns";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { CLI } from "../helpers/cli.js";
import { savedJob } from "../helpers/job.js";
import { hasTmux, Terminal } from "../helpers/terminal.js";

/** Said in the closing summary of the test run, so a machine without tmux never passes in silence. */
const NO_TMUX = "tmux is not on the PATH, so the real-terminal wizard test did not run: install tmux (apt-get install tmux, brew install tmux; .ci/run does)";

describe("support-job init in a real terminal", () => {
  const aws = useLocalAws({ enabled: hasTmux });
  let dir: string;
  let home: string;
  let terminal: Terminal;

  beforeAll(async () => {
    if (!hasTmux) return;
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });
  beforeEach(async (context) => {
    context.skip(!hasTmux, NO_TMUX);
    await aws.reset();
    dir = mkdtempSync(join(tmpdir(), "support-job-e2e-"));
    home = mkdtempSync(join(tmpdir(), "support-job-tmux-"));
    terminal = new Terminal(home, { columns: 120, rows: 40 });
  });
  afterEach(() => {
    if (!hasTmux) return;
    terminal.kill();
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /** Only what the CLI needs: the local endpoint, test credentials, a fixed local zone. */
  const cliEnv = (extra: Record<string, string> = {}) => ({
    ...Object.fromEntries(Object.entries(aws.env).filter(([k]) => k.startsWith("AWS_"))),
    TZ: "Europe/Paris",
    ...extra,
  });

  it("asks, shows the plan, creates the job, and the resources match the answers", async () => {
    terminal.start(dir, cliEnv(), ["init"]);
    await terminal.answer("Repository with the script", "https://github.com/acme/ops-scripts.git");
    await terminal.waitFor("? Job name", { stay: true });
    await terminal.waitFor("(ops-scripts)", { stay: true }); // the name suggested by the repository
    await terminal.answer("Job name");
    await terminal.answer("Branch to run", "support-jobs");
    await terminal.answer("Buildspec path in the repository");
    await terminal.answer("When should the job run?"); // every day at a time
    await terminal.answer("At what time?", "03:15");
    await terminal.choose("In which time zone?", 1); // UTC, just below this computer's zone
    await terminal.waitFor("Runs at 03:15 every day (UTC).", { stay: true });
    await terminal.waitFor("03:15 UTC   ", { stay: true });
    await terminal.waitFor("on this computer", { stay: true });
    await terminal.answer("Use this schedule?");
    await terminal.answer("Compute size");
    await terminal.answer("Change the image or the timeout, or send alerts to chat?");
    await terminal.answer("Alert email", "ops@example.com");
    await terminal.answer("Send an alert when a run");
    await terminal.choose("Environment variables", 1); // add a variable
    await terminal.answer("Variable name", "STAGE");
    await terminal.answer("Where does STAGE's value come from?");
    await terminal.answer("Value of STAGE", "prod");
    await terminal.answer("Environment variables");
    await terminal.answer("Extra AWS permissions");
    await terminal.waitFor("Plan for job ops-scripts", { timeoutMs: 60_000 });
    await terminal.answer("Create these resources?");

    expect(await terminal.exitCode(60_000), terminal.screen()).toBe(0);
    // The summary after the plan (the schedule preview said it once before).
    await terminal.waitFor("at 03:15 every day (UTC)", { timeoutMs: 1000 });

    const { projects } = await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: ["ops-scripts"] }));
    const project = projects?.[0];
    expect(project?.source).toMatchObject({ type: "GITHUB", location: "https://github.com/acme/ops-scripts.git", buildspec: "buildspec.yml" });
    expect(project?.sourceVersion).toBe("support-jobs");
    expect(project?.environment?.environmentVariables).toEqual([{ name: "STAGE", value: "prod", type: "PLAINTEXT" }]);
    const rule = await aws.clients.events.send(new DescribeRuleCommand({ Name: "support-job-ops-scripts-schedule" }));
    expect(rule.ScheduleExpression).toBe("cron(15 3 * * ? *)");
    const { Subscriptions } = await aws.clients.sns.send(new ListSubscriptionsCommand({}));
    expect(Subscriptions?.map((s) => [s.Protocol, s.Endpoint, s.TopicArn?.split(":").pop()])).toEqual([
      ["email", "ops@example.com", "support-job-ops-scripts-alerts"],
    ]);
    expect(savedJob(dir)).toMatchObject({
      name: "ops-scripts",
      schedule: "cron(15 3 * * ? *)",
      timezone: "UTC",
    });
  });

  it("offers a minimal buildspec when the path is not in the checkout, and writes it on yes", async () => {
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["remote", "add", "origin", "https://github.com/acme/ops-scripts.git"], { cwd: dir });
    mkdirSync(join(dir, "scripts"));
    writeFileSync(join(dir, "scripts", "run.sh"), "#!/bin/sh\necho ok\n", { mode: 0o755 });
    terminal.start(dir, cliEnv({ NO_COLOR: "1" }), ["init"]);
    await terminal.answer("Repository with the script");
    await terminal.answer("Job name");
    await terminal.answer("Branch to run", "support-jobs");
    await terminal.answer("Buildspec path in the repository", "jobs/run.yml");
    await terminal.answer("Write a minimal buildspec at jobs/run.yml");
    await terminal.answer("Script to run", "scripts/run.sh");
    await terminal.waitFor('- "./scripts/run.sh"', { stay: true });
    await terminal.answer("Write jobs/run.yml?");
    await terminal.waitFor("? When should the job run?");
    terminal.keys("C-c");
    expect(await terminal.exitCode()).toBe(130);
    expect(terminal.screen()).toMatch(/Wrote jobs\/run\.yml\. .*commit and push it to support-jobs before the first run/);
    expect(readFileSync(join(dir, "jobs", "run.yml"), "utf8")).toBe('version: 0.2\nphases:\n  build:\n    commands:\n      - "./scripts/run.sh"\n');
  });

  it("Ctrl-C at a question exits 130, says nothing was changed, and creates nothing", async () => {
    terminal.start(dir, cliEnv({ NO_COLOR: "1" }), ["init"]);
    await terminal.answer("Repository with the script", "https://github.com/acme/ops-scripts.git");
    await terminal.answer("Job name", "cancelled-job");
    await terminal.answer("Branch to run");
    await terminal.answer("Buildspec path in the repository");
    await terminal.waitFor("? When should the job run?");
    terminal.keys("C-c");

    expect(await terminal.exitCode()).toBe(130);
    expect(terminal.screen()).toContain("Cancelled, nothing was changed.");
    // NO_COLOR: the prompts and messages carry no colour (tmux reports attributes as SGR sequences).
    // eslint-disable-next-line no-control-regex -- an ANSI colour sequence starts with ESC
    expect(terminal.screen({ colors: true })).not.toMatch(/\x1b\[[0-9;]*m/);
    const { projects } = await aws.clients.codebuild.send(new ListProjectsCommand({}));
    expect(projects ?? []).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
