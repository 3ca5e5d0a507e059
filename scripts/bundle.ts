/**
 * The bundled build and its licence notices, without side effects: `scripts/build.ts` runs them, the tests
 * (test/perf/bundle.test.ts) call them to check the committed THIRD_PARTY_LICENSES and which chunks hold the SDK.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import remapping from "@jridgewell/remapping";
import { transformSync, type BuildOptions, type Metafile, type OutputFile } from "esbuild";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = join(ROOT, "dist");
/** Kept next to the bundle for the tests and the bench; `files` in package.json leaves it out of the tarball. */
export const METAFILE = join(DIST, "metafile.json");
export const NOTICES = join(ROOT, "THIRD_PARTY_LICENSES");
/** Every command's help, recorded by the build for the entry's quick --help (src/ui/help.ts). */
export const HELP = join(DIST, "help.json");

/** Licences whose notices are all a user needs; anything else stops the build until someone decides. */
const ALLOWED_LICENSES = ["MIT", "Apache-2.0", "ISC", "BSD-2-Clause", "BSD-3-Clause", "0BSD"] as const;

export function bundleOptions(): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: ROOT,
    entryPoints: { cli: "src/bin.ts" },
    outdir: "dist",
    bundle: true,
    platform: "node",
    // esbuild splits code only in ES module output; writeCommonJs turns each output into CommonJS afterwards.
    format: "esm",
    target: TARGET,
    // Each dynamic import() of a command becomes its own chunk: --help and bad input never load the SDK's.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    // .cjs: CommonJS by its name (writeCommonJs makes it so), without a look-up of the package's "type" for each of
    // the ~55 modules `status` loads. The entry becomes dist/cli.js, the name package.json's bin and users know.
    outExtension: { ".js": ".cjs" },
    minify: true,
    // Maps let a stack trace be read back (node --enable-source-maps); sources stay out to keep the install small.
    // writeCommonJs links each map to its file once the file is CommonJS.
    sourcemap: "external",
    sourcesContent: false,
    // The SDK's ES module builds: smaller after tree shaking than its CommonJS ones, and no interop to link.
    mainFields: ["module", "main"],
    legalComments: "none",
    metafile: true,
    write: false,
    logLevel: "warning",
  };
}

const TARGET = "node20.17";
/** The entry as esbuild names it, and as it is written. */
const ENTRY = { built: "dist/cli.cjs", written: "dist/cli.js" } as const;

/**
 * Writes the build's outputs to dist/ as CommonJS modules, with their source maps (the bundle's, chained through this
 * step), dist/package.json to say dist/cli.js is CommonJS, and returns the metafile with the entry's name as written.
 *
 * Why CommonJS: on Node 20, CommonJS is the only kind of module whose compiled code can be kept between runs
 * (src/compile-cache.ts; Node ≥ 22 does it for both), and Node's CommonJS loader is lighter than its ES module loader.
 * Together, measured A/B for `status` against a local AWS: ~140 ms less CPU (of ~600) once the cache is there, ~30 ms
 * less without it. Each import() of a chunk becomes a require() in a promise, so chunks still load when first needed.
 */
export function writeCommonJs(files: readonly OutputFile[], metafile: Metafile): Metafile {
  const byPath = new Map(files.map((file) => [relative(ROOT, file.path).split(sep).join("/"), file]));
  for (const [path, file] of byPath) {
    if (!path.endsWith(".cjs")) continue;
    const written = path === ENTRY.built ? ENTRY.written : path;
    const name = basename(written);
    const { code, map, warnings } = transformSync(file.text, {
      format: "cjs",
      supported: { "dynamic-import": false },
      // The entry finds help.json next to itself; no chunk asks where it is.
      define: { "import.meta.url": "__supportJobUrl" },
      banner: file.text.includes("import.meta.url") ? 'var __supportJobUrl=require("node:url").pathToFileURL(__filename).href;' : "",
      minify: true,
      platform: "node",
      target: TARGET,
      sourcemap: "external",
      sourcesContent: false,
      sourcefile: name,
    });
    // A warning here is code that CommonJS cannot express (an import.meta other than .url becomes {}): stop.
    if (warnings.length) throw new Error(`${path}: the move to CommonJS warns: ${warnings.map((w) => w.text).join("; ")}`);
    if (/\bimport\(/.test(code)) throw new Error(`${path}: an import() is left after the move to CommonJS`);
    const bundleMap = byPath.get(`${path}.map`)?.text;
    const chained = bundleMap ? remapping([map, bundleMap], () => null, { excludeContent: true }).toString() : map;
    mkdirSync(dirname(join(ROOT, written)), { recursive: true });
    writeFileSync(join(ROOT, written), `${code}//# sourceMappingURL=${name}.map\n`);
    writeFileSync(join(ROOT, `${written}.map`), chained);
  }
  writeFileSync(join(DIST, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  const outputs = Object.fromEntries(Object.entries(metafile.outputs).map(([file, output]) => [file.replace(ENTRY.built, ENTRY.written), output]));
  return { ...metafile, outputs };
}

export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** Directory relative to the project, e.g. node_modules/@smithy/core. */
  dir: string;
  texts: { file: string; text: string }[];
  /** Repository URL, to borrow the licence text of a sibling package from the same monorepo. */
  repository?: string;
}

/** Every package with at least one byte in the output (tree-shaken inputs do not count), by name then version. */
export function bundledPackages(metafile: Metafile): BundledPackage[] {
  const dirs = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      const dir = packageDir(input);
      if (dir) dirs.add(dir);
    }
  }
  const byId = new Map<string, BundledPackage>();
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as PackageManifest;
    const id = `${manifest.name}@${manifest.version}`;
    if (byId.has(id)) continue;
    byId.set(id, {
      name: manifest.name,
      version: manifest.version,
      license: licenseOf(manifest),
      dir,
      texts: licenseTexts(dir),
      repository: repositoryOf(manifest),
    });
  }
  // A few SDK packages publish no LICENSE file; their monorepo's licence is the one a sibling package carries.
  for (const pkg of byId.values()) {
    if (pkg.texts.length || !pkg.repository) continue;
    // The first by name: chunk order (which changes when the code is split differently) must not change the file.
    const sibling = [...byId.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .find((other) => other.repository === pkg.repository && other.license === pkg.license && other.texts.length && other !== pkg);
    if (!sibling) continue;
    pkg.texts = sibling.texts.map((t) => ({
      file: `${t.file} of ${sibling.name} (this package publishes none; same repository ${pkg.repository})`,
      text: t.text,
    }));
  }
  return [...byId.values()].sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1));
}

/** Output files (relative to the project, e.g. dist/chunks/x.cjs) that hold code from a package matching `match`. */
export function outputsWith(metafile: Metafile, match: RegExp): string[] {
  return Object.entries(metafile.outputs)
    .filter(
      ([file, output]) => /\.c?js$/.test(file) && Object.entries(output.inputs).some(([input, { bytesInOutput }]) => bytesInOutput > 0 && match.test(input)),
    )
    .map(([file]) => file)
    .sort();
}

/** Why a licence is refused, or undefined when the allow-list covers it (an OR needs one allowed side, an AND both). */
export function refusal(pkg: Pick<BundledPackage, "name" | "version" | "license" | "texts">): string | undefined {
  if (!licenseAllowed(pkg.license)) {
    return `${pkg.name}@${pkg.version} is licensed "${pkg.license}", not on the allow-list (${ALLOWED_LICENSES.join(", ")})`;
  }
  if (pkg.texts.length === 0) return `${pkg.name}@${pkg.version} ships no LICENSE/NOTICE file to copy into THIRD_PARTY_LICENSES`;
  return undefined;
}

export function licenseAllowed(expression: string): boolean {
  const spdx = expression
    .trim()
    .replace(/^\((.*)\)$/, "$1")
    .trim();
  if (/\s+OR\s+/i.test(spdx)) return spdx.split(/\s+OR\s+/i).some(licenseAllowed);
  if (/\s+AND\s+/i.test(spdx)) return spdx.split(/\s+AND\s+/i).every(licenseAllowed);
  return (ALLOWED_LICENSES as readonly string[]).includes(spdx);
}

/** THIRD_PARTY_LICENSES: deterministic (no dates, no absolute paths), so a fresh generation can be compared. */
export function noticesText(packages: BundledPackage[]): string {
  const header = [
    "THIRD-PARTY SOFTWARE NOTICES",
    "",
    "support-job is distributed as one bundle that includes code from the packages below.",
    "Each package's licence and notice files follow, as published in that package.",
    "Generated by `npm run notices` from the bundle's metafile: do not edit by hand.",
    "",
    ...packages.map((p) => `- ${p.name}@${p.version} (${p.license})`),
    "",
  ].join("\n");
  const sections = packages.map((p) =>
    [
      "=".repeat(80),
      `${p.name}@${p.version}  (${p.license})`,
      "=".repeat(80),
      ...p.texts.map((t) => `--- ${t.file} ---\n\n${t.text.replace(/\r\n/g, "\n").trim()}\n`),
    ].join("\n"),
  );
  return `${header}\n${sections.join("\n")}`;
}

interface PackageManifest {
  name: string;
  version: string;
  license?: string | { type?: string };
  licenses?: { type?: string }[];
  repository?: string | { url?: string };
}

function repositoryOf(manifest: PackageManifest): string | undefined {
  const url = typeof manifest.repository === "string" ? manifest.repository : manifest.repository?.url;
  return url?.replace(/^git\+/, "").replace(/\.git$/, "");
}

function packageDir(input: string): string | undefined {
  const parts = input.split(/[/\\]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return undefined;
  const name = parts[at + 1]?.startsWith("@") ? 2 : 1;
  let dir = parts.slice(0, at + 1 + name).join("/");
  // A package's nested package.json (e.g. dist/cjs/package.json with only a "type") is not its manifest.
  while (!existsSync(join(ROOT, dir, "package.json"))) dir = dirname(dir);
  return relative(ROOT, join(ROOT, dir)).split(sep).join("/");
}

function licenseOf(manifest: PackageManifest): string {
  if (typeof manifest.license === "string") return manifest.license;
  if (manifest.license?.type) return manifest.license.type;
  const types = (manifest.licenses ?? []).map((l) => l.type).filter((t): t is string => Boolean(t));
  return types.length ? `(${types.join(" OR ")})` : "UNKNOWN";
}

function licenseTexts(dir: string): { file: string; text: string }[] {
  return readdirSync(join(ROOT, dir))
    .filter((file) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(file))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(ROOT, dir, file), "utf8") }));
}
