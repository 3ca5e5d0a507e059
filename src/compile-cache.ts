/**
 * Keeps V8's compiled code of the bundle's chunks between runs, so that later runs skip parsing and compiling them.
 *
 * Node ≥ 22.1 does this itself (`module.enableCompileCache`). Node 20 has no such API, but the chunks are CommonJS
 * (scripts/bundle.ts), and CommonJS modules can be compiled by hand: each chunk is compiled here with `vm.Script`,
 * with the code cache a previous run left on disk. V8 checks a cache against its own version, flags and the source's
 * length and rejects one that does not fit; chunk names carry a hash of their content, so a new version of the package
 * never reads an old chunk's cache. This is what Node 22's cache does, and the `v8-compile-cache` package did for
 * CommonJS before it. Measured for `status` against a local AWS: ~140 ms less CPU (of ~600), ~80 ms less wall time.
 *
 * A run writes the cache of each chunk it compiled without one (or whose cache V8 rejected), when it ends with exit
 * code 0: V8 includes every function the run compiled, so a run that stopped early (a bad input) would leave a cache
 * that makes every later run compile the rest. A cache that cannot be read or written only costs the saving.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { Module } from "node:module";
import { homedir, platform, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

/** The module system's hooks this uses: `Module.wrap` and `_compile`, as v8-compile-cache did (stable since Node 0.x). */
interface ModuleInternals {
  wrap(source: string): string;
  prototype: { _compile(this: CompiledModule, content: string, filename: string): unknown };
}
interface CompiledModule {
  exports: unknown;
}

/**
 * Turns the cache on for the modules under `chunks` (a folder, ending with the path separator). Off with
 * NODE_DISABLE_COMPILE_CACHE=1, as Node's own; on Node ≥ 22.1 Node's cache is used, unless NODE_COMPILE_CACHE already
 * set one up.
 */
export function enableCompileCache(chunks: string): void {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const root = join(cacheHome(), "support-job", "compile-cache");
  const nodeCache = (Module as unknown as { enableCompileCache?: (directory?: string) => unknown }).enableCompileCache;
  if (typeof nodeCache === "function") {
    if (process.env.NODE_COMPILE_CACHE) return;
    try {
      nodeCache(root);
    } catch {
      // No cache: the same run, only slower to start.
    }
    return;
  }
  cacheChunks(chunks, join(root, `v8-${process.versions.v8}-${process.arch}`));
}

function cacheChunks(chunks: string, directory: string): void {
  const internals = Module as unknown as ModuleInternals;
  const compile = internals.prototype._compile;
  const fresh: { script: Script; file: string }[] = [];
  internals.prototype._compile = function (this: CompiledModule, content: string, filename: string): unknown {
    if (!filename.startsWith(chunks)) return compile.call(this, content, filename);
    const file = join(directory, `${basename(filename)}.cache`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      // Not cached yet.
    }
    const script = new Script(internals.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  process.once("exit", (code) => {
    if (code === 0 && fresh.length) save(fresh, directory);
  });
}

/** Each file written whole (a temporary name, then renamed), so that a run at the same time never reads half of one. */
function save(fresh: readonly { script: Script; file: string }[], directory: string): void {
  try {
    mkdirSync(directory, { recursive: true });
    for (const { script, file } of fresh) {
      const partial = `${file}.${process.pid}`;
      try {
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, file);
      } catch {
        rmSync(partial, { force: true });
      }
    }
  } catch {
    // No cache: the next run compiles again.
  }
}

/** The user's cache folder (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows), else the temp folder. */
function cacheHome(): string {
  const env = process.env;
  if (platform() === "win32") return env.LOCALAPPDATA || tmpdir();
  if (platform() === "darwin") return join(homedir(), "Library", "Caches");
  return env.XDG_CACHE_HOME || (homedir() ? join(homedir(), ".cache") : tmpdir());
}
