/** support-job.json version 2: many jobs, shared defaults, the v1 upgrade, atomic writes that never lose an edit, and the shipped JSON Schema. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CONFIG_FILE,
  jobConfig,
  jobNamesIn,
  readJobsFile,
  removeJob,
  saveJob,
  SCHEMA_URL,
  unknownKeyWarnings,
  writeHooks,
  type ConfigFile,
} from "../../../src/settings/file.js";
import { validate } from "../../helpers/json-schema.js";

const schema = JSON.parse(readFileSync(new URL("../../../schema/support-job.schema.json", import.meta.url), "utf8")) as Record<string, unknown>;
const folder = () => mkdtempSync(join(tmpdir(), "support-job-file-"));
const text = (cwd: string) => readFileSync(join(cwd, CONFIG_FILE), "utf8");
const doc = (cwd: string) => JSON.parse(text(cwd)) as { defaults: Record<string, unknown>; jobs: Record<string, Record<string, unknown>> };

/** A job as init saves it (toRaw + region + account). */
const job = (name: string, extra: Partial<ConfigFile> = {}): ConfigFile => ({
  name,
  repository: "https://github.com/acme/ops.git",
  branch: "support-jobs",
  buildspec: "buildspec.yml",
  schedule: "cron(0 3 * * ? *)",
  timezone: "UTC",
  computeType: "BUILD_GENERAL1_SMALL",
  arch: "x86_64",
  image: "aws/codebuild/standard:7.0",
  timeout: 60,
  email: "ops@example.com",
  alertOn: ["FAILED", "STOPPED", "TIMED_OUT", "FAULT"],
  env: [],
  policyArns: [],
  region: "us-east-1",
  account: "123456789012",
  ...extra,
});

afterEach(() => {
  writeHooks.beforeRename = undefined;
});

describe("the many-jobs file", () => {
  it("a new file holds the first job: shared settings in defaults, the rest in its entry, and the schema accepts it", () => {
    const cwd = folder();
    expect(saveJob(cwd, undefined, "first", job("first", { env: ["DB=ssm:/first/db"] }))).toEqual({ written: true, upgraded: false });
    const written = doc(cwd);
    expect(written).toMatchObject({ $schema: SCHEMA_URL, version: 2 });
    expect(written.defaults).toMatchObject({
      region: "us-east-1",
      account: "123456789012",
      email: "ops@example.com",
      repository: "https://github.com/acme/ops.git",
    });
    expect(written.jobs.first).toEqual({ buildspec: "buildspec.yml", schedule: "cron(0 3 * * ? *)", env: ["DB=ssm:/first/db"], policyArns: [] });
    expect(validate(schema, written)).toEqual([]);
    expect(text(cwd)).toMatch(/^\{\n {2}"\$schema"/);
    expect(text(cwd).endsWith("}\n")).toBe(true);
    expect(jobConfig(readJobsFile(cwd), "first")).toEqual({ ...job("first", { env: ["DB=ssm:/first/db"] }) });
  });

  it("a second job lists only what differs; the first job's entry is left byte for byte", () => {
    const cwd = folder();
    saveJob(cwd, undefined, "first", job("first", { env: ["DB=ssm:/first/db"], policyFile: "first.json" }));
    const firstEntry = JSON.stringify(doc(cwd).jobs.first);
    saveJob(cwd, readJobsFile(cwd), "second", job("second", { schedule: "rate(7 days)", email: "reports@example.com", branch: undefined }));
    const written = doc(cwd);
    expect(JSON.stringify(written.jobs.first)).toBe(firstEntry);
    // The defaults' branch does not apply: "" says "the repository's default branch".
    expect(written.jobs.second).toEqual({
      buildspec: "buildspec.yml",
      schedule: "rate(7 days)",
      email: "reports@example.com",
      branch: "",
      env: [],
      policyArns: [],
    });
    const file = readJobsFile(cwd);
    expect(jobNamesIn(file)).toEqual(["first", "second"]);
    expect(jobConfig(file, "second")?.branch).toBeUndefined();
    expect(jobConfig(file, "second")?.env).toEqual([]);
    expect(jobConfig(file, "first")?.policyFile).toBe("first.json");
    expect(validate(schema, written)).toEqual([]);

    // Editing the second job changes its entry only.
    const before = JSON.stringify({ ...written, jobs: { first: written.jobs.first } });
    saveJob(cwd, readJobsFile(cwd), "second", job("second", { schedule: "rate(14 days)", email: "reports@example.com", branch: undefined }));
    const after = doc(cwd);
    expect(after.jobs.second?.schedule).toBe("rate(14 days)");
    expect(JSON.stringify({ ...after, jobs: { first: after.jobs.first } })).toBe(before);
  });

  it("keeps the user's indentation, key order and unknown keys on rewrite", () => {
    const cwd = folder();
    const mine = {
      jobs: { b: { schedule: "rate(1 day)", owner: "ops", buildspec: "b.yml" }, a: { schedule: "rate(2 days)" } },
      version: 2,
      defaults: { email: "ops@example.com", repository: "https://github.com/acme/ops.git", region: "us-east-1" },
      $schema: "./node_modules/support-job/schema/support-job.schema.json",
    };
    writeFileSync(join(cwd, CONFIG_FILE), `${JSON.stringify(mine, null, 4)}\n`);
    const warnings: string[] = [];
    const file = readJobsFile(cwd, (w) => warnings.push(w));
    expect(warnings).toEqual(['support-job.json: unknown key "jobs.b.owner" is ignored (kept in the file)']);
    saveJob(cwd, file, "b", { ...jobConfig(file, "b")!, schedule: "rate(3 days)" });
    const expected = { ...mine, jobs: { ...mine.jobs, b: { schedule: "rate(3 days)", owner: "ops", buildspec: "b.yml" } } };
    expect(text(cwd)).toBe(`${JSON.stringify(expected, null, 4)}\n`);
  });

  it("removes one job's entry and nothing else", () => {
    const cwd = folder();
    saveJob(cwd, undefined, "first", job("first"));
    saveJob(cwd, readJobsFile(cwd), "second", job("second", { schedule: "rate(2 days)" }));
    const firstEntry = JSON.stringify(doc(cwd).jobs.first);
    expect(removeJob(cwd, readJobsFile(cwd), "second").written).toBe(true);
    expect(Object.keys(doc(cwd).jobs)).toEqual(["first"]);
    expect(JSON.stringify(doc(cwd).jobs.first)).toBe(firstEntry);
  });
});

describe("a file of the one-job layout (version 1)", () => {
  it("is read as a file with that one job and upgraded on the next write, unknown keys kept in the job's entry", () => {
    const cwd = folder();
    const v1 = { ...job("keep"), timeot: 90 };
    writeFileSync(join(cwd, CONFIG_FILE), JSON.stringify(v1, null, 2));
    const warnings: string[] = [];
    const file = readJobsFile(cwd, (w) => warnings.push(w));
    expect(file?.version).toBe(1);
    expect(warnings).toEqual(['support-job.json: unknown key "timeot" is ignored (kept in the file); did you mean "timeout"?']);
    expect(jobNamesIn(file)).toEqual(["keep"]);
    expect(jobConfig(file, "keep")).toEqual(job("keep"));
    expect(saveJob(cwd, file, "keep", job("keep", { timeout: 120 }))).toEqual({ written: true, upgraded: true });
    const written = doc(cwd);
    expect(written).toMatchObject({ version: 2, defaults: { timeout: 60, account: "123456789012" } });
    expect(written.jobs.keep).toMatchObject({ schedule: "cron(0 3 * * ? *)", timeot: 90, timeout: 120 });
    expect(jobConfig(readJobsFile(cwd), "keep")?.timeout).toBe(120);
  });
});

describe("a corrupt file", () => {
  it("is reported with its path, line and column, and never overwritten", () => {
    const cwd = folder();
    const broken = '{\n  "version": 2,\n  "jobs": { oops }\n}\n';
    writeFileSync(join(cwd, CONFIG_FILE), broken);
    expect(() => readJobsFile(cwd)).toThrow(/^support-job\.json: is not valid JSON at line 3, column 13 .*will not overwrite it/);
    expect(() => saveJob(cwd, undefined, "first", job("first"))).toThrow(/was changed by another process.*not overwritten/);
    expect(text(cwd)).toBe(broken);
  });

  it("of the wrong version, or wrong types, is named by its key", () => {
    const cwd = folder();
    writeFileSync(join(cwd, CONFIG_FILE), JSON.stringify({ version: 3, jobs: {} }));
    expect(() => readJobsFile(cwd)).toThrow(/support-job\.json: version: is 3/);
    writeFileSync(join(cwd, CONFIG_FILE), JSON.stringify({ version: 2, jobs: { a: { timeout: true } } }));
    expect(() => readJobsFile(cwd)).toThrow(/support-job\.json: jobs\.a\.timeout: must be a number/);
  });
});

describe("two processes editing the file", () => {
  it("an edit of another job made since this one read the file is kept, and so is this one", () => {
    const cwd = folder();
    saveJob(cwd, undefined, "first", job("first"));
    const mine = readJobsFile(cwd);
    const theirs = readJobsFile(cwd);
    saveJob(cwd, theirs, "second", job("second", { schedule: "rate(2 days)" }));
    saveJob(cwd, mine, "third", job("third", { schedule: "rate(3 days)" }));
    expect(Object.keys(doc(cwd).jobs)).toEqual(["first", "second", "third"]);
  });

  it("two first writes to a folder with no file: both jobs kept, each with its own settings", () => {
    const cwd = folder();
    saveJob(cwd, undefined, "a", job("a", { email: "a@example.com" }));
    saveJob(cwd, undefined, "b", job("b", { email: "b@example.com", region: "eu-west-1" }));
    const file = readJobsFile(cwd);
    expect(jobConfig(file, "a")?.email).toBe("a@example.com");
    expect(jobConfig(file, "b")).toMatchObject({ email: "b@example.com", region: "eu-west-1" });
  });

  it("an edit of the same job made since this one read the file is not clobbered: refused, file as the other left it", () => {
    const cwd = folder();
    saveJob(cwd, undefined, "first", job("first"));
    const mine = readJobsFile(cwd);
    saveJob(cwd, readJobsFile(cwd), "first", job("first", { schedule: "rate(5 days)" }));
    const theirs = text(cwd);
    expect(() => saveJob(cwd, mine, "first", job("first", { schedule: "rate(9 days)" }))).toThrow(
      /support-job\.json was changed by another process since support-job read it \(job first's own entry\); it was not overwritten/,
    );
    expect(text(cwd)).toBe(theirs);
  });

  it("a write that lands between the temporary file and the rename is seen: kept when it is another job's, refused when it is this job's", () => {
    const cwd = folder();
    saveJob(cwd, undefined, "first", job("first"));
    let once = true;
    writeHooks.beforeRename = () => {
      if (!once) return;
      once = false;
      writeHooks.beforeRename = undefined;
      saveJob(cwd, readJobsFile(cwd), "other", job("other", { schedule: "rate(4 days)" }));
    };
    saveJob(cwd, readJobsFile(cwd), "first", job("first", { schedule: "rate(6 days)" }));
    expect(doc(cwd).jobs.other?.schedule).toBe("rate(4 days)");
    expect(doc(cwd).jobs.first?.schedule).toBe("rate(6 days)");

    writeHooks.beforeRename = () => {
      writeHooks.beforeRename = undefined;
      saveJob(cwd, readJobsFile(cwd), "first", job("first", { schedule: "rate(8 days)" }));
    };
    expect(() => saveJob(cwd, readJobsFile(cwd), "first", job("first", { schedule: "rate(7 days)" }))).toThrow(/own entry/);
    expect(doc(cwd).jobs.first?.schedule).toBe("rate(8 days)");
    // No temporary file is left behind.
    expect(readdirSync(cwd)).toEqual([CONFIG_FILE]);
  });
});

describe("the JSON Schema shipped in the package", () => {
  it("rejects a wrong file: version, job name, types, enums, unknown keys", () => {
    const good = { version: 2, defaults: { region: "eu-west-1" }, jobs: { "nightly-cleanup": { schedule: "rate(1 day)", timeout: 90 } } };
    expect(validate(schema, good)).toEqual([]);
    expect(validate(schema, { ...good, version: 3 })).toEqual(["$.version: must be 2"]);
    expect(validate(schema, { ...good, jobs: { "bad name!": {} } })).toHaveLength(1);
    expect(validate(schema, { ...good, jobs: { a1: { timeout: true } } })).toEqual(["$.jobs.a1.timeout: is boolean, not number or string"]);
    expect(validate(schema, { ...good, defaults: { computeType: "HUGE" } })[0]).toMatch(/computeType: "HUGE" is not one of/);
    expect(validate(schema, { ...good, defaults: { shedule: "rate(1 day)" } })).toEqual(["$.defaults: shedule is not allowed"]);
    expect(validate(schema, { jobs: {} })).toEqual(["$: version is required"]);
  });

  it("is in the package's files", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("schema");
    expect(SCHEMA_URL).toMatch(/\/schema\/support-job\.schema\.json$/);
  });

  it("unknown-key warnings name the near miss", () => {
    expect(unknownKeyWarnings({ shedule: "x" })).toEqual(['support-job.json: unknown key "shedule" is ignored (kept in the file); did you mean "schedule"?']);
  });
});
