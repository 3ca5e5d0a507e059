/** `support-job test-alert` against moto through the test proxy: the failing run, the report, and how status shows it. */
import { DeleteRuleCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { json, setUpJob, type StatusDoc, type TestJob } from "../helpers/job.js";
import { JOB } from "../helpers/constants.js";

const RULE = `support-job-${JOB}-alerts`;

const aws = useLocalAws();
let job: TestJob;

beforeAll(async () => {
  job = await setUpJob(aws, JOB, ["--env", "STAGE=prod"]);
});
beforeEach(() => {
  aws.proxy.resetCalls();
});

const failed = {
  status: "FAILED" as const,
  failedPhase: "BUILD" as const,
  reason: { statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: exit 1. Reason: exit status 1" },
};

describe("support-job test-alert", () => {
  it("starts a run that fails on purpose (inline buildspec, no source, labelled), waits for it to fail, names the address and exits 0", async () => {
    aws.proxy.builds.scriptNext([{ status: "IN_PROGRESS", phase: "PROVISIONING" }, { status: "IN_PROGRESS", phase: "BUILD" }, failed]);
    const run = await job.cli(["test-alert"]);
    expect(run.code, run.stderr).toBe(0);

    const [start] = aws.proxy.builds.startRequests.slice(-1);
    expect(start?.request).toEqual({
      projectName: JOB,
      idempotencyToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
      buildspecOverride: expect.stringMatching(
        /build:\n {4}commands:\n {6}- 'echo "support-job test-alert: this run of job nightly-cleanup fails on purpose to test its alerts; nothing of the job ran\."'\n {6}- 'exit 1'\n$/,
      ),
      sourceTypeOverride: "NO_SOURCE",
      timeoutInMinutesOverride: 5,
      environmentVariablesOverride: [{ name: "SUPPORT_JOB_TEST_ALERT", value: "1", type: "PLAINTEXT" }],
    });
    expect(run.stderr).toMatch(/waiting for test run #\d+ of nightly-cleanup to fail: PROVISIONING\n.*: BUILD\n/);
    expect(run.stderr).toMatch(/✔ Test run #\d+ of nightly-cleanup failed as intended after \d+s\./);
    expect(run.stdout).toContain(
      'Expect the alert email at ops@example.com within a minute or two (subject "AWS Notification Message", from no-reply@sns.amazonaws.com)',
    );
    expect(run.stdout).toContain(`/projects/${JOB}/build/${encodeURIComponent(start?.buildId ?? "")}/`);
  });

  it("status shows the test run with the trigger test-alert, in the table and in JSON, and leaves it out of the success rate", async () => {
    aws.proxy.builds.scriptNext([failed]);
    expect((await job.cli(["test-alert"])).code).toBe(0);
    const id = aws.proxy.builds.startRequests.slice(-1)[0]?.buildId;

    const table = await job.cli(["status"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/✘ failed .* test-alert\n/);
    expect(table.stdout).toMatch(/no run has finished yet · \d alert tests not counted/);

    const doc = json<StatusDoc>((await job.cli(["status", "--json"])).stdout);
    expect(doc.runs.find((r) => r.id === id)).toMatchObject({ status: "FAILED", trigger: "test-alert" });
    expect(doc.runsSummary).toMatchObject({ finished: 0, successRate: null });
  });

  it("--json prints the run and where the alert goes", async () => {
    aws.proxy.builds.scriptNext([failed]);
    const run = await job.cli(["test-alert", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run.stdout)).toMatchObject({
      name: JOB,
      started: true,
      failedAsIntended: true,
      run: { status: "FAILED", trigger: "test-alert", failedPhase: "BUILD" },
      alert: {
        rule: RULE,
        recipients: ["ops@example.com"],
        pendingConfirmation: [],
        emailCanArrive: true,
        alertOn: ["FAILED", "STOPPED", "TIMED_OUT", "FAULT"],
      },
    });
  });

  it("exits 1 when the test run does not fail (the alert test is inconclusive)", async () => {
    aws.proxy.builds.scriptNext([{ status: "SUCCEEDED" }]);
    const run = await job.cli(["test-alert"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("The test run of job nightly-cleanup ended SUCCEEDED, not FAILED, so the alert test is inconclusive.");
  });

  it("a run that ends TIMED_OUT instead says an alert may still come (the rule includes it), and exits 1", async () => {
    aws.proxy.builds.scriptNext([{ status: "TIMED_OUT", failedPhase: "BUILD" }]);
    const run = await job.cli(["test-alert"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ended TIMED_OUT, not FAILED");
    expect(run.stderr).toContain("(the rule alerts on TIMED_OUT too, so an email may still arrive)");
  });

  it("with alerts on other statuses only, says no alert would be sent for the test and why, starts nothing and exits 1", async () => {
    const other = await setUpJob(aws, "weekly-report", ["--alert-on", "TIMED_OUT,STOPPED"]);
    aws.proxy.resetCalls();
    const run = await other.cli(["test-alert"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "no alert will be sent for this test: the alert rule emails only when a run ends STOPPED or TIMED_OUT, and a test run ends FAILED",
    );
    expect(run.stderr).toContain("`support-job init --yes --alert-on FAILED,STOPPED,TIMED_OUT`");
    expect(aws.proxy.count({ action: "StartBuild" })).toBe(0);
    expect(aws.proxy.writes()).toEqual([]);
  });

  it("a job whose alert rule was deleted: says what is missing and that `support-job init --yes` recreates it, starts nothing, exits 1", async () => {
    const broken = await setUpJob(aws, "broken-alerts");
    await aws.clients.events.send(new RemoveTargetsCommand({ Rule: "support-job-broken-alerts-alerts", Ids: ["support-job-alert-topic"] }));
    await aws.clients.events.send(new DeleteRuleCommand({ Name: "support-job-broken-alerts-alerts" }));
    aws.proxy.resetCalls();
    const run = await broken.cli(["test-alert"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("The alerts of job broken-alerts cannot be tested, so no test run was started:");
    expect(run.stderr).toContain("the alert rule support-job-broken-alerts-alerts is missing: `support-job init --yes` recreates it.");
    expect(aws.proxy.count({ action: "StartBuild" })).toBe(0);

    // And init --yes does recreate it: the test then runs.
    expect((await broken.cli(["init", "--yes"])).code).toBe(0);
    aws.proxy.builds.scriptNext([failed]);
    expect((await broken.cli(["test-alert"])).code).toBe(0);
  });

  it("reads everything it checks in one round of parallel calls before starting the run", async () => {
    aws.proxy.builds.scriptNext([failed]);
    // Enough latency that parallel calls overlap even on a loaded CI core: depth comes from overlap, not from time.
    aws.proxy.latencyMs = 300;
    try {
      expect((await job.cli(["test-alert"])).code).toBe(0);
    } finally {
      aws.proxy.latencyMs = 0;
    }
    const start = aws.proxy.calls.find((c) => c.action === "StartBuild");
    // GetCallerIdentity, then the topic's reads (they need the account): StartBuild is the third round trip.
    expect(start?.depth).toBeLessThanOrEqual(3);
    expect(aws.proxy.writes().map((c) => c.action)).toEqual(["StartBuild"]);
  });
});
