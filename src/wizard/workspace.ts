/** What the folder `init` runs in tells the wizard: its git remote and branch, and the buildspecs it holds. */
import { execFileSync } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { DEFAULTS } from "../settings/types.js";
import { branchFromGit, buildspecProblem, repositoryFromRemote } from "./questions.js";

export interface Workspace {
  /** HTTPS clone URL from `git remote get-url origin`, when there is one. */
  repository: string | undefined;
  /** The checked-out branch (not set on a detached HEAD). */
  branch: string | undefined;
  /** The checkout's top folder, or the working directory outside git: buildspec paths are relative to it. */
  root: string;
}

export type Git = (args: readonly string[], cwd: string) => string | undefined;

/** git's answer, or undefined when git is missing, the folder is no checkout, or it takes too long. */
export const runGit: Git = (args, cwd) => {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).trim() || undefined;
  } catch {
    return undefined;
  }
};

export function readWorkspace(cwd: string, git: Git = runGit): Workspace {
  return {
    repository: repositoryFromRemote(git(["remote", "get-url", "origin"], cwd)),
    // symbolic-ref also names the branch of a repository without commits yet.
    branch: branchFromGit(git(["rev-parse", "--abbrev-ref", "HEAD"], cwd) ?? git(["symbolic-ref", "--short", "-q", "HEAD"], cwd)),
    root: git(["rev-parse", "--show-toplevel"], cwd) ?? cwd,
  };
}

const SKIPPED = new Set(["node_modules", ".git"]);
const BUILDSPEC = /^buildspec.*\.ya?ml$/i;

/** Enough for any repository's top levels; keeps a run from a home folder quick. */
const MAX_FOLDERS = 2000;

/** `buildspec*.yml` files in root and up to `depth` folders below it, as repository paths, sorted. */
export function findBuildspecs(root: string, depth = 3): string[] {
  const found: string[] = [];
  let folders = 0;
  const walk = (dir: string, level: number) => {
    if (++folders > MAX_FOLDERS) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      // Dirent.isDirectory() is false for symlinks, so a link loop cannot trap the walk.
      if (entry.isDirectory() && level < depth && !SKIPPED.has(entry.name)) walk(join(dir, entry.name), level + 1);
      else if (entry.isFile() && BUILDSPEC.test(entry.name)) found.push(relative(root, join(dir, entry.name)).split(sep).join("/"));
    }
  };
  walk(root, 0);
  return found.sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}

/** buildspec.yml when it is there or nothing is found, else the one buildspec found; several: the default. */
export function defaultBuildspec(found: readonly string[]): string {
  if (found.includes(DEFAULTS.buildspec) || found.length !== 1) return DEFAULTS.buildspec;
  return found[0] ?? DEFAULTS.buildspec;
}

/** undefined when root/path exists and looks like a buildspec; else a warning to show (never a refusal). */
export function buildspecWarning(root: string, path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return `${path} is not in this checkout; runs fail unless it is on the branch they use.`;
    return `${path} cannot be read here (${code ?? "error"}).`;
  }
  const problem = buildspecProblem(text);
  return problem ? `${path} ${problem}.` : undefined;
}

/** The script a scaffolded buildspec runs: undefined when root/path is a file; else why it cannot be used. */
export function scriptProblem(root: string, path: string): string | undefined {
  const clean = path.trim().replace(/^\.\//, "");
  if (!clean) return "name the script to run, e.g. scripts/cleanup.sh";
  if (clean.startsWith("/") || clean.split("/").includes("..")) return "give a path inside the repository, e.g. scripts/cleanup.sh";
  try {
    if (!statSync(join(root, clean)).isFile()) return `${clean} is not a file`;
  } catch {
    return `${clean} is not in this checkout`;
  }
  return undefined;
}

/** Whether the script has its executable bit (git keeps it: a script committed without it cannot run as ./script). */
export function isExecutable(root: string, path: string): boolean {
  try {
    accessSync(join(root, path), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The interpreter a script without its executable bit is run with, from its extension. */
function interpreterOf(path: string): string {
  if (/\.py$/i.test(path)) return "python3";
  if (/\.(c|m)?js$/i.test(path)) return "node";
  if (/\.rb$/i.test(path)) return "ruby";
  return "bash";
}

/** A minimal buildspec that runs one script of the repository. */
export function scaffoldBuildspec(script: string, executable: boolean): string {
  const path = script.trim().replace(/^\.\//, "");
  const command = executable ? `./${path}` : `${interpreterOf(path)} ${path}`;
  return `version: 0.2\nphases:\n  build:\n    commands:\n      - ${JSON.stringify(command)}\n`;
}

/**
 * Whether `branch` is on the remote origin: `git ls-remote --exit-code` exits 2 when no ref matches. undefined
 * when git cannot tell (no remote, no network, no git).
 */
export function remoteHasBranch(root: string, branch: string): boolean | undefined {
  try {
    execFileSync("git", ["ls-remote", "--exit-code", "--heads", "origin", `refs/heads/${branch}`], {
      cwd: root,
      stdio: ["ignore", "ignore", "ignore"],
      timeout: 10_000,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 2 ? false : undefined;
  }
}
