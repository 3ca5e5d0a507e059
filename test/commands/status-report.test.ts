/**
 * status shows the last run's test report: moto has no CodeBuild reports, so the test proxy emulates BatchGetReports
 * and DescribeTestCases (shapes from botocore's CodeBuild model) for a scripted run that "wrote" one.
 */
import { beforeEach, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { JOB } from "../helpers/constants.js";
import { json, setUpJob } from "../helpers/job.js";

const aws = useLocalAws();
beforeEach(() => aws.reset());

it("shows the newest report's passed, failed and skipped counts and the first failing test, in text and --json", async () => {
  const job = await setUpJob(aws, JOB);
  const hour = 3_600_000;
  const [older, newer] = await aws.proxy.builds.createHistory(JOB, [
    { status: "SUCCEEDED", startTime: new Date(Date.now() - 3 * hour) },
    { status: "FAILED", startTime: new Date(Date.now() - hour) },
  ]);
  aws.proxy.builds.addReport(older!, { group: "unit", testCases: [{ name: "old", status: "SUCCEEDED" }] });
  aws.proxy.builds.addReport(newer!, {
    group: "unit",
    testCases: [
      { name: "keeps active accounts", prefix: "CleanupTest", status: "SUCCEEDED" },
      { name: "removes expired accounts", prefix: "CleanupTest", status: "FAILED", message: "expected 0, got 3" },
      { name: "archives reports", prefix: "CleanupTest", status: "SKIPPED" },
      { name: "sends summary", prefix: "CleanupTest", status: "SUCCEEDED" },
    ],
  });

  aws.proxy.resetCalls();
  const text = await job.cli(["status"]);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(/Test report\s+2 passed, 1 failed, 1 skipped \(of 4\)/);
  expect(text.stdout).toContain("first failure: CleanupTest removes expired accounts");
  expect(text.stdout).toContain(`${JOB}-unit`);
  expect(aws.proxy.calls.filter((c) => c.action === "BatchGetReports")).toHaveLength(1);
  expect(aws.proxy.calls.filter((c) => c.action === "DescribeTestCases")).toHaveLength(1);

  const doc = json<{ lastReport: Record<string, unknown> }>((await job.cli(["--json", "status"])).stdout);
  expect(doc.lastReport).toEqual({
    runId: newer,
    reportGroups: [`${JOB}-unit`],
    total: 4,
    passed: 2,
    failed: 1,
    skipped: 1,
    firstFailure: "CleanupTest removes expired accounts",
  });
});

it("reads no report when no run wrote one, and says nothing about reports", async () => {
  const job = await setUpJob(aws, JOB);
  await aws.proxy.builds.createHistory(JOB, [{ status: "SUCCEEDED", startTime: new Date(Date.now() - 3_600_000) }]);
  aws.proxy.resetCalls();
  const run = await job.cli(["--json", "status"]);
  expect(run.code, run.stderr).toBe(0);
  expect(json<{ lastReport: unknown }>(run.stdout).lastReport).toBeNull();
  expect(aws.proxy.calls.filter((c) => c.action === "BatchGetReports")).toEqual([]);
});
