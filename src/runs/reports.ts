/**
 * The test report of a job's last run that wrote one (a buildspec `reports:` section): its counts and the first
 * failing test. From the build's `reportArns`: one BatchGetReports, and one DescribeTestCases when a test failed.
 */
import { BatchGetReportsCommand, DescribeTestCasesCommand, type Build, type Report } from "@aws-sdk/client-codebuild";
import type { Clients } from "../aws/clients.js";

export interface ReportSummary {
  /** The run that wrote it. */
  buildId: string;
  /** Report groups `<job>-<name>`, as CodeBuild names the groups it creates. */
  groups: string[];
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  /** The first failed (or errored) test's name, with its prefix (class or suite) when there is one. */
  firstFailure: string | undefined;
}

/** The newest finished run with reports among `builds` (newest first); undefined when none wrote one. */
export async function lastRunReport(clients: Clients, builds: readonly Build[]): Promise<ReportSummary | undefined> {
  const build = builds.find((b) => b.buildComplete && (b.reportArns?.length ?? 0) > 0);
  if (!build?.id || !build.reportArns) return undefined;
  const out = await clients.codebuild.send(new BatchGetReportsCommand({ reportArns: build.reportArns.slice(0, 100) }));
  const tests = (out.reports ?? []).filter((r) => r.type === "TEST");
  if (tests.length === 0) return undefined;
  const count = (r: Report, ...statuses: string[]) => statuses.reduce((n, s) => n + (r.testSummary?.statusCounts?.[s] ?? 0), 0);
  const sum = (...statuses: string[]) => tests.reduce((n, r) => n + count(r, ...statuses), 0);
  const failing = tests.find((r) => count(r, "FAILED", "ERROR") > 0);
  let firstFailure: string | undefined;
  if (failing?.arn) {
    const cases = await clients.codebuild.send(new DescribeTestCasesCommand({ reportArn: failing.arn, filter: { status: "FAILED" }, maxResults: 1 }));
    const errored = cases.testCases?.length
      ? cases
      : await clients.codebuild.send(new DescribeTestCasesCommand({ reportArn: failing.arn, filter: { status: "ERROR" }, maxResults: 1 }));
    const test = errored.testCases?.[0];
    if (test?.name) firstFailure = test.prefix ? `${test.prefix} ${test.name}` : test.name;
  }
  return {
    buildId: build.id,
    groups: tests.map((r) => r.reportGroupArn?.split("/").pop() ?? r.name ?? ""),
    total: tests.reduce((n, r) => n + (r.testSummary?.total ?? 0), 0),
    passed: sum("SUCCEEDED"),
    failed: sum("FAILED", "ERROR"),
    skipped: sum("SKIPPED"),
    firstFailure,
  };
}
