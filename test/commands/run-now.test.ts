/** `support-job run-now` (plain, --wait, --follow) and `support-job logs`, against moto through the test proxy. */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeBuildLog } from "../../tools/local-aws/env.js";
import { useLocalAws } from "../helpers/local-aws.js";
import type { BuildStep, CallRecord } from "../../tools/local-aws/proxy.js";
import { ACCOUNT, json, setUpJob, type TestJob } from "../helpers/job.js";
import { JOB } from "../helpers/constants.js";

const aws = useLocalAws();
let job: TestJob;

beforeAll(async () => {
  job = await setUpJob(aws, JOB);
});
beforeEach(() => {
  aws.proxy.resetCalls();
});

const inProgress = (phase: string, times = 1): BuildStep[] => Array.from({ length: times }, () => ({ status: "IN_PROGRESS", phase }));

/** Resolves with the n-th call matching `action` (counting from 1), from now on. */
function nthCall(action: string, n = 1): Promise<CallRecord> {
  let seen = 0;
  return new Promise((resolve) => {
    const stop = aws.proxy.onCall((call) => {
      if (call.action !== action || ++seen < n) return;
      stop();
      resolve(call);
    });
  });
}

const newestBuildId = () => {
  const ids = aws.proxy.builds.ids(JOB);
  return ids[ids.length - 1] ?? "";
};

describe("support-job run-now", () => {
  it("starts a run with an idempotency token and the --env overrides, prints its id and console link, and returns", async () => {
    const run = await job.cli(["run-now", "--env", "DRY_RUN=true", "--env", "DB_PASSWORD=ssm:/cleanup/db"]);
    expect(run.code, run.stderr).toBe(0);
    const [start] = aws.proxy.builds.startRequests.slice(-1);
    expect(start?.request).toMatchObject({
      projectName: JOB,
      idempotencyToken: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      environmentVariablesOverride: [
        { name: "DRY_RUN", value: "true", type: "PLAINTEXT" },
        { name: "DB_PASSWORD", value: "/cleanup/db", type: "PARAMETER_STORE" },
      ],
    });
    const id = start?.buildId ?? "";
    expect(run.stdout).toContain(`: ${id}\n`);
    expect(run.stdout).toContain(
      `https://us-east-1.console.aws.amazon.com/codesuite/codebuild/${ACCOUNT}/projects/${JOB}/build/${encodeURIComponent(id)}/?region=us-east-1`,
    );
    expect(aws.proxy.count({ service: "codebuild", action: "BatchGetBuilds" })).toBe(0);
  });

  it("refuses a plaintext secret in --env before calling AWS (exit 2)", async () => {
    const run = await job.cli(["run-now", "--env", "API_TOKEN=abc123"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("API_TOKEN looks like a secret");
    expect(aws.proxy.calls).toHaveLength(0);
  });

  it("--wait shows each phase and exits 0 when the run succeeds", async () => {
    aws.proxy.builds.scriptNext([...inProgress("PROVISIONING"), ...inProgress("BUILD", 2), { status: "SUCCEEDED" }]);
    const run = await job.cli(["run-now", "--wait"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/waiting for run #\d+ of nightly-cleanup: PROVISIONING\n.*: BUILD\n.*: COMPLETED/);
    expect(run.stderr).toMatch(/✔ Run #\d+ of nightly-cleanup succeeded in \d+s/);
  });

  it.each([
    [
      "FAILED",
      {
        failedPhase: "BUILD",
        reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: ./cleanup.sh. Reason: exit status 2" },
      },
      /failed after \d+s \(FAILED\): BUILD phase: COMMAND_EXECUTION_ERROR: Error while executing command: \.\/cleanup\.sh\. Reason: exit status 2/,
    ],
    [
      "FAULT",
      { failedPhase: "PROVISIONING", reason: { statusCode: "CLIENT_ERROR", message: "CodeBuild could not pull the image" } },
      /fault after \d+s \(FAULT\): PROVISIONING phase: CLIENT_ERROR: CodeBuild could not pull the image/,
    ],
    ["TIMED_OUT", { failedPhase: "BUILD" }, /timed out after \d+s \(TIMED_OUT\): BUILD phase: BUILD_TIMED_OUT: Build has timed out\./],
    ["STOPPED", { failedPhase: "BUILD" }, /stopped after \d+s \(STOPPED\): BUILD phase/],
  ] as const)("--wait exits 1 when the run ends %s, with the failed phase and reason", async (status, step, message) => {
    aws.proxy.builds.scriptNext([...inProgress("BUILD"), { status, ...step }]);
    const run = await job.cli(["run-now", "--wait"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(`Its log: support-job logs ${newestBuildId()}`);
    expect(run.stderr).not.toMatch(/unexpected error/);
  });

  it("--wait --json prints the run as JSON, then exits with its outcome", async () => {
    aws.proxy.builds.scriptNext([{ status: "FAILED" }]);
    const run = await job.cli(["run-now", "--wait", "--json"]);
    expect(run.code).toBe(1);
    expect(json(run.stdout)).toMatchObject({
      id: newestBuildId(),
      status: "FAILED",
      failedPhase: "BUILD",
      reasonCode: "COMMAND_EXECUTION_ERROR",
      trigger: "manual",
    });
  });

  it("--follow prints the log lines as they are written, waiting for the stream to exist, until the run ends", async () => {
    aws.proxy.builds.scriptNext([...inProgress("QUEUED", 2), ...inProgress("PROVISIONING", 2), ...inProgress("BUILD", 6), { status: "SUCCEEDED" }]);
    // The stream appears only once the run is provisioning: the first reads find no stream.
    void nthCall("BatchGetBuilds", 3).then(() =>
      writeBuildLog(aws.clients, newestBuildId(), ["[Container] Entering phase BUILD", "cleaning 3 expired accounts"]),
    );
    void nthCall("BatchGetBuilds", 6).then(() =>
      writeBuildLog(aws.clients, newestBuildId(), ["cleaned 3 accounts", "[Container] Phase complete: BUILD State: SUCCEEDED"]),
    );
    const run = await job.cli(["run-now", "--follow"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    const logStart = lines.indexOf("[Container] Entering phase BUILD");
    expect(lines.slice(logStart, logStart + 4)).toEqual([
      "[Container] Entering phase BUILD",
      "cleaning 3 expired accounts",
      "cleaned 3 accounts",
      "[Container] Phase complete: BUILD State: SUCCEEDED",
    ]);
    expect(run.stdout).toMatch(/✔ Run #\d+ of nightly-cleanup succeeded/);
    // Before the stream existed, GetLogEvents answered ResourceNotFoundException: "not yet", not an error.
    expect(aws.proxy.count((c) => c.action === "GetLogEvents" && c.status === 400)).toBeGreaterThan(0);
  });

  it("--follow of a failed run prints its log, then the outcome, and exits 1", async () => {
    aws.proxy.builds.scriptNext([...inProgress("BUILD", 3), { status: "FAILED", reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 1" } }]);
    void nthCall("StartBuild").then(() => writeBuildLog(aws.clients, newestBuildId(), ["Traceback (most recent call last):", "KeyError: 'account_id'"]));
    const run = await job.cli(["run-now", "--follow"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Traceback (most recent call last):\nKeyError: 'account_id'\n");
    expect(run.stderr).toMatch(/failed after \d+s \(FAILED\): BUILD phase: COMMAND_EXECUTION_ERROR: exit status 1/);
  });

  it("Ctrl-C stops waiting, not the run: it prints how to stop the run and exits 130", async () => {
    aws.proxy.builds.scriptNext([...inProgress("BUILD", 500), { status: "SUCCEEDED" }]);
    const run = await job.cli(["run-now", "--wait"], { killWhen: nthCall("BatchGetBuilds", 2), signal: "SIGINT" });
    expect(run.code).toBe(130);
    const id = newestBuildId();
    expect(run.stderr).toContain(`the run goes on in CodeBuild. To stop it: aws codebuild stop-build --id ${id}`);
    expect(aws.proxy.count({ action: "StopBuild" })).toBe(0);
    // The run goes on; it ends here so the next tests' runs are not refused (the job runs one at a time).
    aws.proxy.builds.set(id, { status: "SUCCEEDED" });
  });
});

describe("support-job logs", () => {
  it("prints a run's whole log by id, or the last run's with --last", async () => {
    aws.proxy.builds.scriptNext([{ status: "SUCCEEDED" }]);
    const started = await job.cli(["run-now", "--wait"]);
    expect(started.code, started.stderr).toBe(0);
    const id = newestBuildId();
    const lines = Array.from({ length: 250 }, (_, i) => `line ${i + 1}`);
    await writeBuildLog(aws.clients, id, lines);

    const byId = await job.cli(["logs", id]);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toBe(`${lines.join("\n")}\n`);
    expect(byId.stderr).toMatch(/Run #\d+ of nightly-cleanup .*✔ succeeded/);

    const last = await job.cli(["logs", "--last"]);
    expect(last.stdout).toBe(byId.stdout);
    const doc = json<{ id: string; events: { message: string }[] }>((await job.cli(["logs", "--json"])).stdout);
    expect(doc.id).toBe(id);
    expect(doc.events.map((e) => e.message)).toEqual(lines);
  });

  it("an unknown run id is an input error", async () => {
    const run = await job.cli(["logs", `${JOB}:00000000-0000-0000-0000-000000000000`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("there is no run nightly-cleanup:00000000-0000-0000-0000-000000000000");
  });
});

describe("a job name that does not exist", () => {
  it.each([["run-now"], ["logs"]])("`%s --name ghost` is an input error that says so (exit 2), not an AWS error", async (command) => {
    const run = await job.cli([command, "--name", "ghost"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--name: there is no job ghost in us-east-1 \(no CodeBuild project of that name\); see `support-job list`/);
    expect(run.stderr).not.toMatch(/ResourceNotFoundException|request id/);
  });
});
