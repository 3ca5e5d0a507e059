/** What a job costs, against moto: the plan's monthly estimate from the schedule and past runs; status's last 30 days. */
import { beforeEach, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { JOB } from "../helpers/constants.js";
import { json, setUpJob } from "../helpers/job.js";

const aws = useLocalAws();
beforeEach(() => aws.reset());

const MIN = 60_000;
const DAY = 86_400_000;

it("estimates a month from the schedule and 5 minutes a run before the first run, then from the median of past runs", async () => {
  const job = await setUpJob(aws, JOB);
  const fresh = await job.cli(["init", "--yes", "--dry-run"]);
  expect(fresh.stderr).toContain("Estimated cost: 30 runs a month × 5 min (5 minutes until a first run) = 150 billed minutes at $0.005/min ≈ $0.75 a month");

  const at = (daysAgo: number, minutes: number) => ({
    status: "SUCCEEDED" as const,
    startTime: new Date(Date.now() - daysAgo * DAY),
    endTime: new Date(Date.now() - daysAgo * DAY + minutes * MIN),
  });
  await aws.proxy.builds.createHistory(JOB, [at(3, 2.5), at(2, 7.2), at(1, 2.1)]);
  const later = await job.cli(["init", "--yes", "--dry-run", "--compute-type", "BUILD_GENERAL1_MEDIUM"]);
  // Billed 3, 8 and 3 minutes: the median is 3; 30 × 3 = 90 minutes at $0.01.
  expect(later.stderr).toContain("30 runs a month × 3 min (the median of the last 3 runs) = 90 billed minutes at $0.01/min ≈ $0.90 a month");
});

it("status shows the billed minutes and cost of the last 30 days' runs, and --json too", async () => {
  const job = await setUpJob(aws, JOB);
  const run = (daysAgo: number, seconds: number, status: "SUCCEEDED" | "FAILED" = "SUCCEEDED") => ({
    status,
    startTime: new Date(Date.now() - daysAgo * DAY),
    endTime: new Date(Date.now() - daysAgo * DAY + seconds * 1000),
  });
  // 40 days ago does not count; 61 s bills 2 minutes, 300 s 5, a failed 10 s run 1.
  await aws.proxy.builds.createHistory(JOB, [run(40, 600), run(5, 61), run(2, 300), run(1, 10, "FAILED")]);
  const text = await job.cli(["status"]);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(/Last 30 days\s+3 runs, 8 billed minutes ≈ \$0\.04/);
  const doc = json<{ cost30Days: unknown }>((await job.cli(["--json", "status"])).stdout);
  expect(doc.cost30Days).toEqual({ runs: 3, billedMinutes: 8, usd: 0.04, lowerBound: false });
});
