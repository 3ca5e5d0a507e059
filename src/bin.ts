#!/usr/bin/env node
/**
 * The process's entry (dist/cli.js), kept tiny: it turns on Node's compile cache before anything else loads, then
 * imports the CLI (cli.ts), whose modules are the first to be cached.
 */
import * as module from "node:module";
import { homedir, platform, tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Node ≥ 22.1 can keep the compiled code of the modules it loads on disk, so later runs skip parsing them. Off on
 * Node 20 (no API), with NODE_DISABLE_COMPILE_CACHE=1, or when Node already has one (NODE_COMPILE_CACHE); a cache that
 * cannot be written only costs the saving.
 */
function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: (directory?: string) => unknown }).enableCompileCache;
  if (typeof enable !== "function" || process.env.NODE_COMPILE_CACHE) return;
  try {
    enable(join(cacheHome(), "support-job", "compile-cache"));
  } catch {
    // No cache: the same run, only slower to start.
  }
}

/** The user's cache folder (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows), else the temp folder. */
function cacheHome(): string {
  const env = process.env;
  if (platform() === "win32") return env.LOCALAPPDATA || tmpdir();
  if (platform() === "darwin") return join(homedir(), "Library", "Caches");
  return env.XDG_CACHE_HOME || (homedir() ? join(homedir(), ".cache") : tmpdir());
}

enableCompileCache();
const { run } = await import("./cli.js");
await run();
