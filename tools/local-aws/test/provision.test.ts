// The one provisioning step: the pinned moto_server from the PATH, else a project-local venv installed once.
// The Python package index is out of reach here, so python3 and pip are shims that record their arguments and
// make the files a real venv and install would.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { startMoto } from "../moto.js";
import { LOCAL_AWS_DIR_VARIABLE, MOTO_REQUIREMENT, MOTO_SERVER_VARIABLE, PROVISION_FAILED_VARIABLE, provisionMoto } from "../provision.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "support-job-provision-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Records one line per call, `<program> <args...>`, in the file named by FAKE_LOG. */
const RECORD = `const { appendFileSync } = require("node:fs");
appendFileSync(process.env.FAKE_LOG, [require("node:path").basename(process.argv[1]), ...process.argv.slice(2)].join(" ") + "\\n");`;

/** python3: answers the version queries, and `-m venv DIR` makes DIR/bin/{python,pip} (pip is a shim too). */
const PYTHON = `${RECORD}
const fs = require("node:fs"), path = require("node:path");
const [flag, value, dir] = process.argv.slice(2);
if (flag === "-c" && value.includes("version_info")) { console.log(process.env.FAKE_PYTHON_VERSION || "3.11"); process.exit(0); }
if (flag === "-c" && value.includes("metadata")) {
  if (process.env.FAKE_MOTO_VERSION) { console.log(process.env.FAKE_MOTO_VERSION); process.exit(0); }
  console.error("importlib.metadata.PackageNotFoundError: No package metadata was found for moto"); process.exit(1);
}
if (flag === "-m" && value === "venv") {
  if (process.env.FAKE_NO_VENV) { console.error(process.argv[0] + ": No module named venv"); process.exit(1); }
  fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
  fs.copyFileSync(process.env.FAKE_PIP, path.join(dir, "bin", "pip"));
  fs.chmodSync(path.join(dir, "bin", "pip"), 0o755);
  fs.symlinkSync(process.argv[1], path.join(dir, "bin", "python"));
  process.exit(0);
}
process.exit(2);`;

/** pip: `install` makes bin/moto_server (which runs the real one), after FAKE_PIP_DELAY ms; FAKE_PIP_FAIL fails like an unreachable index. */
const PIP = `${RECORD}
const fs = require("node:fs"), path = require("node:path");
if (process.env.FAKE_PIP_FAIL) {
  console.error("ERROR: Could not find a version that satisfies the requirement ${MOTO_REQUIREMENT} (from versions: none)");
  console.error("ERROR: No matching distribution found for ${MOTO_REQUIREMENT}");
  process.exit(1);
}
setTimeout(() => {
  const moto = path.join(path.dirname(process.argv[1]), "moto_server");
  fs.writeFileSync(moto, '#!/bin/sh\\necho "moto_server $*" >> "$FAKE_LOG"\\nPATH="$REAL_PATH" exec moto_server "$@"\\n');
  fs.chmodSync(moto, 0o755);
}, Number(process.env.FAKE_PIP_DELAY || 0));`;

interface Machine {
  /** A PATH with node and, unless left out, the python3 shim: no moto_server. */
  bin: string;
  localAws: string;
  log: string;
  env: Record<string, string>;
  calls(): string[];
}

let count = 0;
function machine(options: { python?: boolean; extra?: Record<string, string> } = {}): Machine {
  const home = join(scratch, `machine-${++count}`);
  const bin = join(home, "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, "node"));
  const script = (name: string, body: string): string => {
    const file = join(home, name);
    writeFileSync(file, `#!${process.execPath}\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const pip = script("pip", PIP);
  if (options.python !== false) symlinkSync(script("python3", PYTHON), join(bin, "python3"));
  const log = join(home, "calls.log");
  writeFileSync(log, "");
  const localAws = join(home, "local-aws");
  return {
    bin,
    localAws,
    log,
    env: { PATH: bin, [LOCAL_AWS_DIR_VARIABLE]: localAws, FAKE_LOG: log, FAKE_PIP: pip, REAL_PATH: process.env["PATH"] ?? "", ...options.extra },
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line !== ""),
  };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx tools/local-aws/provision.ts`, as try-it and .ci/run call it. */
function provision(env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tools/local-aws/provision.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");
const venvCalls = (calls: string[]) => calls.filter((call) => call.startsWith("python3 -m venv"));
const pipCalls = (calls: string[]) => calls.filter((call) => call.startsWith("pip "));

/** Runs body with these variables in process.env (what startMoto reads), then puts the environment back. */
async function withEnv(env: Record<string, string>, body: () => Promise<void>): Promise<void> {
  const saved = { ...process.env };
  // The test run's global setup hands its answer to workers in these: this machine is another one.
  delete process.env[MOTO_SERVER_VARIABLE];
  delete process.env[PROVISION_FAILED_VARIABLE];
  Object.assign(process.env, env);
  try {
    await body();
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

/** A one- or two-line answer for the user: no stack trace, no Node internals. */
function expectShortAnswer(result: Ran, ...says: RegExp[]): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  const said = lines(result.stderr).filter((line) => !line.startsWith("setting up the local AWS emulator"));
  expect(said.length).toBeGreaterThanOrEqual(1);
  expect(said.length).toBeLessThanOrEqual(2);
  expect(result.stderr).not.toMatch(/\n\s+at |Error:|node:internal/);
  for (const say of says) expect(result.stderr).toMatch(say);
}

describe("provisioning the local AWS emulator", () => {
  it("installs the pinned moto into a project-local venv on the first run, and reuses it without installing again", async () => {
    const m = machine();
    const venv = join(m.localAws, "venv");

    const first = await provision(m.env);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${join(venv, "bin", "moto_server")}\n`);
    expect(lines(first.stderr)).toEqual([expect.stringMatching(/^setting up the local AWS emulator \(first run, about \d+ s\)/)]);
    expect(venvCalls(m.calls())).toEqual([`python3 -m venv ${venv}`]);
    expect(pipCalls(m.calls())).toHaveLength(1);
    expect(pipCalls(m.calls())[0]).toMatch(/^pip install .*moto\[server\]==5\.2\.1$/);

    const callsAfterInstall = m.calls();
    const second = await provision(m.env);
    expect(second).toEqual({ code: 0, stdout: `${join(venv, "bin", "moto_server")}\n`, stderr: "" });
    expect(m.calls()).toEqual(callsAfterInstall);
  });

  it("uses the pinned moto_server already on the PATH and installs nothing", async () => {
    const localAws = join(scratch, "untouched");
    const { [MOTO_SERVER_VARIABLE]: _given, [PROVISION_FAILED_VARIABLE]: _failed, ...env } = process.env;
    const result = await provision({ ...env, [LOCAL_AWS_DIR_VARIABLE]: localAws } as Record<string, string>);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/\/moto_server\n$/);
    expect(result.stdout).not.toContain(localAws);
    expect(existsSync(localAws)).toBe(false);
  });

  it("installs its own copy when the moto_server on the PATH is another version", async () => {
    const m = machine({ extra: { FAKE_MOTO_VERSION: "4.2.14" } });
    // A pip-installed script names its interpreter on the shebang line: here the shim, which reports 4.2.14.
    writeFileSync(join(m.bin, "moto_server"), `#!${join(m.bin, "python3")}\n`);
    chmodSync(join(m.bin, "moto_server"), 0o755);
    const result = await provision(m.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(m.localAws, "venv", "bin", "moto_server")}\n`);
    expect(m.calls()).toContain(`python3 -c import importlib.metadata as m; print(m.version('moto'))`);
    expect(venvCalls(m.calls())).toHaveLength(1);
  });

  it("installs once when several processes ask at the same time", async () => {
    const m = machine({ extra: { FAKE_PIP_DELAY: "1500" } });
    const results = await Promise.all([provision(m.env), provision(m.env), provision(m.env)]);
    for (const result of results) expect(result.stdout).toBe(`${join(m.localAws, "venv", "bin", "moto_server")}\n`);
    expect(venvCalls(m.calls())).toHaveLength(1);
    expect(pipCalls(m.calls())).toHaveLength(1);
    expect(existsSync(join(m.localAws, "install.lock"))).toBe(false);
  });

  it("the launcher starts the provisioned moto_server", async () => {
    const m = machine();
    expect((await provision(m.env)).code).toBe(0);
    await withEnv(m.env, async () => {
      const moto = await startMoto();
      await moto.stop();
    });
    expect(m.calls().at(-1)).toBe("moto_server -H 127.0.0.1 -p 0");
  });
});

describe("when the emulator cannot be installed", () => {
  let m: Machine;
  beforeEach(() => {
    m = machine();
  });
  afterEach(() => rmSync(m.localAws, { recursive: true, force: true }));

  it("without python3 it names the package to install on Debian/Ubuntu and macOS, and exits 1", async () => {
    const bare = machine({ python: false });
    expectShortAnswer(await provision(bare.env), /python3 is not on the PATH/, /apt-get install python3 python3-venv/, /brew install python/);
  });

  it("with a Python older than moto supports it says which version is needed", async () => {
    expectShortAnswer(await provision({ ...m.env, FAKE_PYTHON_VERSION: "3.8" }), /Python 3\.10 or later/, /is 3\.8/);
    expect(venvCalls(m.calls())).toEqual([]);
  });

  it("without the venv module it names python3-venv, and leaves no half-made venv", async () => {
    expectShortAnswer(await provision({ ...m.env, FAKE_NO_VENV: "1" }), /venv module is missing/, /apt-get install python3-venv/);
    expect(existsSync(join(m.localAws, "venv"))).toBe(false);
  });

  it("when pip cannot reach the package index it says what to install by hand, and the next run tries again", async () => {
    const failed = await provision({ ...m.env, FAKE_PIP_FAIL: "1" });
    expectShortAnswer(
      failed,
      /Could not install moto\[server\]==5\.2\.1 from the Python package index \(ERROR: No matching distribution/,
      /pip install 'moto\[server\]==5\.2\.1'/,
    );
    expect(existsSync(join(m.localAws, "venv"))).toBe(false);

    const retried = await provision(m.env);
    expect(retried.code).toBe(0);
    expect(venvCalls(m.calls())).toHaveLength(2);
  });

  it("npm run try-it on a machine without python3 stops with the same answer before starting anything", async () => {
    const bare = machine({ python: false });
    symlinkSync("/usr/bin/dirname", join(bare.bin, "dirname"));
    const tryIt = await new Promise<Ran>((resolve, reject) => {
      const child = spawn("/bin/bash", ["scripts/try-it.sh"], { cwd: root, env: bare.env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
    expectShortAnswer(tryIt, /python3 is not on the PATH/, /apt-get install python3 python3-venv/);
  });

  it("after the test run's setup failed, every later attempt gives its answer at once without installing", async () => {
    const answer = "The local AWS emulator needs Python 3.10 or later, and python3 is not on the PATH.";
    await expect(provisionMoto({ env: { ...m.env, [PROVISION_FAILED_VARIABLE]: answer } })).rejects.toThrow(answer);
    expect(m.calls()).toEqual([]);
  });

  it("startMoto rejects with the same answer", async () => {
    const bare = machine({ python: false });
    await withEnv(bare.env, () => expect(startMoto()).rejects.toThrow(/python3 is not on the PATH/));
  });
});
