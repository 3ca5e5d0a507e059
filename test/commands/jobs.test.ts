/**
 * Issue #14 against moto: many jobs in one support-job.json. init adds or edits one job and nothing else; `plan`
 * exits 0 or 3; `apply` converges every job (fresh, no-op with zero writes at most 2 round trips deep, one changed,
 * one failing while the others apply); `--prune` deletes a job not in the file only when confirmed, only what is tagged.
 */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { ListTopicsCommand, UntagResourceCommand } from "@aws-sdk/client-sns";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliIn, savedJob, tempDir } from "../helpers/job.js";
import { useLocalAws } from "../helpers/local-aws.js";
import { ACCOUNT, jobFlags } from "../helpers/constants.js";
import type { CliResult } from "../helpers/cli.js";

// Latency makes calls issued together overlap on a loaded machine, so depth counts round trips, not scheduling.
const aws = useLocalAws({ latencyMs: 300 });
const why = (run: CliResult) => `exit ${String(run.code)}\n${run.stderr}\n${run.stdout}`;
const REPO = "https://github.com/acme/ops-scripts";
const rawFile = (cwd: string) =>
  JSON.parse(readFileSync(join(cwd, "support-job.json"), "utf8")) as { defaults: Record<string, unknown>; jobs: Record<string, Record<string, unknown>> };
const project = async (name: string) => (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [name] }))).projects?.[0];

describe("init adds or edits one job of the file", () => {
  beforeAll(() => aws.reset());

  it("two jobs initialised one after the other: both kept, each untouched by the other's edits", async () => {
    const cwd = tempDir("support-job-jobs-");
    const cli = cliIn(aws, cwd);
    const first = await cli(["init", "--yes", ...jobFlags("first-job", ["--env", "DB=ssm:/first/db"])]);
    expect(first.code, why(first)).toBe(0);
    const second = await cli(["init", "--yes", "--name", "second-job", "--schedule", "rate(7 days)"]);
    expect(second.code, why(second)).toBe(0);
    expect(Object.keys(rawFile(cwd).jobs)).toEqual(["first-job", "second-job"]);
    // Shared defaults give the second job its repository, branch and email; the first job's env var stays its own.
    expect(savedJob(cwd, "second-job")).toMatchObject({ repository: `${REPO}.git`, branch: "support-jobs", email: "ops@example.com", env: [] });
    expect((await project("second-job"))?.environment?.environmentVariables ?? []).toEqual([]);

    const firstEntry = JSON.stringify(rawFile(cwd).jobs["first-job"]);
    const edit = await cli(["init", "--yes", "--name", "second-job", "--timeout", "90"]);
    expect(edit.code, why(edit)).toBe(0);
    expect(JSON.stringify(rawFile(cwd).jobs["first-job"])).toBe(firstEntry);
    expect(rawFile(cwd).jobs["second-job"]).toMatchObject({ timeout: 90 });
    const secondEntry = JSON.stringify(rawFile(cwd).jobs["second-job"]);
    const editFirst = await cli(["init", "--yes", "--name", "first-job", "--compute-type", "BUILD_GENERAL1_MEDIUM"]);
    expect(editFirst.code, why(editFirst)).toBe(0);
    expect(JSON.stringify(rawFile(cwd).jobs["second-job"])).toBe(secondEntry);

    // Several jobs and no --name: the operate commands ask which one, naming the jobs; status shows an overview.
    const which = await cli(["run-now"]);
    expect(which.code, why(which)).toBe(2);
    expect(which.stderr).toMatch(/--name: support-job\.json here holds 2 jobs \(first-job, second-job\); say which one/);
    const status = await cli(["status"]);
    expect(status.code, why(status)).toBe(0);
    expect(status.stdout).toMatch(/2 jobs in us-east-1/);
    expect(status.stdout).toMatch(/first-job\s+cron\(0 3 \* \* \? \*\)/);
    expect(status.stdout).toMatch(/second-job\s+rate\(7 days\)/);
    // init --yes with flags but no --name cannot know which job they are for.
    const ambiguous = await cli(["init", "--yes", "--timeout", "30"]);
    expect(ambiguous.code, why(ambiguous)).toBe(2);
    expect(ambiguous.stderr).toMatch(/--name: support-job\.json here holds 2 jobs/);

    // destroy --name removes the job's resources, then its entry; the other entry is untouched.
    const destroy = await cli(["destroy", "--name", "second-job", "--yes"]);
    expect(destroy.code, why(destroy)).toBe(0);
    expect(Object.keys(rawFile(cwd).jobs)).toEqual(["first-job"]);
    expect(await project("second-job")).toBeUndefined();
    expect(destroy.stderr).toMatch(/Job second-job is removed from support-job\.json/);
  }, 240_000);

  it("two inits running at once in one folder lose neither job", async () => {
    const cwd = tempDir("support-job-jobs-");
    const cli = cliIn(aws, cwd);
    const [a, b] = await Promise.all([
      cli(["init", "--yes", ...jobFlags("race-a")]),
      cli(["init", "--yes", ...jobFlags("race-b", ["--schedule", "rate(2 days)"])]),
    ]);
    expect(a.code, why(a)).toBe(0);
    expect(b.code, why(b)).toBe(0);
    expect(Object.keys(rawFile(cwd).jobs).sort()).toEqual(["race-a", "race-b"]);
    expect(savedJob(cwd, "race-b").schedule).toBe("rate(2 days)");
    expect(savedJob(cwd, "race-a").schedule).toBe("cron(0 3 * * ? *)");
  });

  it("a one-job file of the earlier layout is upgraded on the next write, with a one-line notice", async () => {
    const cwd = tempDir("support-job-jobs-");
    const cli = cliIn(aws, cwd);
    const v1 = { name: "old-job", repository: `${REPO}.git`, schedule: "rate(1 day)", email: "ops@example.com", region: "us-east-1", account: ACCOUNT };
    writeFileSync(join(cwd, "support-job.json"), JSON.stringify(v1, null, 2));
    const run = await cli(["init", "--yes"]);
    expect(run.code, why(run)).toBe(0);
    expect(run.stderr.match(/one-job layout/g)).toHaveLength(1);
    expect(rawFile(cwd)).toMatchObject({
      version: 2,
      defaults: { region: "us-east-1", email: "ops@example.com" },
      jobs: { "old-job": { schedule: "rate(1 day)" } },
    });
  });

  it("a corrupt file is reported and never overwritten", async () => {
    const cwd = tempDir("support-job-jobs-");
    const cli = cliIn(aws, cwd);
    writeFileSync(join(cwd, "support-job.json"), '{\n  "version": 2,\n  "jobs": {,}\n}\n');
    for (const args of [["init", "--yes", ...jobFlags("any-job")], ["plan"], ["apply", "--yes"]]) {
      const run = await cli(args);
      expect(run.code, why(run)).toBe(2);
      expect(run.stderr).toMatch(/support-job\.json: is not valid JSON at line 3, column 12/);
    }
    expect(readFileSync(join(cwd, "support-job.json"), "utf8")).toBe('{\n  "version": 2,\n  "jobs": {,}\n}\n');
  });
});

describe("plan and apply: every job of the file", () => {
  let cwd: string;
  let cli: ReturnType<typeof cliIn>;
  const file = (jobs: Record<string, Record<string, unknown>>) =>
    writeFileSync(
      join(cwd, "support-job.json"),
      `${JSON.stringify({ version: 2, defaults: { region: "us-east-1", account: ACCOUNT, repository: `${REPO}.git`, branch: "support-jobs", email: "ops@example.com" }, jobs }, null, 2)}\n`,
    );
  const JOBS = { alpha: { schedule: "rate(1 day)" }, beta: { schedule: "rate(2 days)" }, gamma: { schedule: "rate(3 days)" } };

  beforeAll(async () => {
    await aws.reset();
    cwd = tempDir("support-job-apply-");
    cli = cliIn(aws, cwd);
    file(JOBS);
  });

  it("fresh: plan exits 3, apply creates the three jobs", async () => {
    const plan = await cli(["plan"]);
    expect(plan.code, why(plan)).toBe(3);
    for (const job of ["alpha", "beta", "gamma"]) expect(plan.stdout).toContain(`Plan for job ${job} in us-east-1`);
    expect(aws.proxy.writes()).toEqual([]);
    const json = await cli(["--json", "plan"]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ changes: true, jobs: [{ name: "alpha", changes: true }, { name: "beta" }, { name: "gamma" }] });

    const apply = await cli(["apply", "--yes"]);
    expect(apply.code, why(apply)).toBe(0);
    expect(apply.stdout).toMatch(/Applied: alpha, beta, gamma|Applied: .*alpha/);
    for (const job of ["alpha", "beta", "gamma"]) expect((await project(job))?.name).toBe(job);
  });

  it("no-op: plan exits 0; apply makes zero writes and is at most 2 round trips deep", async () => {
    const plan = await cli(["plan"]);
    expect(plan.code, why(plan)).toBe(0);
    aws.proxy.resetCalls();
    const apply = await cli(["apply", "--yes"]);
    expect(apply.code, why(apply)).toBe(0);
    expect(apply.stdout).toMatch(/Nothing to change: 3 of 3 jobs are up to date/);
    expect(aws.proxy.writes()).toEqual([]);
    expect(aws.proxy.count({ service: "sts", action: "GetCallerIdentity" })).toBe(1);
    const deep = aws.proxy.calls.filter((c) => c.depth > 2).map((c) => `${c.service}.${c.action}@${c.depth}`);
    expect(aws.proxy.maxDepth(), deep.join(" ")).toBeLessThanOrEqual(2);
    // init --yes with no --name in a folder of several jobs converges them all, as apply does.
    aws.proxy.resetCalls();
    const init = await cli(["init", "--yes"]);
    expect(init.code, why(init)).toBe(0);
    expect(init.stdout).toMatch(/Nothing to change: 3 of 3 jobs are up to date/);
    expect(aws.proxy.writes()).toEqual([]);
  });

  it("one job changed: writes only for that job", async () => {
    file({ ...JOBS, beta: { schedule: "rate(5 days)" } });
    aws.proxy.resetCalls();
    const apply = await cli(["apply", "--yes"]);
    expect(apply.code, why(apply)).toBe(0);
    expect(apply.stdout).toMatch(/Applied: beta\./);
    // alpha and gamma have nothing to change: every write is the schedule rule of beta.
    expect(aws.proxy.writes().map((c) => `${c.service}.${c.action}`)).toEqual(["events.PutRule"]);
    expect((await aws.clients.events.send(new DescribeRuleCommand({ Name: "support-job-beta-schedule" }))).ScheduleExpression).toBe("rate(5 days)");
  });

  it("one job failing: the others are applied, exit 1, the failing job named", async () => {
    file({
      alpha: { schedule: "rate(6 days)" },
      beta: { schedule: "rate(5 days)", computeType: "BUILD_GENERAL1_MEDIUM" },
      gamma: { schedule: "rate(7 days)" },
    });
    const fault = aws.proxy.addFault({ service: "codebuild", action: "UpdateProject", fault: "accessDenied" });
    try {
      const apply = await cli(["apply", "--yes"]);
      expect(apply.code, why(apply)).toBe(1);
      expect(apply.stderr).toMatch(/1 of 3 jobs failed, the others were applied\. job beta: .*AccessDenied|1 of 3 jobs failed.*job beta:/);
      expect(apply.stdout).toMatch(/Applied: alpha, gamma\./);
    } finally {
      fault.remove();
    }
    expect((await aws.clients.events.send(new DescribeRuleCommand({ Name: "support-job-alpha-schedule" }))).ScheduleExpression).toBe("rate(6 days)");
    expect((await aws.clients.events.send(new DescribeRuleCommand({ Name: "support-job-gamma-schedule" }))).ScheduleExpression).toBe("rate(7 days)");
    expect((await project("beta"))?.environment?.computeType).toBe("BUILD_GENERAL1_SMALL");
    // The run again, without the fault, finishes beta.
    const again = await cli(["apply", "--yes"]);
    expect(again.code, why(again)).toBe(0);
    expect((await project("beta"))?.environment?.computeType).toBe("BUILD_GENERAL1_MEDIUM");
  });

  it("a tagged job of the repository that the file does not hold: shown, deleted only by --prune after confirmation, only what is tagged", async () => {
    const elsewhere = tempDir("support-job-apply-other-");
    const made = await cliIn(aws, elsewhere)(["init", "--yes", ...jobFlags("delta")]);
    expect(made.code, why(made)).toBe(0);
    const plan = await cli(["plan"]);
    expect(plan.code, why(plan)).toBe(0);
    expect(plan.stdout).toMatch(/Not in support-job\.json[^\n]*\n\s+\? not in file\s+job delta in us-east-1/);
    const list = await cli(["list"]);
    expect(list.stdout).toMatch(/Not in support-job\.json here: delta \(/);

    // Without a terminal to confirm on and without --yes: refused before any AWS call.
    aws.proxy.resetCalls();
    const unconfirmed = await cli(["apply", "--prune"]);
    expect(unconfirmed.code, why(unconfirmed)).toBe(2);
    expect(aws.proxy.calls).toEqual([]);
    expect(await project("delta")).toBeDefined();

    // A resource of delta that is not tagged for it is left alone.
    const topics = (await aws.clients.sns.send(new ListTopicsCommand({}))).Topics ?? [];
    const topic = topics.find((t) => t.TopicArn?.endsWith(":support-job-delta-alerts"))!.TopicArn!;
    await aws.clients.sns.send(new UntagResourceCommand({ ResourceArn: topic, TagKeys: ["support-job:job"] }));
    const prune = await cli(["apply", "--prune", "--yes"]);
    expect(prune.code, why(prune)).toBe(0);
    expect(prune.stdout).toMatch(/Deleted \(not in support-job\.json\): delta/);
    expect(await project("delta")).toBeUndefined();
    expect((await aws.clients.sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toContain(topic);
    for (const job of ["alpha", "beta", "gamma"]) expect(await project(job)).toBeDefined();
  });
});
