/**
 * No overlapping runs: the project allows one run at a time (--max-parallel 1, the default), CodeBuild refuses a
 * start over it, and `run-now` says so or, with --wait-for-previous, waits. moto ignores concurrentBuildLimit; the
 * test proxy refuses the start as AWS does (tools/local-aws/proxy-codebuild.ts).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { setUpJob, type TestJob } from "../helpers/job.js";
import { JOB } from "../helpers/constants.js";

const aws = useLocalAws();
let job: TestJob;

beforeEach(async () => {
  await aws.reset();
  job = await setUpJob(aws, JOB);
});

/** A run of the job that is going (a read has shown it IN_PROGRESS). */
async function runningRun(): Promise<string> {
  const started = await job.cli(["run-now"]);
  expect(started.code, started.stderr).toBe(0);
  const ids = aws.proxy.builds.ids(JOB);
  const id = ids[ids.length - 1]!;
  aws.proxy.builds.set(id, { status: "IN_PROGRESS", phase: "BUILD" });
  return id;
}

describe("run-now while a run is in progress", () => {
  it("says which run is going and how to wait for it (exit 1); nothing is started", async () => {
    const id = await runningRun();
    aws.proxy.resetCalls();
    const run = await job.cli(["run-now"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`A run of job ${JOB} is in progress: #\\d+ \\(${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`));
    expect(run.stderr).toContain("support-job run-now --wait-for-previous");
    expect(aws.proxy.builds.ids(JOB)).toHaveLength(1);
  });

  it("--wait-for-previous waits for the run to end, then starts the next one", async () => {
    const id = await runningRun();
    aws.proxy.resetCalls();
    // The first StartBuild is refused; while run-now watches the run going (its second read of it), that run ends,
    // and the second StartBuild goes through.
    let reads = 0;
    const stop = aws.proxy.onCall((call) => {
      if (call.action !== "BatchGetBuilds" || ++reads < 2) return;
      stop();
      aws.proxy.builds.set(id, { status: "SUCCEEDED" });
    });
    const run = await job.cli(["run-now", "--wait-for-previous"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/A run is in progress \(#\d+ .*\): waiting for it to end \(--wait-for-previous\)/);
    expect(run.stdout).toMatch(/Started run #\d+ of nightly-cleanup/);
    expect(aws.proxy.count({ service: "codebuild", action: "StartBuild" })).toBe(2);
    expect(aws.proxy.builds.ids(JOB)).toHaveLength(2);
  });

  it("with --max-parallel 2 a second run starts alongside the first", async () => {
    expect((await job.cli(["init", "--yes", "--max-parallel", "2"])).code).toBe(0);
    await runningRun();
    const second = await job.cli(["run-now"]);
    expect(second.code, second.stderr).toBe(0);
    expect(aws.proxy.builds.ids(JOB)).toHaveLength(2);
  });
});
