/** Issue #11's rules for init, destroy and support-job.json that need no AWS: which file applies, what --json may skip, what Ctrl-C says. */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { interruptedMessage, unaskedLosses } from "../../src/commands/init-apply.js";
import { jsonNeedsYes, mergeSettings } from "../../src/commands/init.js";
import { checkProfile } from "../../src/commands/common.js";
import { jobConfig, readJobsFile, saveJob, unknownKeyWarnings } from "../../src/settings/file.js";
import type { PlanStep } from "../../src/resources/types.js";
import { CLI } from "../helpers/cli.js";

const step = (key: PlanStep["key"], label: string, name: string, action: PlanStep["action"] = "create", changes: PlanStep["changes"] = []): PlanStep => ({
  key,
  label,
  name,
  action,
  changes,
  notes: [],
  after: [],
});

describe("support-job.json applies only to the job it names", () => {
  it("gives a job of another name nothing of the first job's entry, and its own job everything", () => {
    const cwd = mkdtempSync(join(tmpdir(), "support-job-file-"));
    writeFileSync(
      join(cwd, "support-job.json"),
      JSON.stringify({ name: "first", email: "first@example.com", env: ["DB=ssm:/first/db"], account: "123456789012" }),
    );
    const file = readJobsFile(cwd);
    expect(jobConfig(file, "second")).toBeUndefined();
    expect(jobConfig(file, "first")).toEqual({ name: "first", email: "first@example.com", env: ["DB=ssm:/first/db"], account: "123456789012" });
  });

  it("lets an empty list given on purpose clear the saved one", () => {
    expect(mergeSettings({ env: ["A=1"], policyArns: ["arn:aws:iam::aws:policy/X"] }, { env: [], policyArns: undefined })).toEqual({
      env: [],
      policyArns: ["arn:aws:iam::aws:policy/X"],
    });
  });
});

describe("unknown keys in support-job.json", () => {
  it("are each reported, a near miss with the key it meant", () => {
    expect(unknownKeyWarnings({ name: "a", shedule: "rate(1 day)", policyArn: [], owner: "ops" })).toEqual([
      'support-job.json: unknown key "shedule" is ignored (kept in the file); did you mean "schedule"?',
      'support-job.json: unknown key "policyArn" is ignored (kept in the file); did you mean "policyArns"?',
      'support-job.json: unknown key "owner" is ignored (kept in the file)',
    ]);
  });

  it("survive a rewrite", () => {
    const cwd = mkdtempSync(join(tmpdir(), "support-job-file-"));
    writeFileSync(join(cwd, "support-job.json"), JSON.stringify({ name: "a", owner: "ops" }));
    const warnings: string[] = [];
    const file = readJobsFile(cwd, (w) => warnings.push(w));
    expect(jobConfig(file, "a")).toEqual({ name: "a" });
    expect(warnings).toHaveLength(1);
    saveJob(cwd, file, "a", { name: "a", timeout: 60 });
    expect(JSON.parse(readFileSync(join(cwd, "support-job.json"), "utf8"))).toMatchObject({ version: 2, jobs: { a: { owner: "ops", timeout: 60 } } });
  });
});

describe("--json and the confirmation", () => {
  it("on a terminal, --json without --yes or --dry-run is refused; elsewhere it is not asked", () => {
    expect(jsonNeedsYes({ json: true }, true)).toBe(true);
    expect(jsonNeedsYes({ json: true, yes: true }, true)).toBe(false);
    expect(jsonNeedsYes({ json: true, dryRun: true }, true)).toBe(false);
    expect(jsonNeedsYes({ json: true }, false)).toBe(false);
    expect(jsonNeedsYes({}, true)).toBe(false);
  });

  const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
  it.skipIf(!hasTmux)(
    "`--json init` in a real terminal refuses with exit 2 instead of applying",
    async () => {
      const home = mkdtempSync(join(tmpdir(), "support-job-json-tty-"));
      writeFileSync(
        join(home, "support-job.json"),
        JSON.stringify({ name: "keep", repository: "https://github.com/acme/ops.git", schedule: "rate(1 day)", email: "ops@example.com" }),
      );
      const socket = join(home, "tmux");
      const exitFile = join(home, "exit");
      const tmux = (...args: string[]) => execFileSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
      // No AWS at all: a refusal before any call is the only way this ends quickly with exit 2.
      const command = `env -u CI AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 ${process.execPath} ${CLI} --json init > ${home}/out; echo $? > ${exitFile}`;
      let screen: string | undefined;
      try {
        tmux("new-session", "-d", "-x", "200", "-y", "30", "-c", home, command, ";", "set-option", "-g", "remain-on-exit", "on");
        const deadline = Date.now() + 20_000;
        while (!existsSync(exitFile) || readFileSync(exitFile, "utf8") === "") {
          if (Date.now() > deadline) throw new Error("the command did not end");
          await new Promise((r) => setTimeout(r, 50));
        }
        screen = tmux("capture-pane", "-p", "-J", "-S", "-");
      } finally {
        spawnSync("tmux", ["-S", socket, "kill-server"]);
      }
      expect(readFileSync(exitFile, "utf8").trim()).toBe("2");
      expect(screen).toMatch(/--yes: --json changes the output, not the confirmation/);
      expect(JSON.parse(readFileSync(join(home, "out"), "utf8"))).toMatchObject({ error: { code: "invalid-input", exitCode: 2 } });
    },
    30_000,
  );
});

describe("a plan that removes what nobody asked to remove", () => {
  const plan = {
    steps: [
      step("jobPolicy", "job permissions policy", "support-job-keep-permissions", "delete"),
      step("project", "CodeBuild project", "keep", "update", [
        { field: "env STAGE", from: "prod", to: "(removed)" },
        { field: "timeout", from: "240", to: "60" },
      ]),
    ],
  };
  it("names the policy deletion and the env vars removed when they came from nowhere the user said", () => {
    expect(unaskedLosses(plan, {}).map((l) => [l.flag, l.allow])).toEqual([
      ["--policy-file", "--no-policy-file"],
      ["--env", "--no-env"],
    ]);
    expect(unaskedLosses(plan, { policyFile: "deployed", env: "deployed" })).toHaveLength(2);
  });
  it("lets a flag or support-job.json for the job say so", () => {
    expect(unaskedLosses(plan, { policyFile: "flag", env: "file" })).toEqual([]);
  });
});

describe("Ctrl-C during apply", () => {
  it("says what is done, what was under way and may exist, and both ways out", () => {
    const message = interruptedMessage(
      [step("serviceRole", "CodeBuild service role", "support-job-keep-build")],
      [step("alertTopic", "alert topic", "support-job-keep-alerts")],
      "keep",
    );
    expect(message).toMatch(
      /^Interrupted while applying\. Already done:\n {2}created CodeBuild service role support-job-keep-build\nUnder way, may already exist:\n {2}creating alert topic support-job-keep-alerts\n/,
    );
    expect(message).not.toMatch(/Nothing was finished/);
    expect(message).toMatch(/`support-job init --yes` to finish it, or `support-job destroy --name keep --yes` to remove what was created\.$/);
  });
  it("before any step started says no change had started, and still both ways out", () => {
    expect(interruptedMessage([], [], "keep")).toMatch(/^Interrupted while applying\. No change had started\.\nThe job is only partly set up/);
  });
});

describe("--profile", () => {
  it("that does not exist is an input error listing the profiles of both files", () => {
    const dir = mkdtempSync(join(tmpdir(), "support-job-profiles-"));
    writeFileSync(join(dir, "config"), "[default]\n[profile dev]\n[sso-session corp]\n");
    writeFileSync(join(dir, "credentials"), "[ci]\naws_access_key_id = x\n");
    const env = { AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials") };
    expect(() => checkProfile("dev", env)).not.toThrow();
    expect(() => checkProfile("ci", env)).not.toThrow();
    expect(() => checkProfile("corp", env)).toThrow(/--profile: there is no profile "corp" in .*; the profiles there are: ci, default, dev/);
  });
});
