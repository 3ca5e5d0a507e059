// The published package is one bundle with no runtime dependencies, and its licence notices are current.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { SourceMap, type SourceMapPayload } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { bundledPackages, bundleOptions, HELP, licenseAllowed, NOTICES, noticesText, refusal, ROOT } from "../../scripts/bundle.js";
import { buildProgram } from "../../src/cli.js";
import { helpModel } from "../../src/ui/help.js";

const scratch = mkdtempSync(join(tmpdir(), "support-job-pack-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the packed tarball", () => {
  it("declares no runtime dependencies and holds the bundle, README, LICENSE, the notices and the support-job.json schema only", { timeout: 120_000 }, () => {
    execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", scratch], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const tarball = join(scratch, readdirSync(scratch).find((name) => name.endsWith(".tgz")) ?? "missing.tgz");
    execFileSync("tar", ["-xzf", tarball, "-C", scratch]);
    const manifest = JSON.parse(readFileSync(join(scratch, "package", "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.optionalDependencies ?? {}).toEqual({});
    expect(manifest.bin).toEqual({ "support-job": "dist/cli.js" });
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "LICENSE",
        "THIRD_PARTY_LICENSES",
        "dist/cli.js",
        "dist/cli.js.map",
        "dist/help.json",
        "dist/package.json",
      ]),
    );
    const others = files.filter((f) => !["package.json", "README.md", "LICENSE", "THIRD_PARTY_LICENSES", "schema/support-job.schema.json"].includes(f));
    expect(others.filter((f) => !/^dist\/(cli\.js|chunks\/[\w-]+\.cjs)(\.map)?$/.test(f) && f !== "dist/help.json" && f !== "dist/package.json")).toEqual([]);
    // dist/cli.js and its chunks are CommonJS (the compile cache needs it on Node 20), in a package of ES modules.
    expect(JSON.parse(readFileSync(join(scratch, "package", "dist", "package.json"), "utf8"))).toEqual({ type: "commonjs" });
  });
});

describe("the source maps", () => {
  it("lead from the CommonJS chunks back to the sources, through the build's transform (a stack trace can be read)", () => {
    const chunks = join(ROOT, "dist", "chunks");
    const status = readdirSync(chunks).find((name) => name.startsWith("status-") && name.endsWith(".cjs"));
    expect(status).toBeDefined();
    const code = readFileSync(join(chunks, status!), "utf8");
    expect(code).toContain(`//# sourceMappingURL=${status}.map`);
    const lines = code.split("\n");
    const line = lines.findIndex((text) => text.includes("is not a number of runs"));
    const map = new SourceMap(JSON.parse(readFileSync(join(chunks, `${status}.map`), "utf8")) as SourceMapPayload);
    const found = map.findEntry(line, lines[line]!.indexOf("is not a number of runs"));
    expect("originalSource" in found && found.originalSource).toMatch(/src\/commands\/status\.ts$/);
    const source = readFileSync(join(ROOT, "src", "commands", "status.ts"), "utf8").split("\n");
    expect("originalLine" in found && source[found.originalLine]).toContain("is not a number of runs");
  });
});

describe("the recorded help", () => {
  it("dist/help.json is the program's help as the sources declare it now (else run `npm run build`)", () => {
    expect(JSON.parse(readFileSync(HELP, "utf8"))).toEqual(helpModel(buildProgram()));
  });
});

describe("THIRD_PARTY_LICENSES", () => {
  it("matches a fresh generation from the bundle's metafile (else run `npm run notices`)", { timeout: 120_000 }, async () => {
    const { metafile } = await build({ ...bundleOptions(), write: false, logLevel: "silent" });
    const packages = bundledPackages(metafile);
    expect(packages.map(refusal).filter(Boolean)).toEqual([]);
    expect(packages.map((p) => p.name)).toEqual(expect.arrayContaining(["@aws-sdk/client-codebuild", "commander", "chalk"]));
    expect(readFileSync(NOTICES, "utf8")).toBe(noticesText(packages));
  });

  it("allows MIT, Apache-2.0, ISC, BSD-2/3-Clause and 0BSD, an OR with one of them, an AND of only them", () => {
    for (const ok of ["MIT", "Apache-2.0", "ISC", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "(MIT OR GPL-3.0)", "MIT AND ISC"])
      expect(licenseAllowed(ok), ok).toBe(true);
    for (const refused of ["GPL-3.0", "LGPL-2.1", "MPL-2.0", "UNKNOWN", "MIT AND GPL-3.0", "(GPL-2.0 OR LGPL-3.0)", "SEE LICENSE IN LICENSE"])
      expect(licenseAllowed(refused), refused).toBe(false);
  });

  it("refuses a package outside the allow-list, or one without a licence text to copy", () => {
    expect(refusal({ name: "copyleft", version: "1.0.0", license: "GPL-3.0", texts: [{ file: "LICENSE", text: "…" }] })).toMatch(
      /copyleft@1\.0\.0 is licensed "GPL-3\.0", not on the allow-list/,
    );
    expect(refusal({ name: "bare", version: "1.0.0", license: "MIT", texts: [] })).toMatch(/bare@1\.0\.0 ships no LICENSE/);
    expect(refusal({ name: "fine", version: "1.0.0", license: "MIT", texts: [{ file: "LICENSE", text: "MIT…" }] })).toBeUndefined();
  });
});
