/**
 * Issue #11, tried as a demanding user would: nothing lost (a deployed job is the starting point, unknown keys
 * survive), nothing leaked (another job's settings and secrets), nothing shared by accident (account, destroy).
 * Against moto through the test proxy, running the built CLI.
 */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { CreatePolicyCommand, GetRolePolicyCommand, ListRolePoliciesCommand, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { CLI, runCli, type CliResult } from "../../helpers/cli.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { savedJob } from "../../helpers/job.js";

const POLICY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-reports/*" }] };
/** The four values init requires for job keep. */
const required = (schedule = "rate(1 day)") => [
  "--name",
  "keep",
  "--repo",
  "https://github.com/acme/ops.git",
  "--schedule",
  schedule,
  "--email",
  "ops@example.com",
];
/** Job keep as first set up: settings that AWS holds besides the required ones, and a policy file that it does not. */
const KEEP = [
  ...required(),
  "--branch",
  "jobs",
  "--compute-type",
  "BUILD_GENERAL1_LARGE",
  "--timeout",
  "240",
  "--env",
  "STAGE=prod",
  "--env",
  "DB_PASSWORD=ssm:/keep/db",
  "--policy-file",
  "policy.json",
];

const aws = useLocalAws();
let cwd: string;
const folder = (policy = true) => {
  const dir = mkdtempSync(join(tmpdir(), "support-job-trial-"));
  if (policy) writeFileSync(join(dir, "policy.json"), JSON.stringify(POLICY));
  return dir;
};
const cli = (args: string[], where = cwd, env: Record<string, string> = {}) => runCli(args, { env: { ...aws.env, ...env }, cwd: where });
const saved = (where = cwd) => savedJob(where);
const rawFile = (where = cwd) =>
  JSON.parse(readFileSync(join(where, "support-job.json"), "utf8")) as { defaults: Record<string, unknown>; jobs: Record<string, Record<string, unknown>> };
const project = async (name: string) => (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [name] }))).projects?.[0];
const why = (run: CliResult) => `exit ${String(run.code)}\n${run.stderr}\n${run.stdout}`;
/** Sets up job keep in cwd (init --yes), with `extra` flags. */
const setUpKeep = async (extra: string[] = []) => {
  const run = await cli(["init", "--yes", ...KEEP, ...extra]);
  expect(run.code, why(run)).toBe(0);
};

beforeEach(async () => {
  await aws.reset();
  cwd = folder();
});

describe("init --yes without support-job.json for the job (item 2)", () => {
  it("starts from the deployed job: flags change only what they name", async () => {
    await setUpKeep();
    const empty = folder();
    const flags = ["init", "--yes", ...required("rate(2 days)")];

    // The policy file is not in AWS: deleting the job's permissions needs a word from the user.
    const refused = await cli(flags, empty);
    expect(refused.code, why(refused)).toBe(2);
    expect(refused.stderr).toMatch(/--policy-file: this plan deletes the job permissions policy support-job-keep-use1-permissions.*--no-policy-file/);
    aws.proxy.resetCalls();

    const run = await cli([...flags, "--policy-file", "policy.json"], empty);
    expect(run.code, why(run)).toBe(0);
    expect(run.stdout).toMatch(/update\s+schedule rule/);
    expect(run.stdout).not.toMatch(/update\s+CodeBuild project|delete/);
    const after = await project("keep");
    expect(after?.sourceVersion).toBe("jobs");
    expect(after?.environment?.computeType).toBe("BUILD_GENERAL1_LARGE");
    expect(after?.timeoutInMinutes).toBe(240);
    expect(after?.environment?.environmentVariables?.map((v) => v.name).sort()).toEqual(["DB_PASSWORD", "STAGE"]);
  });

  it("checks the flags given before reading the deployed job: bad input makes no AWS call", async () => {
    aws.proxy.resetCalls();
    const run = await cli(["init", "--yes", ...required(), "--timeout", "1"], folder(false));
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(/--timeout: /);
    // The required values still come from flags: a missing one is an input error before any call too.
    const missing = await cli(["init", "--yes", "--name", "keep", "--timeout", "90"], folder(false));
    expect(missing.code, why(missing)).toBe(2);
    expect(missing.stderr).toMatch(/--repo: is required/);
    expect(aws.proxy.calls.length).toBe(0);
  });

  it("removes env vars read back from AWS only when --env or --no-env says so", async () => {
    await setUpKeep();
    const empty = folder();
    const base = ["init", "--yes", ...required(), "--policy-file", "policy.json"];
    const dropped = await cli([...base, "--env", "STAGE=prod", "--dry-run"], empty);
    expect(dropped.code, why(dropped)).toBe(0);
    expect(dropped.stdout).toMatch(/DB_PASSWORD/);

    const cleared = await cli([...base, "--no-env"], empty);
    expect(cleared.code, why(cleared)).toBe(0);
    expect((await project("keep"))?.environment?.environmentVariables ?? []).toEqual([]);
  });
});

describe("a second job in the folder of the first (item 3, and issue #14)", () => {
  it("inherits only the shared defaults, never the first job's env vars, secret references or grants; the first job's entry is kept", async () => {
    const first = [
      "init",
      "--yes",
      "--name",
      "first",
      "--repo",
      "https://github.com/acme/first.git",
      "--schedule",
      "rate(1 day)",
      "--email",
      "first@example.com",
      "--env",
      "DB=ssm:/first/db",
      "--policy-file",
      "policy.json",
    ];
    expect((await cli(first)).code).toBe(0);
    const before = JSON.stringify(rawFile().jobs.first);

    // The alert address is a shared default: the second job gets it without --email.
    const second = ["init", "--yes", "--name", "second", "--repo", "https://github.com/acme/second.git", "--schedule", "rate(2 days)"];
    const run = await cli(second);
    expect(run.code, why(run)).toBe(0);
    expect((await project("second"))?.environment?.environmentVariables ?? []).toEqual([]);
    const role = "support-job-second-use1-build";
    const inline = (await aws.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
    for (const policyName of inline) {
      const doc = (await aws.clients.iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: policyName }))).PolicyDocument ?? "";
      expect(decodeURIComponent(doc)).not.toContain("/first/");
    }
    const attached = (await aws.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [];
    expect(attached.map((p) => p.PolicyName)).toEqual([]);
    expect(JSON.stringify(rawFile().jobs.first)).toBe(before);
    expect(saved(cwd)).toMatchObject({ email: "first@example.com" });
    expect(savedJob(cwd, "second")).toMatchObject({ email: "first@example.com", repository: "https://github.com/acme/second.git", env: [] });
    expect(savedJob(cwd, "second").policyFile).toBeUndefined();
  });
});

describe("the account in support-job.json (item 4)", () => {
  it("is checked: other credentials are refused, naming both accounts, unless --account-change", async () => {
    await setUpKeep();
    const file = rawFile();
    writeFileSync(join(cwd, "support-job.json"), JSON.stringify({ ...file, defaults: { ...file.defaults, account: "210987654321" } }));
    aws.proxy.resetCalls();
    const run = await cli(["init", "--yes"]);
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(/210987654321.*123456789012.*--account-change/);
    expect(aws.proxy.writes()).toEqual([]);
    expect(saved().account).toBe("210987654321");

    // A new job of the file is checked against the same account (the defaults'), before any write.
    const other = await cli(["init", "--yes", "--name", "other-job", "--schedule", "rate(3 days)"]);
    expect(other.code, why(other)).toBe(2);
    expect(other.stderr).toMatch(/210987654321.*123456789012.*--account-change/);
    expect(aws.proxy.writes()).toEqual([]);

    const moved = await cli(["init", "--yes", "--account-change"]);
    expect(moved.code, why(moved)).toBe(0);
    expect(saved().account).toBe("123456789012");
  });
});

describe("the account in support-job.json, for the commands that operate a job (item 4)", () => {
  it("a job missing under other credentials is named as the account mismatch, not as 'no job'", async () => {
    writeFileSync(join(cwd, "support-job.json"), JSON.stringify({ name: "elsewhere", region: "us-east-1", account: "210987654321" }));
    const run = await cli(["status"]);
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(/job elsewhere lives in account 210987654321, but your credentials are for account 123456789012/);
  });
});

describe("destroy (item 5)", () => {
  it("is never a guess: without --name or support-job.json it refuses before any AWS call", async () => {
    await setUpKeep();
    aws.proxy.resetCalls();
    const run = await cli(["destroy", "--yes"], folder(false));
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(/--name: destroy must be told which job/);
    expect(aws.proxy.calls.length).toBe(0);
    expect(await project("keep")).toBeDefined();
  });
});

describe("support-job.json keys it does not know (item 18)", () => {
  it("are reported, a typo with the key it meant, and kept when the file is rewritten", async () => {
    await setUpKeep();
    writeFileSync(
      join(cwd, "support-job.json"),
      JSON.stringify({ ...rawFile(), jobs: { keep: { ...rawFile().jobs.keep, timeot: 90, owner: "team-ops" } } }, null, 2),
    );
    const run = await cli(["init", "--yes", "--timeout", "120"]);
    expect(run.code, why(run)).toBe(0);
    expect(run.stderr).toMatch(/unknown key "jobs.keep.timeot".*did you mean "timeout"/);
    expect(run.stderr).toMatch(/unknown key "jobs.keep.owner"/);
    expect(saved()).toMatchObject({ timeout: 120 });
    expect(rawFile().jobs.keep).toMatchObject({ timeot: 90, owner: "team-ops" });
  });
});

describe("a read-only working folder (item 19)", () => {
  it("says what could not be written and where, exit 1, before any AWS change", async () => {
    chmodSync(cwd, 0o555);
    const run = await new Promise<CliResult>((resolve, reject) => {
      // root writes anywhere: run as nobody, as a user without write access would.
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const child = spawn(process.execPath, [CLI, "init", "--yes", ...KEEP], {
        cwd,
        env: { ...process.env, ...aws.env, CI: "true", NO_COLOR: "1" },
        ...asUser,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, why(run)).toBe(1);
    expect(run.stderr).toContain(`Could not write ${join(cwd, "support-job.json")} (EACCES)`);
    expect(run.stderr).toMatch(/nothing was changed in AWS/);
    expect(run.stderr).not.toMatch(/please report|\n\s+at /i);
    expect(aws.proxy.writes()).toEqual([]);
  });
});

describe("clearing a saved list from flags (item 21)", () => {
  it("--no-env and --no-policy-arn empty the saved lists and the job", async () => {
    const team = await aws.clients.iam.send(new CreatePolicyCommand({ PolicyName: "team-read", PolicyDocument: JSON.stringify(POLICY) }));
    await setUpKeep(["--policy-arn", team.Policy!.Arn!]);
    const run = await cli(["init", "--yes", "--no-env", "--no-policy-arn"]);
    expect(run.code, why(run)).toBe(0);
    expect(saved()).toMatchObject({ env: [], policyArns: [] });
    expect((await project("keep"))?.environment?.environmentVariables ?? []).toEqual([]);
    const attached = (await aws.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "support-job-keep-use1-build" }))).AttachedPolicies ?? [];
    expect(attached.map((p) => p.PolicyName)).toEqual(["support-job-keep-use1-permissions"]);
  });
});

describe("--repo and --name from the git checkout under --yes (item 22)", () => {
  it("are taken from origin and said before the plan", async () => {
    const repo = folder(false);
    const git = (...args: string[]) => new Promise<void>((resolve) => spawn("git", args, { cwd: repo, stdio: "ignore" }).on("close", () => resolve()));
    await git("init", "-q");
    await git("remote", "add", "origin", "git@github.com:acme/nightly-report.git");
    const run = await cli(["init", "--yes", "--schedule", "rate(1 day)", "--email", "ops@example.com"], repo);
    expect(run.code, why(run)).toBe(0);
    expect(run.stderr).toMatch(/--repo not given: using https:\/\/github\.com\/acme\/nightly-report\.git/);
    expect(run.stderr).toMatch(/--name not given: using nightly-report/);
    expect(saved(repo)).toMatchObject({ name: "nightly-report", repository: "https://github.com/acme/nightly-report.git" });
  });
});

describe("errors name the right thing (item 23)", () => {
  it("a bad value in support-job.json is named by its key, not as a flag", async () => {
    writeFileSync(
      join(cwd, "support-job.json"),
      JSON.stringify({ name: "keep", repository: "https://github.com/acme/ops.git", schedule: "rate(1 day)", email: "ops@example.com", timeout: 9999 }),
    );
    const run = await cli(["init", "--yes"]);
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(/support-job\.json: timeout: /);
    expect(run.stderr).not.toMatch(/--timeout/);
  });

  it("drift names a corrupt support-job.json or one about another job, not a missing one", async () => {
    await setUpKeep();
    writeFileSync(join(cwd, "support-job.json"), "{ not json");
    const corrupt = await cli(["status", "--name", "keep"]);
    expect(corrupt.code, why(corrupt)).toBe(0);
    expect(corrupt.stdout + corrupt.stderr).toMatch(/support-job\.json here cannot be used.*not valid JSON/);
    writeFileSync(join(cwd, "support-job.json"), JSON.stringify({ name: "other" }));
    const other = await cli(["status", "--name", "keep"]);
    expect(other.stdout + other.stderr).toMatch(/support-job\.json here has no job keep \(it holds other\), so drift was not checked/);
  });

  it("pause of a job that does not exist is an input error (exit 2), like every other command", async () => {
    const run = await cli(["pause", "--name", "ghost"], folder(false));
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(/--name: there is no job ghost in us-east-1/);
  });

  it("a --profile that does not exist is named, with the ones that do", async () => {
    const config = join(folder(false), "config");
    writeFileSync(config, "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n[sso-session corp]\nsso_region = eu-west-1\n");
    aws.proxy.resetCalls();
    const run = await cli(["status", "--name", "keep", "--profile", "dve"], folder(false), { AWS_CONFIG_FILE: config });
    expect(run.code, why(run)).toBe(2);
    expect(run.stderr).toMatch(/--profile: there is no profile "dve" in .*; the profiles there are: default, dev/);
    expect(aws.proxy.calls.length).toBe(0);
  });
});

describe("--json failures (item 24)", () => {
  it("print one JSON error object on stdout", async () => {
    const bad = await cli(["--json", "init", "--yes", ...required(), "--timeout", "1"]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({ error: { code: "invalid-input", message: expect.stringMatching(/^--timeout: /), exitCode: 2 } });

    const usage = await cli(["--json", "init", "--nmae", "x"]);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ error: { code: "usage", exitCode: 2 } });

    const missing = await cli(["--json", "logs", "--name", "ghost", "--last"], folder(false));
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: "invalid-input", exitCode: 2 } });
  });
});
