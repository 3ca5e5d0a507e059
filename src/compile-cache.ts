/**
 * Keeps V8's compiled code of the bundle's chunks between runs, so that later runs skip parsing and compiling them.
 *
 * Node ≥ 22.1 does this itself (`module.enableCompileCache`). Node 20 has no such API, but the chunks are CommonJS
 * (scripts/bundle.ts), and CommonJS modules can be compiled by hand: each chunk is compiled here with `vm.Script`,
 * with the code cache a previous run left on disk. Measured for `status` against a local AWS: ~140 ms less CPU (of
 * ~600), its first request ~100 ms earlier.
 *
 * What makes a cache safe to use, as Node 22's cache and the `v8-compile-cache` package do it: a cache file holds a
 * checksum (CRC-32) of the source it was made from and of its own bytes, and is used only when both match. V8 itself
 * checks only its version, its flags and the source's length, and a damaged cache can crash it; a stale one (a chunk
 * edited in place, same length) would run the old code. A rejected, damaged or stale cache is written again.
 *
 * When: a run writes the caches it lacked at exit, whole (a temporary name, then a rename), and only when it exits 0.
 * V8 includes the functions the run compiled, so each command keeps caches of its own (`status`'s are not the thin
 * ones `help` would leave). A cache that cannot be read or written only costs the saving.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Module } from "node:module";
import { homedir, platform } from "node:os";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";
import { crc32 } from "node:zlib";

/** The module system's hooks this uses: `Module.wrap` and `_compile`, as v8-compile-cache did (stable since Node 0.x). */
interface ModuleInternals {
  wrap(source: string): string;
  prototype: { _compile(this: CompiledModule, content: string, filename: string): unknown };
}
interface CompiledModule {
  exports: unknown;
}

/** "SJC1", then the source's length in bytes, its CRC-32, and the CRC-32 of the V8 cache that follows (uint32 LE each). */
const MAGIC = 0x31434a53;
const HEADER_BYTES = 16;

/**
 * Turns the cache on for the modules under `chunks` (a folder, ending with the path separator), kept apart for each
 * `command` (the first word on the command line). Off with NODE_DISABLE_COMPILE_CACHE=1, as Node's own. Where:
 * NODE_COMPILE_CACHE when set (Node ≥ 22 then keeps its own cache there), else the user's cache folder. On Node ≥ 22.1,
 * Node's cache; on Node 20, this one, except with --enable-source-maps (Node maps stack traces only of the modules it
 * compiles itself).
 */
export function enableCompileCache(chunks: string, command: string | undefined): void {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE) return;
  // Never in the shared temp folder (no home folder): a folder someone else made there could hold code to run.
  const home = userCacheHome();
  const root = env.NODE_COMPILE_CACHE || (home && join(home, "support-job", "compile-cache"));
  if (!root) return;
  const nodeCache = (Module as unknown as { enableCompileCache?: (directory?: string) => unknown }).enableCompileCache;
  if (typeof nodeCache === "function") {
    // With NODE_COMPILE_CACHE set, Node has turned its cache on already.
    if (env.NODE_COMPILE_CACHE) return;
    try {
      nodeCache(root);
    } catch {
      // No cache: the same run, only slower to start.
    }
    return;
  }
  if (process.sourceMapsEnabled) return;
  const word = command !== undefined && /^[a-z][a-z-]{0,23}$/.test(command) ? command : "other";
  cacheChunks(chunks, join(root, `v8-${process.versions.v8}-${process.arch}`, word));
}

function cacheChunks(chunks: string, directory: string): void {
  if (!ownFolder(directory)) return;
  const internals = Module as unknown as ModuleInternals;
  const compile = internals.prototype._compile;
  // What Module.wrap puts before the source on its first line: a stack trace's columns there are the chunk's own.
  const head = internals.wrap("\0").split("\0")[0] ?? "";
  const fresh: { script: Script; file: string; source: Source }[] = [];
  internals.prototype._compile = function (this: CompiledModule, content: string, filename: string): unknown {
    if (!filename.startsWith(chunks)) return compile.call(this, content, filename);
    const file = join(directory, `${basename(filename)}.cache`);
    // The source's checksum and length, from the string itself (a copy to a Buffer would cost more than the check).
    const source = { bytes: Buffer.byteLength(content), crc: crc32(content) };
    const cachedData = cacheFor(file, source);
    const script = new Script(internals.wrap(content), { filename, cachedData, columnOffset: -head.length });
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, file, source });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  process.once("exit", (code) => {
    if (code === 0 && fresh.length) save(fresh, directory);
  });
}

/** The cache's folder is the user's own, or none is used (a shared machine; Windows: it is in the user's profile). */
function ownFolder(directory: string): boolean {
  if (typeof process.getuid !== "function") return true;
  try {
    return statSync(directory).uid === process.getuid();
  } catch {
    // Not made yet: save() makes it, the user's own and private.
    return true;
  }
}

/** A chunk's source as a cache file records it: its length in bytes and its CRC-32. */
interface Source {
  bytes: number;
  crc: number;
}

/** The V8 cache in `file` when it was made from exactly `source` and is whole; else undefined. */
function cacheFor(file: string, source: Source): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) return undefined;
  const data = bytes.subarray(HEADER_BYTES);
  const whole = bytes.readUInt32LE(4) === source.bytes && bytes.readUInt32LE(8) === source.crc && bytes.readUInt32LE(12) === crc32(data);
  return whole ? data : undefined;
}

/** Each file written whole (a temporary name, then renamed), so that a run at the same time never reads half of one. */
function save(fresh: readonly { script: Script; file: string; source: Source }[], directory: string): void {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    for (const { script, file, source } of fresh) {
      const partial = `${file}.${process.pid}`;
      try {
        const data = script.createCachedData();
        const header = Buffer.alloc(HEADER_BYTES);
        header.writeUInt32LE(MAGIC, 0);
        header.writeUInt32LE(source.bytes, 4);
        header.writeUInt32LE(source.crc, 8);
        header.writeUInt32LE(crc32(data), 12);
        writeFileSync(partial, Buffer.concat([header, data]), { mode: 0o600 });
        renameSync(partial, file);
      } catch {
        rmSync(partial, { force: true });
      }
    }
  } catch {
    // No cache: the next run compiles again.
  }
}

/** The user's cache folder (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows); undefined with no home folder. */
function userCacheHome(): string | undefined {
  const env = process.env;
  if (platform() === "win32") return env.LOCALAPPDATA || undefined;
  if (!homedir()) return env.XDG_CACHE_HOME || undefined;
  if (platform() === "darwin") return join(homedir(), "Library", "Caches");
  return env.XDG_CACHE_HOME || join(homedir(), ".cache");
}
