/**
 * `npm run build`: src/ → one esbuild bundle in dist/ (dist/cli.js + its chunks, CommonJS), then the licence check.
 * `npm run notices` (this with --notices) also rewrites THIRD_PARTY_LICENSES; the build alone only warns when it is stale,
 * and test/perf/bundle.test.ts fails on it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { bundledPackages, bundleOptions, DIST, HELP, METAFILE, NOTICES, noticesText, refusal, writeCommonJs } from "./bundle.js";
import { buildProgram } from "../src/cli.js";
import { helpModel } from "../src/ui/help.js";

rmSync(DIST, { recursive: true, force: true });
const built = await build(bundleOptions());
const metafile = writeCommonJs(built.outputFiles ?? [], built.metafile);
writeFileSync(METAFILE, JSON.stringify(metafile));
// What `--help` prints, recorded from the program itself: the entry lays it out without loading commander.
writeFileSync(HELP, JSON.stringify(helpModel(buildProgram())));

const packages = bundledPackages(metafile);
const refused = packages.map(refusal).filter((reason): reason is string => reason !== undefined);
if (refused.length) {
  process.stderr.write(`build: licence check failed:\n${refused.map((r) => `  ${r}`).join("\n")}\n`);
  process.exit(1);
}
const text = noticesText(packages);
if (process.argv.includes("--notices")) {
  writeFileSync(NOTICES, text);
  process.stdout.write(`THIRD_PARTY_LICENSES: ${packages.length} packages\n`);
} else if (!existsSync(NOTICES) || readFileSync(NOTICES, "utf8") !== text) {
  process.stderr.write("build: THIRD_PARTY_LICENSES does not match the bundle's packages: run `npm run notices` and commit it\n");
}
