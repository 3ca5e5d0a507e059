/**
 * Cold install of a packed tarball, as `npx support-job` does it the first time: an empty folder, an empty npm
 * cache, every package fetched from the registry. `before` packs the last commit that still shipped runtime
 * dependencies (built from git into a temporary folder), `after` packs this tree.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface InstallFigures {
  label: string;
  commit: string;
  tarballKb: number;
  installMs: number;
  files: number;
  /** Bytes of the installed files, and what they take on disk (du: whole blocks per file). */
  mb: number;
  diskMb: number;
  /** `npx support-job --help` from the install folder exited 0. */
  helpWorks: boolean;
  error?: string;
}

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The newest commit whose package.json still lists runtime dependencies: "today's layout" before the bundle. */
export function lastUnbundledCommit(root: string): string | undefined {
  const commits = run("git", ["log", "--first-parent", "--format=%H"], root).split("\n").filter(Boolean);
  return commits.find((commit) => {
    const manifest = JSON.parse(run("git", ["show", `${commit}:package.json`], root)) as { dependencies?: Record<string, string> };
    return Object.keys(manifest.dependencies ?? {}).length > 0;
  });
}

/** Builds `commit` from git (its own build script) into a temporary folder and packs it; returns the tarball. */
export function packCommit(root: string, commit: string, scratch: string): string {
  const dir = join(scratch, "source");
  mkdirSync(dir);
  execFileSync("bash", ["-c", `git archive ${commit} | tar -x -C ${JSON.stringify(dir)}`], { cwd: root, stdio: "ignore" });
  // Same lockfile versions: build with this clone's installed packages instead of a second install.
  symlinkSync(realpathSync(join(root, "node_modules")), join(dir, "node_modules"));
  run("npm", ["run", "build", "--silent"], dir);
  return packTree(dir, scratch);
}

export function packTree(dir: string, destination: string): string {
  const name = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", destination], dir).trim().split("\n").pop() ?? "";
  return join(destination, name);
}

/** Under `npm run bench`, npm's npm_config_* variables (local prefix, cache) would point npx back at this clone. */
function cleanEnv(cache: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !/^npm_/i.test(name)) env[name] = value;
  return { ...env, npm_config_cache: cache, npm_config_update_notifier: "false" };
}

export function coldInstall(label: string, commit: string, tarball: string): InstallFigures {
  // A ":" in the folder would break the PATH npx builds from it.
  const scratch = mkdtempSync(join(tmpdir(), `support-job-install-${label.replace(/[^a-z0-9]+/gi, "-")}-`));
  const folder = join(scratch, "project");
  const cache = join(scratch, "empty-npm-cache");
  mkdirSync(folder);
  mkdirSync(cache);
  const tarballKb = Math.round(lstatSync(tarball).size / 1024);
  const started = performance.now();
  const env = cleanEnv(cache);
  const install = spawnSync("npm", ["install", tarball, "--no-audit", "--no-fund", "--loglevel", "error"], { cwd: folder, encoding: "utf8", env });
  const installMs = Math.round(performance.now() - started);
  if (install.status !== 0)
    return {
      label,
      commit,
      tarballKb,
      installMs,
      files: 0,
      mb: 0,
      diskMb: 0,
      helpWorks: false,
      error: install.stderr.trim().split("\n").pop() ?? "npm install failed",
    };
  const { files, bytes } = sizeOf(join(folder, "node_modules"));
  const diskKb = Number(run("du", ["-sk", join(folder, "node_modules")], folder).split("\t")[0]);
  const help = spawnSync("npx", ["--no-install", "support-job", "--help"], { cwd: folder, encoding: "utf8", env });
  const helpWorks = help.status === 0 && help.stdout.startsWith("Usage: support-job");
  const figures = { label, commit, tarballKb, installMs, files, mb: Math.round((bytes / 1e6) * 10) / 10, diskMb: Math.round(diskKb / 102.4) / 10, helpWorks };
  return helpWorks ? figures : { ...figures, error: `npx support-job --help: ${help.stderr.trim().split("\n").pop() ?? `exit ${help.status}`}` };
}

function sizeOf(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += lstatSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}
