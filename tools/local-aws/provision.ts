// The local AWS emulator's one provisioning step (try-it, the tests, the bench, .ci/run): a moto_server of the
// pinned version from the PATH, else from a project-local virtual environment installed on first use.
//
//   node --import tsx tools/local-aws/provision.ts     prints the moto_server path on stdout; exit 1 with one
//                                                       or two lines on stderr when it cannot
import { spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The one place the emulator's version is written. */
const MOTO_VERSION = "5.2.1";
export const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
/** moto 5.2.1 declares Requires-Python >=3.10 (its package metadata). */
const MIN_PYTHON: readonly [number, number] = [3, 10];
/** A first install: venv ~16 s measured here, plus pip fetching 62 packages (~150 MB installed), estimated. */
const FIRST_RUN_SECONDS = 90;

/** Overrides: the moto_server to use as is, and where the virtual environment lives (default <repo>/.local-aws). */
export const MOTO_SERVER_VARIABLE = "SUPPORT_JOB_MOTO_SERVER";
export const LOCAL_AWS_DIR_VARIABLE = "SUPPORT_JOB_LOCAL_AWS_DIR";
/** Set by the test run's global setup when provisioning failed: its answer, so no worker tries again. */
export const PROVISION_FAILED_VARIABLE = "SUPPORT_JOB_LOCAL_AWS_FAILED";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Provisioning could not give a moto_server: `message` is the whole answer for the user (one or two lines). */
export class ProvisionError extends Error {
  override readonly name = "ProvisionError";
}

export interface ProvisionOptions {
  /** PATH and the overrides above are read from here (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where progress lines go (default stderr). */
  say?: (line: string) => void;
}

export interface Provisioned {
  /** Absolute path of the moto_server to spawn. */
  motoServer: string;
  from: "override" | "path" | "venv" | "installed";
}

/** The virtual environment's folder for these options. */
export function localAwsDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env[LOCAL_AWS_DIR_VARIABLE];
  return dir !== undefined && dir !== "" ? resolve(dir) : join(repoRoot, ".local-aws");
}

let memo: { key: string; provisioned: Promise<Provisioned> } | undefined;

/** provisionMoto with the process's own environment, done once per process (again if PATH or an override changes). */
export function ensureMotoServer(): Promise<Provisioned> {
  const env = process.env;
  const key = [env["PATH"], env[MOTO_SERVER_VARIABLE], env[LOCAL_AWS_DIR_VARIABLE]].join("\0");
  if (memo?.key !== key) {
    const provisioned = provisionMoto().catch((error: unknown) => {
      if (memo?.provisioned === provisioned) memo = undefined;
      throw error;
    });
    memo = { key, provisioned };
  }
  return memo.provisioned;
}

export async function provisionMoto(options: ProvisionOptions = {}): Promise<Provisioned> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));

  const failed = env[PROVISION_FAILED_VARIABLE];
  if (failed !== undefined && failed !== "") throw new ProvisionError(failed);
  const override = env[MOTO_SERVER_VARIABLE];
  if (override !== undefined && override !== "") return { motoServer: override, from: "override" };

  const venv = join(localAwsDir(env), "venv");
  const venvMoto = join(venv, "bin", "moto_server");
  const marker = join(venv, "installed.txt");
  if (installedVersion(marker) === MOTO_REQUIREMENT && isExecutable(venvMoto)) return { motoServer: venvMoto, from: "venv" };

  const onPath = which("moto_server", env);
  if (onPath !== undefined && (await motoVersionOf(onPath, env)) === MOTO_VERSION) return { motoServer: onPath, from: "path" };

  await withLock(join(localAwsDir(env), "install.lock"), async () => {
    // Another process may have finished the install while this one waited for the lock.
    if (installedVersion(marker) === MOTO_REQUIREMENT && isExecutable(venvMoto)) return;
    await install(venv, marker, env, say);
  });
  return { motoServer: venvMoto, from: "installed" };
}

async function install(venv: string, marker: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
  const python = which("python3", env);
  if (python === undefined)
    throw new ProvisionError(
      `The local AWS emulator needs Python ${MIN_PYTHON.join(".")} or later, and python3 is not on the PATH.\n` +
        "Install it (Debian/Ubuntu: sudo apt-get install python3 python3-venv; macOS: brew install python, or the python.org installer), then run this again.",
    );
  const version = await run(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env);
  const [major = 0, minor = 0] = version.stdout.trim().split(".").map(Number);
  if (version.code !== 0 || major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1]))
    throw new ProvisionError(
      `The local AWS emulator needs Python ${MIN_PYTHON.join(".")} or later; ${python} is ${version.stdout.trim() || "unusable"}.\n` +
        `Install a newer Python 3, or install moto yourself (pip install '${MOTO_REQUIREMENT}') so that moto_server is on the PATH.`,
    );

  // A half-made environment (an interrupted install, an older pin) is started over, never patched.
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  say(`setting up the local AWS emulator (first run, about ${FIRST_RUN_SECONDS} s): moto ${MOTO_VERSION} into ${shown(venv)}`);

  const made = await run(python, ["-m", "venv", venv], env);
  if (made.code !== 0) {
    rmSync(venv, { recursive: true, force: true });
    if (/No module named venv|ensurepip is not available|python3-venv/.test(made.output))
      throw new ProvisionError(
        "Python's venv module is missing, so the local AWS emulator cannot be installed.\n" +
          "Install it (Debian/Ubuntu: sudo apt-get install python3-venv; macOS: it comes with brew's or python.org's Python), then run this again.",
      );
    throw new ProvisionError(`python3 -m venv ${shown(venv)} failed: ${lastLine(made.output)}`);
  }

  const pip = join(venv, "bin", "pip");
  const installed = await run(pip, ["install", "--disable-pip-version-check", "--quiet", MOTO_REQUIREMENT], env);
  if (installed.code !== 0 || !isExecutable(join(venv, "bin", "moto_server"))) {
    rmSync(venv, { recursive: true, force: true });
    throw new ProvisionError(
      `Could not install ${MOTO_REQUIREMENT} from the Python package index (${lastLine(installed.output) || `pip exit ${installed.code}`}).\n` +
        `Without access to it, install moto by hand (pip install '${MOTO_REQUIREMENT}' from a mirror or wheels) so that moto_server is on the PATH, then run this again.`,
    );
  }
  writeFileSync(marker, `${MOTO_REQUIREMENT}\n`);
}

/** The moto version the interpreter behind this moto_server reports, or undefined when it cannot tell. */
async function motoVersionOf(motoServer: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // A pip-installed script names its interpreter on the shebang line; a wrapper (pyenv's shims) does not, and
  // then the python3 beside it on the PATH is the one it runs.
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(motoServer, "utf8").slice(0, 512))?.[1];
  const python = shebang !== undefined && /python[\d.]*$/.test(shebang) && isAbsolute(shebang) ? shebang : which("python3", env);
  if (python === undefined) return undefined;
  const found = await run(python, ["-c", "import importlib.metadata as m; print(m.version('moto'))"], env);
  return found.code === 0 ? found.stdout.trim() : undefined;
}

function installedVersion(marker: string): string | undefined {
  try {
    return readFileSync(marker, "utf8").trim();
  } catch {
    return undefined;
  }
}

function which(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface Ran {
  code: number;
  stdout: string;
  /** stdout and stderr interleaved, for error messages. */
  output: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.once("error", (error) => resolvePromise({ code: 127, stdout, output: `${output}${error.message}\n` }));
    child.once("close", (code) => resolvePromise({ code: code ?? 1, stdout, output }));
  });
}

function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .at(-1) ?? ""
  );
}

/** A path as the user would type it from the repository, when it is inside. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
}

const LOCK_WAIT_MS = 15 * 60_000;

/** One installer at a time (parallel test files, try-it beside npm test); a dead holder's lock is taken over. */
async function withLock(lock: string, body: () => Promise<void>): Promise<void> {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!holderAlive(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new ProvisionError(
          `Waited ${LOCK_WAIT_MS / 60_000} min for another install of the local AWS emulator (${lock}): remove that folder if no install is running.`,
        );
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
  }
  try {
    await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function holderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, "pid"), "utf8"));
  } catch {
    // Just made, pid not written yet: alive unless it stays that way.
    try {
      return Date.now() - statSync(lock).mtimeMs < 5_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  try {
    const { motoServer } = await provisionMoto();
    process.stdout.write(`${motoServer}\n`);
  } catch (error) {
    if (!(error instanceof ProvisionError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
