// init killed after each of its writes, or stopped with Ctrl-C in the middle of applying, then run again:
// every time the account ends exactly as after an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import type { CallRecord } from "../../tools/local-aws/proxy.js";
import { cli, createTeamPolicy, describeRun, envFor, FULL_FLAGS, JOB, lines, stackLines, workdir } from "./helpers.js";
import { runInProcess } from "../helpers/run-in-process.js";
import { Results } from "./results.js";
import { snapshotAccount, type AccountSnapshot } from "./snapshot.js";

const results = new Results("interrupts", 2, "Interruptions: init killed after every write, Ctrl-C");

const aws = useLocalAws();
let clean: AccountSnapshot;
/** The writes of a fresh, uninterrupted init, in the order they completed. */
let cleanWrites: string[] = [];

const label = (c: CallRecord) => `${c.service}.${c.action}`;

async function freshAccount(): Promise<void> {
  await aws.reset();
  await createTeamPolicy(aws.clients);
}

/** Resolves once `count` write calls have been answered (or hung, for a "hang" fault). */
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

beforeAll(async () => {
  await freshAccount();
  // The clean reference run, through the CLI's entry point in this process (the interrupted runs below are real processes).
  const run = await runInProcess(["init", "--yes", ...FULL_FLAGS], { env: envFor(aws.endpoint), cwd: workdir() });
  expect(run.code, describeRun(run)).toBe(0);
  clean = await snapshotAccount(aws.clients, JOB);
  cleanWrites = aws.proxy.writes().map(label);
}, 60_000);

afterAll(async () => {
  results.write();
});

describe("init killed (SIGKILL) after each successive write, then run again", () => {
  it("ends every time exactly like an uninterrupted run, with no duplicate", async () => {
    expect(cleanWrites.length).toBeGreaterThanOrEqual(12);
    results.set("writes in a fresh init (interruption points)", cleanWrites.length);
    const failures: string[] = [];
    for (let n = 1; n <= cleanWrites.length; n++) {
      await freshAccount();
      const cwd = workdir();
      aws.proxy.resetCalls();
      const { reached, at, stop } = afterWrites(n);
      const killed = await cli(["init", "--yes", ...FULL_FLAGS], { env: envFor(aws.endpoint), cwd, killWhen: reached, signal: "SIGKILL" });
      stop();
      aws.proxy.resetCalls();
      // The settings were saved before the first write: the re-run is what the user is told to type.
      const rerun = await cli(["init", "--yes"], { env: envFor(aws.endpoint), cwd });
      const after = await snapshotAccount(aws.clients, JOB);
      const where = `killed after write ${n} (${at()}; the killed run exited ${String(killed.code)})`;
      if (rerun.code !== 0) failures.push(`${where}: the re-run failed:\n${describeRun(rerun)}`);
      else if (JSON.stringify(after) !== JSON.stringify(clean)) {
        // Show the difference with vitest's own diff for the first one.
        failures.push(`${where}: the account differs from a clean run`);
        if (failures.length === 1) expect(after, where).toEqual(clean);
      }
      if (killed.code === null) results.add("init runs killed mid-apply, then re-run to the clean state");
      results.add("writes made by the re-runs (finishing what the killed run left)", aws.proxy.writes().length);
    }
    expect(failures).toEqual([]);
    results.note(
      `init was killed after each of its ${cleanWrites.length} writes in turn (${[...new Set(cleanWrites)].join(", ")}); each time \`support-job init --yes\` finished the job and the account matched a clean run resource by resource.`,
    );
  }, 240_000);
});

describe("Ctrl-C during apply", () => {
  it("exits 130, says what was done and that `support-job init --yes` finishes the job, and the re-run does", async () => {
    await freshAccount();
    const cwd = workdir();
    // The subscription hangs; once every other write has been answered, the user presses Ctrl-C.
    aws.proxy.addFault({ service: "sns", action: "Subscribe", fault: "hang" });
    const { reached, stop } = afterWrites(cleanWrites.length);
    const run = await cli(["init", "--yes", ...FULL_FLAGS], { env: envFor(aws.endpoint), cwd, killWhen: reached, signal: "SIGINT" });
    stop();
    aws.proxy.clearFaults();
    expect(run.code, describeRun(run)).toBe(130);
    expect(stackLines(run.stderr)).toEqual([]);
    const message = run.stderr.slice(run.stderr.indexOf("Interrupted while applying"));
    expect(message, describeRun(run)).toMatch(/^Interrupted while applying\. Already done:/);
    for (const done of [
      "created CodeBuild service role support-job-nightly-cleanup-use1-build",
      "created job permissions policy support-job-nightly-cleanup-use1-permissions",
      "created CodeBuild project nightly-cleanup",
      "created schedule rule support-job-nightly-cleanup-schedule",
      "created alert topic support-job-nightly-cleanup-alerts",
    ])
      expect(message).toContain(done);
    // The hung Subscribe was sent: it is under way (it may exist), never reported as done.
    expect(message).not.toMatch(/created alert email subscription/);
    expect(message).toMatch(/Under way, may already exist:\n {2}creating alert email subscription/);
    expect(message).toContain("`support-job destroy --name nightly-cleanup --yes` to remove what was created");
    expect(message).toContain("run `support-job init --yes` to finish it");
    expect(lines(message).at(-1)).toMatch(/support-job init --yes/);

    const rerun = await cli(["init", "--yes"], { env: envFor(aws.endpoint), cwd });
    expect(rerun.code, describeRun(rerun)).toBe(0);
    expect(await snapshotAccount(aws.clients, JOB)).toEqual(clean);
    results.add("Ctrl-C during apply: exit 130, what was done, how to finish; the re-run finished the job");
  }, 60_000);

  it("before any change says nothing was changed and exits 130", async () => {
    await freshAccount();
    const cwd = workdir();
    // The very first call (the identity check) hangs: nothing has been written yet.
    aws.proxy.addFault({ service: "sts", fault: "hang" });
    let resolveHang!: () => void;
    const hung = new Promise<void>((r) => (resolveHang = r));
    const stop = aws.proxy.onCall((c) => c.injected === "hang" && resolveHang());
    const run = await cli(["init", "--yes", ...FULL_FLAGS], { env: envFor(aws.endpoint), cwd, killWhen: hung, signal: "SIGINT" });
    stop();
    aws.proxy.clearFaults();
    expect(run.code, describeRun(run)).toBe(130);
    expect(run.stderr).toMatch(/nothing was changed/);
    expect(aws.proxy.writes()).toEqual([]);
    results.add("Ctrl-C before any change: exit 130, nothing changed");
  }, 30_000);
});
