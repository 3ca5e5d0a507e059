// destroy killed after each of its writes, then run again: nothing of the job is left, every time.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import type { CallRecord } from "../../tools/local-aws/proxy.js";
import { cli, createTeamPolicy, describeRun, envFor, FULL_FLAGS, JOB, TEAM_POLICY_ARN, workdir } from "./helpers.js";
import { runInProcess } from "../helpers/run-in-process.js";
import { Results } from "./results.js";
import { seedJob } from "./seed.js";
import { isEmpty, snapshotAccount, type AccountSnapshot } from "./snapshot.js";

const results = new Results("destroy-interrupts", 3, "Interruptions: destroy killed after every write");

const aws = useLocalAws();
/** What an uninterrupted `init --yes` leaves: the seeded job must be the same. */
let clean: AccountSnapshot;

const label = (c: CallRecord) => `${c.service}.${c.action}`;

async function freshAccount(): Promise<void> {
  await aws.reset();
  await createTeamPolicy(aws.clients);
}

/** Resolves once `count` write calls have been answered. */
function afterWrites(count: number): { reached: Promise<CallRecord>; at: () => string; stop: () => void } {
  let seen = 0;
  let last: CallRecord | undefined;
  let resolve!: (call: CallRecord) => void;
  const reached = new Promise<CallRecord>((r) => (resolve = r));
  const stop = aws.proxy.onCall((call) => {
    if (!call.write || ++seen !== count) return;
    last = call;
    resolve(call);
  });
  return { reached, at: () => (last ? label(last) : "never reached"), stop };
}

const destroyAvailable = existsSync(fileURLToPath(new URL("../../dist/cli.js", import.meta.url)));

beforeAll(async () => {
  await freshAccount();
  // The clean reference run, through the CLI's entry point in this process (the interrupted runs below are real processes).
  const run = await runInProcess(["init", "--yes", ...FULL_FLAGS], { env: envFor(aws.endpoint), cwd: workdir() });
  expect(run.code, describeRun(run)).toBe(0);
  clean = await snapshotAccount(aws.clients, JOB);
}, 60_000);

afterAll(async () => {
  results.write();
});

describe("destroy killed (SIGKILL) after each successive write, then run again", () => {
  it("leaves nothing of the job, every time", async () => {
    // Fail, not skip, without a build: a skipped test here would hide that destroy's resumability went unchecked.
    expect(destroyAvailable, "dist/cli.js is missing: run `npm run build` before this test").toBe(true);
    const cwd = workdir();
    const raw = {
      name: JOB,
      repository: "https://github.com/acme/ops-scripts.git",
      branch: "support-jobs",
      buildspec: "jobs/cleanup/buildspec.yml",
      schedule: "cron(0 3 * * ? *)",
      email: "ops@example.com",
      env: ["STAGE=prod", "DB_PASSWORD=ssm:/cleanup/db-password"],
      policyFile: "policy.json",
      policyArns: [TEAM_POLICY_ARN],
    };
    const destroy = () => cli(["destroy", "--yes", "--name", JOB], { env: envFor(aws.endpoint), cwd });

    // Count the writes of an uninterrupted destroy first; the seeded job must equal what init makes.
    await freshAccount();
    await seedJob(aws.clients, raw, cwd);
    expect(await snapshotAccount(aws.clients, JOB)).toEqual(clean);
    aws.proxy.resetCalls();
    const whole = await destroy();
    expect(whole.code, describeRun(whole)).toBe(0);
    const destroyWrites = aws.proxy.writes().map(label);
    expect(isEmpty(await snapshotAccount(aws.clients, JOB))).toBe(true);
    results.set("writes in a destroy (interruption points)", destroyWrites.length);

    const failures: string[] = [];
    for (let n = 1; n <= destroyWrites.length; n++) {
      await freshAccount();
      await seedJob(aws.clients, raw, cwd);
      aws.proxy.resetCalls();
      const { reached, at, stop } = afterWrites(n);
      const killed = await cli(["destroy", "--yes", "--name", JOB], { env: envFor(aws.endpoint), cwd, killWhen: reached, signal: "SIGKILL" });
      stop();
      const rerun = await destroy();
      const left = await snapshotAccount(aws.clients, JOB);
      const where = `destroy killed after write ${n} (${at()}; the killed run exited ${String(killed.code)})`;
      if (rerun.code !== 0) failures.push(`${where}: the re-run failed:\n${describeRun(rerun)}`);
      else if (!isEmpty(left)) failures.push(`${where}: left ${JSON.stringify(left)}`);
      if (killed.code === null) results.add("destroy runs killed mid-way, then re-run to nothing left");
    }
    expect(failures).toEqual([]);
    results.note(
      `destroy was killed after each of its ${destroyWrites.length} writes in turn; each time a second \`support-job destroy --yes\` left nothing of the job.`,
    );
  }, 240_000);
});
