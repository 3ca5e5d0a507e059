// The whole conversation, with scripted answers: order, defaults, what is skipped, what comes back.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateSettings, type RawSettings } from "../../../src/settings/validate.js";
import type { Ask, Choice, Heading } from "../../../src/wizard/prompts.js";
import { runWizard, type WizardContext } from "../../../src/wizard/wizard.js";
import { webhookQuestion } from "../../../src/wizard/questions.js";
import type { Workspace } from "../../../src/wizard/workspace.js";

/** Press Enter: take the default (text, yes/no), the highlighted choice, or the ticked boxes. */
const ENTER = Symbol("enter");
type Reply = string | boolean | readonly string[] | typeof ENTER;

class ExitPromptError extends Error {
  override name = "ExitPromptError";
}
/** What inquirer does on Ctrl-C. */
const CTRL_C = Symbol("ctrl-c");

/** One question and its reply: the step names (part of) the question it expects. */
type Step = readonly [expect: string, reply: Reply | typeof CTRL_C];

/** Answers questions in order; each step names (part of) the question it expects, so a wrong order fails loudly. */
function scripted(steps: readonly Step[]) {
  const asked: string[] = [];
  const said: string[] = [];
  /** The suggestion each text question showed. */
  const defaults = new Map<string, string | undefined>();
  let next = 0;
  const take = (message: string): Reply => {
    asked.push(message);
    const step = steps[next++];
    if (!step) throw new Error(`unexpected question "${message}"; asked so far:\n${asked.join("\n")}`);
    if (!message.includes(step[0])) throw new Error(`expected a question with "${step[0]}", got "${message}"; asked so far:\n${asked.join("\n")}`);
    if (step[1] === CTRL_C) throw new ExitPromptError("User force closed the prompt with SIGINT");
    return step[1];
  };
  const ask: Ask = {
    async text(q) {
      defaults.set(q.message, q.default);
      const reply = take(q.message);
      const value = reply === ENTER ? (q.default ?? "") : String(reply);
      const valid = q.validate ? q.validate(value) : true;
      if (valid !== true) throw new Error(`"${q.message}" refused ${JSON.stringify(value)}: ${valid}`);
      return value;
    },
    async choose<V>(q: { message: string; choices: readonly (Choice<V> | Heading)[]; default?: V | undefined }) {
      const reply = take(q.message);
      const choices = q.choices.filter((c): c is Choice<V> => !("heading" in c));
      const chosen =
        reply === ENTER
          ? (choices.find((c) => q.default !== undefined && c.value === q.default) ?? choices[0])
          : choices.find((c) => c.value === reply || (typeof reply === "string" && stripVTControlCharacters(c.name).startsWith(reply)));
      if (!chosen) throw new Error(`"${q.message}" has no choice ${String(reply)}: ${choices.map((c) => c.name).join(" | ")}`);
      return chosen.value;
    },
    async pick(q) {
      const reply = take(q.message);
      const values = q.choices.map((c) => c.value);
      const chosen =
        reply === ENTER ? q.choices.filter((c) => c.checked).map((c) => c.value) : values.filter((v) => (reply as readonly string[]).includes(String(v)));
      if (q.required && chosen.length === 0) throw new Error(`"${q.message}": ${q.required}`);
      return chosen;
    },
    async yesNo(q) {
      const reply = take(q.message);
      return reply === ENTER ? q.default : Boolean(reply);
    },
    say: (text) => said.push(stripVTControlCharacters(text)),
  };
  return { ask, asked, said, defaults, done: () => next === steps.length };
}

/** The questions every job goes through, in order (a first run asks "At what time?" after most schedule choices). */
const MAIN = [
  "Repository",
  "Job name",
  "Branch",
  "Buildspec",
  "When should the job run?",
  "time zone",
  "Use this schedule?",
  "Compute size",
  "Change the image or the timeout, or send alerts to chat?",
  "Alert email",
  "Send an alert",
  "Environment variables",
  "Extra AWS permissions",
] as const;
/** The questions behind a yes to "Change the image or the timeout, …?", in order. */
const ADVANCED = [
  "Build image",
  "Timeout",
  "Runs at once",
  "Retries of a failed run",
  "Missed-run alarm grace",
  "Chat webhook URL",
  "Keep the runs' logs for",
  "Queued timeout",
  "Run on a GPU?",
  "S3 cache",
] as const;

/** A question this conversation must not ask. */
const NOT_ASKED = Symbol("not asked");
/** A reply, then the questions it brings, in order. */
interface FollowedBy {
  reply: Reply;
  next: readonly Step[];
}
const then = (reply: Reply, ...next: Step[]): FollowedBy => ({ reply, next });
type Answer = Reply | typeof CTRL_C | typeof NOT_ASKED | FollowedBy;

/** `questions` in order, each answered with Enter unless `answers` says otherwise; Ctrl-C ends the conversation. */
function steps<Q extends string>(questions: readonly Q[], answers: Partial<Record<Q, Answer>>): Step[] {
  const out: Step[] = [];
  for (const question of questions) {
    const answer = question in answers ? answers[question]! : ENTER;
    if (answer === NOT_ASKED) continue;
    if (typeof answer === "object" && "next" in answer) out.push([question, answer.reply], ...answer.next);
    else out.push([question, answer]);
    if (answer === CTRL_C) break;
  }
  return out;
}
/** The whole conversation: Enter everywhere but where the test answers otherwise. */
const conversation = (answers: Partial<Record<(typeof MAIN)[number], Answer>> = {}) => scripted(steps(MAIN, answers));
/** Yes to the advanced step, then its questions: Enter everywhere but where the test answers otherwise. */
const advanced = (answers: Partial<Record<(typeof ADVANCED)[number], Answer>> = {}) => then(true, ...steps(ADVANCED, answers));

const NOW = new Date("2026-03-27T12:00:00Z");
const inRepo: Workspace = { repository: "https://github.com/acme/ops-scripts.git", branch: "support-jobs", root: "/nonexistent-checkout" };
const noGit: Workspace = { repository: undefined, branch: undefined, root: "/nonexistent" };

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "support-job-wizard-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function context(ask: Ask, extra: Partial<WizardContext> = {}): WizardContext {
  return { cwd, given: {}, ask, workspace: noGit, localZone: "Europe/Paris", now: () => NOW, ...extra };
}

describe("first run", () => {
  it("asks everything in order, with defaults from the checkout, and returns settings that validate", async () => {
    const script = conversation({
      "When should the job run?": then("Monday to Friday", ["At what time?", "07:30"]),
      "Alert email": "ops@example.com",
    });
    mkdirSync(join(cwd, "jobs", "cleanup"), { recursive: true });
    writeFileSync(join(cwd, "jobs", "cleanup", "buildspec.yml"), "version: 0.2\nphases:\n  build:\n    commands: [./cleanup.sh]\n");
    const answers = await runWizard({}, context(script.ask, { workspace: { ...inRepo, root: cwd } }));
    expect(script.done()).toBe(true);
    expect(answers).toMatchObject({
      repository: "https://github.com/acme/ops-scripts.git",
      name: "ops-scripts",
      branch: "support-jobs",
      buildspec: "jobs/cleanup/buildspec.yml",
      schedule: "cron(30 7 ? * MON-FRI *)",
      timezone: "Europe/Paris",
      computeType: "BUILD_GENERAL1_SMALL",
      arch: "x86_64",
      email: "ops@example.com",
      alertOn: ["FAILED", "STOPPED", "TIMED_OUT", "FAULT"],
      env: [],
      policyArns: [],
    });
    expect(validateSettings(answers, cwd).schedule).toBe("cron(30 7 ? * MON-FRI *)");
  });

  it("shows the schedule in words and its next 5 runs before asking to confirm it", async () => {
    const script = conversation({
      Repository: "https://github.com/acme/ops.git",
      "When should the job run?": then("Type a rate", ["Schedule expression", "cron(0 3 * * ? *)"]),
      "time zone": "UTC",
      "Alert email": "ops@example.com",
    });
    await runWizard({}, context(script.ask));
    const preview = script.said.slice(script.said.indexOf("  Runs at 03:00 every day (UTC)."));
    expect(preview.slice(0, 3)).toEqual([
      "  Runs at 03:00 every day (UTC).",
      "  Next 5 runs:",
      "    2026-03-28 03:00 UTC   2026-03-28 04:00 CET on this computer",
    ]);
    // The clocks change in Paris on 29 March: the local column follows.
    expect(preview[4]).toBe("    2026-03-30 03:00 UTC   2026-03-30 05:00 CEST on this computer");
    expect(preview).toHaveLength(7);
  });

  it("goes back to the schedule question when the preview is declined", async () => {
    const script = conversation({
      Repository: "https://github.com/acme/ops.git",
      "Job name": "nightly",
      "When should the job run?": then("Every day", ["At what time?", "03:00"]),
      "Use this schedule?": then(
        false,
        ["When should the job run?", "Every N hours"],
        ["Every how many hours?", "6"],
        // A rate has no time zone to ask.
        ["Use this schedule?", true],
      ),
      "Alert email": "ops@example.com",
    });
    const answers = await runWizard({}, context(script.ask));
    expect(answers).toMatchObject({ name: "nightly", schedule: "rate(6 hours)", timezone: "UTC" });
    expect(script.said).toContain("  Runs every 6 hours.");
  });

  it("lets the user type another time zone", async () => {
    const script = conversation({
      Repository: "https://github.com/acme/ops.git",
      "When should the job run?": then("Once a month", ["day of the month", "15"], ["At what time?", "09:00"]),
      "time zone": then("Other", ["Time zone (IANA name)", "America/New_York"]),
      "Alert email": "ops@example.com",
    });
    expect(await runWizard({}, context(script.ask))).toMatchObject({ schedule: "cron(0 9 15 * ? *)", timezone: "America/New_York" });
    expect(script.said).toContain("  Runs at 09:00 on day 15 of every month (America/New_York).");
  });

  it("asks which kind of server an unknown host is", async () => {
    const again = conversation({
      Repository: then("https://git.acme.internal/team/ops.git", ["Which kind of server is git.acme.internal?", "GitHub Enterprise"]),
      "When should the job run?": then(ENTER, ["At what time?", ENTER]),
      "Alert email": "ops@example.com",
    });
    const answers = await runWizard({}, context(again.ask));
    expect(answers).toMatchObject({
      repository: "https://git.acme.internal/team/ops.git",
      sourceType: "GITHUB_ENTERPRISE",
      name: "ops",
      schedule: "cron(0 6 * * ? *)",
    });
    expect(validateSettings(answers, cwd).sourceType).toBe("GITHUB_ENTERPRISE");
  });
});

describe("buildspec in the checkout", () => {
  const head = (buildspecReplies: [string, Reply][]) =>
    scripted([["Repository", ENTER], ["Job name", ENTER], ["Branch", ENTER], ...buildspecReplies, ["When should the job run?", CTRL_C]]);

  it("suggests the one buildspec found and says nothing when it looks right", async () => {
    mkdirSync(join(cwd, "jobs"));
    writeFileSync(join(cwd, "jobs", "buildspec.yml"), "version: 0.2\nphases:\n  build:\n    commands: [./run.sh]\n");
    const script = head([["Buildspec", ENTER]]);
    await expect(runWizard({}, context(script.ask, { workspace: { ...inRepo, root: cwd } }))).rejects.toThrow(ExitPromptError);
    expect(script.defaults.get("Buildspec path in the repository")).toBe("jobs/buildspec.yml");
    expect(script.defaults.get("Branch to run")).toBe("support-jobs");
    expect(script.said.filter((l) => l.startsWith("!"))).toEqual([]);
  });

  it("warns about a missing or odd buildspec and lets the user keep it or type another", async () => {
    writeFileSync(join(cwd, "ci.yml"), "name: CI\non: push\n");
    writeFileSync(join(cwd, "buildspec.yml"), "version: 0.2\nphases: {}\n");
    const script = head([
      ["Buildspec", "ci.yml"],
      ["Use ci.yml anyway?", false],
      ["Buildspec", "jobs/buildspec.yml"],
      ["Write a minimal buildspec at jobs/buildspec.yml", false],
      ["Use jobs/buildspec.yml anyway?", true],
    ]);
    await expect(runWizard({}, context(script.ask, { workspace: { ...inRepo, root: cwd } }))).rejects.toThrow(ExitPromptError);
    expect(script.said.filter((l) => l.startsWith("!"))).toEqual([
      '! ci.yml has no top-level version or phases key, so it does not look like a CodeBuild buildspec (it needs "version: 0.2" and "phases:").',
      "! jobs/buildspec.yml is not in this checkout; runs fail unless it is on the branch they use.",
    ]);
  });

  it("offers a minimal buildspec for a missing path: the script is checked, the text shown, written only on yes, with what to push", async () => {
    mkdirSync(join(cwd, "scripts"));
    writeFileSync(join(cwd, "scripts", "cleanup.sh"), "#!/bin/sh\necho ok\n", { mode: 0o755 });
    writeFileSync(join(cwd, "scripts", "report.py"), "print('ok')\n", { mode: 0o644 });
    const remote: string[] = [];
    // Declined at the last question: nothing is written, and the wizard asks as before.
    const declined = head([
      ["Buildspec", "jobs/cleanup.yml"],
      ["Write a minimal buildspec at jobs/cleanup.yml", true],
      ["Script to run", "scripts/report.py"],
      ["Write jobs/cleanup.yml?", false],
      ["Use jobs/cleanup.yml anyway?", false],
      ["Buildspec", "jobs/cleanup.yml"],
      ["Write a minimal buildspec at jobs/cleanup.yml", true],
      ["Script to run", "./scripts/cleanup.sh"],
      ["Write jobs/cleanup.yml?", true],
    ]);
    const ctx = context(declined.ask, { workspace: { ...inRepo, root: cwd }, remoteHasBranch: (b: string) => (remote.push(b), false) });
    await expect(runWizard({}, ctx)).rejects.toThrow(ExitPromptError);
    expect(declined.said).toContain("scripts/report.py is not executable (no x bit): the buildspec runs it through its interpreter.");
    expect(declined.said).toContain('jobs/cleanup.yml:\n  version: 0.2\n  phases:\n    build:\n      commands:\n        - "python3 scripts/report.py"');
    expect(declined.said).toContain("scripts/cleanup.sh is executable: the buildspec runs it as ./scripts/cleanup.sh.");
    expect(readFileSync(join(cwd, "jobs", "cleanup.yml"), "utf8")).toBe('version: 0.2\nphases:\n  build:\n    commands:\n      - "./scripts/cleanup.sh"\n');
    expect(declined.said.some((l) => /Wrote jobs\/cleanup\.yml\. .*commit and push it to support-jobs before the first run/.test(l))).toBe(true);
    expect(remote).toEqual(["support-jobs"]);
    expect(declined.said).toContain("! branch support-jobs is not on the remote (origin) yet: push it (git push -u origin support-jobs) before the first run.");
    // A script that is not there is refused by the prompt's check.
    const missing = head([
      ["Buildspec", "other.yml"],
      ["Write a minimal buildspec at other.yml", true],
      ["Script to run", "scripts/nope.sh"],
    ]);
    await expect(runWizard({}, context(missing.ask, { workspace: { ...inRepo, root: cwd }, remoteHasBranch: () => true }))).rejects.toThrow(
      /scripts\/nope\.sh is not in this checkout/,
    );
  });

  it("suggests the buildspec found in a folder that is no git checkout, without checking it", async () => {
    mkdirSync(join(cwd, "ops"));
    writeFileSync(join(cwd, "ops", "buildspec-nightly.yml"), "version: 0.2\nphases: {}\n");
    const script = conversation({ Repository: "https://github.com/acme/ops.git", "When should the job run?": CTRL_C });
    await expect(runWizard({}, context(script.ask, { workspace: { ...noGit, root: cwd } }))).rejects.toThrow(ExitPromptError);
    expect(script.defaults.get("Buildspec path in the repository")).toBe("ops/buildspec-nightly.yml");
    expect(script.said.filter((l) => l.startsWith("!"))).toEqual([]);
  });

  it("does not check files when the folder is not a checkout of the job's repository", async () => {
    const script = head([["Buildspec", "anything/buildspec.yml"]]);
    const other = { repository: "https://github.com/acme/other.git" };
    await expect(runWizard(other, context(script.ask, { workspace: { ...inRepo, root: cwd } }))).rejects.toThrow(ExitPromptError);
    expect(script.said.filter((l) => l.startsWith("!"))).toEqual([]);
  });
});

describe("re-running init (edit)", () => {
  const saved: RawSettings = {
    name: "nightly-cleanup",
    repository: "https://github.com/acme/ops-scripts.git",
    branch: "support-jobs",
    buildspec: "jobs/cleanup/buildspec.yml",
    schedule: "cron(0 7 ? * MON-FRI *)",
    timezone: "Europe/Paris",
    computeType: "BUILD_GENERAL1_MEDIUM",
    arch: "arm64",
    image: "aws/codebuild/amazonlinux-aarch64-standard:3.0",
    timeout: 30,
    email: "ops@example.com",
    alertOn: ["FAILED", "SUCCEEDED"],
    env: ["STAGE=prod", "DB_PASSWORD=ssm:/cleanup/db-password"],
    policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
  };

  it("pre-fills every answer, so Enter everywhere changes nothing", async () => {
    const script = conversation();
    expect(await runWizard(saved, context(script.ask))).toEqual(saved);
    expect(script.said[0]).toBe("Editing job nightly-cleanup: each answer starts from support-job.json.");
    expect(script.said).toContain("  Runs at 07:00 on Monday through Friday (Europe/Paris).");
  });

  it("keeps a self-hosted server's kind from support-job.json without asking it again", async () => {
    const selfHosted = { ...saved, repository: "https://git.acme.internal/team/ops.git", sourceType: "GITLAB_SELF_MANAGED" };
    const script = conversation();
    expect(await runWizard(selfHosted, context(script.ask))).toEqual(selfHosted);
  });

  it("does not ask what a flag gave", async () => {
    const given: RawSettings = { schedule: "rate(1 hour)", email: "oncall@example.com", env: ["STAGE=dev"], timeout: "90", arch: "x86_64" };
    const script = scripted([
      ["Repository", ENTER],
      ["Job name", ENTER],
      ["Branch", ENTER],
      ["Buildspec", ENTER],
      // schedule given (a rate: no zone either); arch given: only x86_64 sizes, image follows it
      ["Compute size", ENTER],
      ["Change the image, or send alerts to chat?", ENTER],
      ["Send an alert", ENTER],
      ["Extra AWS permissions", ENTER],
    ]);
    const answers = await runWizard({ ...saved, ...given }, context(script.ask, { given }));
    expect(script.done()).toBe(true);
    expect(answers).toMatchObject({ ...given, computeType: "BUILD_GENERAL1_MEDIUM", image: "aws/codebuild/standard:7.0" });
  });

  it("edits the lists: removes a variable, adds a secret reference and a policy file", async () => {
    writeFileSync(
      join(cwd, "policy.json"),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] }),
    );
    const script = conversation({
      "Send an alert": ["FAILED", "TIMED_OUT"],
      "Environment variables": then(
        "Remove STAGE",
        ["Environment variables", "Add a variable"],
        ["Variable name", "API_TOKEN"],
        ["Where does API_TOKEN's value come from?", ENTER],
        ["Parameter name for API_TOKEN", "/cleanup/api-token"],
        ["Environment variables", ENTER],
      ),
      "Extra AWS permissions": then(
        "Remove arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        ["Extra AWS permissions", "Use a JSON policy file"],
        ["Policy file", "policy.json"],
        ["Extra AWS permissions", ENTER],
      ),
    });
    const answers = await runWizard(saved, context(script.ask));
    expect(answers).toMatchObject({
      alertOn: ["FAILED", "TIMED_OUT"],
      env: ["DB_PASSWORD=ssm:/cleanup/db-password", "API_TOKEN=ssm:/cleanup/api-token"],
      policyArns: [],
      policyFile: "policy.json",
    });
    expect(validateSettings(answers, cwd).policyDocument?.Statement).toHaveLength(1);
  });

  it("switches the image with the architecture and asks image, timeout, overlap, retries and grace under the advanced step", async () => {
    const script = conversation({
      "Compute size": "BUILD_GENERAL1_SMALL x86_64",
      "Change the image or the timeout, or send alerts to chat?": advanced({ Timeout: "120", "Runs at once": "2", "Missed-run alarm grace": "30m" }),
    });
    const answers = await runWizard(saved, context(script.ask));
    expect(answers).toMatchObject({ computeType: "BUILD_GENERAL1_SMALL", arch: "x86_64", image: "aws/codebuild/standard:7.0", timeout: 120 });
    // Enter keeps a default: no retries; the others as typed.
    expect(answers).toMatchObject({ maxParallel: 2, retries: 0, grace: "30m", alertWebhooks: [] });
    // Enter through the rest of the advanced settings keeps their defaults.
    expect(validateSettings(answers, process.cwd())).toMatchObject({
      logRetentionDays: 90,
      queuedTimeoutMinutes: 480,
      gpu: false,
      cache: undefined,
      vpc: undefined,
    });
  });

  it("asks log retention, queued timeout, GPU, cache and a VPC from the account's lists under the advanced step", async () => {
    const network = {
      vpcs: async () => [{ id: "vpc-0a1b2c3d", name: "ops" }],
      detail: async () => ({
        subnets: [
          { id: "subnet-0a1b2c3d", name: "private-a", route: "nat" },
          { id: "subnet-1a1b2c3d", name: "private-b", route: "none" },
        ],
        securityGroups: [{ id: "sg-0a1b2c3d", name: "cleanup" }],
      }),
    };
    const script = conversation({
      "Compute size": "BUILD_GENERAL1_LARGE x86_64",
      "Change the image or the timeout, or send alerts to chat?": advanced({
        "Keep the runs' logs for": "14 days",
        "Queued timeout": "30",
        "Run on a GPU?": true,
        // The account has a VPC (context.network): the wizard offers it and its subnets and security groups.
        "S3 cache": then(
          "s3://acme-build-cache/nightly",
          ["Run inside a VPC?", "ops (vpc-0a1b2c3d)"],
          ["Private subnets", ["subnet-0a1b2c3d"]],
          ["Security groups", ["sg-0a1b2c3d"]],
        ),
      }),
    });
    const answers = await runWizard(saved, { ...context(script.ask), network });
    expect(validateSettings(answers, process.cwd())).toMatchObject({
      logRetentionDays: 14,
      queuedTimeoutMinutes: 30,
      gpu: true,
      cache: { bucket: "acme-build-cache", prefix: "nightly" },
      vpc: { vpcId: "vpc-0a1b2c3d", subnets: ["subnet-0a1b2c3d"], securityGroups: ["sg-0a1b2c3d"] },
    });
  });
  it("adds chat webhooks under the advanced step (Enter on an empty line: no more), shown by key, never by URL", async () => {
    const url = "https://hooks.slack.com/services/T0/B0/xoxWIZARDsecret";
    const script = conversation({
      "Change the image or the timeout, or send alerts to chat?": advanced({
        "Chat webhook URL": then(url, ["Another chat webhook URL", ENTER]),
        // The saved job is arm64: no GPU to offer.
        "Run on a GPU?": NOT_ASKED,
      }),
    });
    const answers = await runWizard(saved, context(script.ask));
    expect(answers.alertWebhooks).toEqual([url]);
    const question = webhookQuestion(0);
    expect(question.shown?.(url)).toMatch(/^slack-[0-9a-f]{8} \(https:\/\/hooks\.slack\.com\/…\)$/);
    expect(question.validate?.("http://hooks.slack.com/services/T0/B0/xoxWIZARDsecret")).toMatch(/must use https/);
    expect(String(question.validate?.("http://hooks.slack.com/services/T0/B0/xoxWIZARDsecret"))).not.toContain("xoxWIZARDsecret");
  });
});

describe("Ctrl-C", () => {
  it("stops the wizard with inquirer's ExitPromptError and writes nothing", async () => {
    const script = conversation({ Repository: "https://github.com/acme/ops.git", Branch: CTRL_C });
    await expect(runWizard({}, context(script.ask))).rejects.toMatchObject({ name: "ExitPromptError" });
    expect(readdirSync(cwd)).toEqual([]);
  });
});
