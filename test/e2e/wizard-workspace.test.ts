import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildspecWarning, defaultBuildspec, findBuildspecs, readWorkspace, runGit } from "../../src/wizard/workspace.js";

const BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - ./run.sh\n";

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "support-job-wizard-")));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text = BUILDSPEC): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
const hasGit = runGit(["--version"], tmpdir()) !== undefined;

describe.skipIf(!hasGit)("readWorkspace", () => {
  it("suggests the HTTPS form of an SSH origin, the current branch and the checkout's top folder", () => {
    git("init", "-q", "-b", "support-jobs");
    git("remote", "add", "origin", "git@github.com:acme/ops-scripts.git");
    mkdirSync(join(dir, "jobs"));
    expect(readWorkspace(join(dir, "jobs"))).toEqual({ repository: "https://github.com/acme/ops-scripts.git", branch: "support-jobs", root: dir });
  });

  it("names the branch of a checkout with commits", () => {
    git("init", "-q", "-b", "main");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first");
    git("checkout", "-q", "-b", "support-jobs");
    expect(readWorkspace(dir).branch).toBe("support-jobs");
    git("checkout", "-q", "--detach");
    expect(readWorkspace(dir).branch).toBeUndefined();
  });

  it("suggests nothing outside git, and reads buildspecs from the working directory", () => {
    expect(readWorkspace(dir)).toEqual({ repository: undefined, branch: undefined, root: dir });
  });
});

describe("readWorkspace with a stubbed git", () => {
  it("asks git for origin's URL and the branch", () => {
    const calls: string[] = [];
    const workspace = readWorkspace("/work", (args) => {
      calls.push(args.join(" "));
      return { "remote get-url origin": "ssh://git@gitlab.com/acme/ops.git", "rev-parse --abbrev-ref HEAD": "main", "rev-parse --show-toplevel": "/work" }[
        args.join(" ")
      ];
    });
    expect(workspace).toEqual({ repository: "https://gitlab.com/acme/ops.git", branch: "main", root: "/work" });
    expect(calls).toContain("remote get-url origin");
  });
});

describe("buildspec discovery", () => {
  it("finds buildspec*.yml up to three folders deep, skipping node_modules and .git", () => {
    write("jobs/cleanup/buildspec.yml");
    write("a/b/c/buildspec-deep.yaml");
    write("a/b/c/d/buildspec.yml");
    write("node_modules/pkg/buildspec.yml");
    write(".git/buildspec.yml");
    write("jobs/cleanup/README.md", "not this");
    expect(findBuildspecs(dir)).toEqual(["jobs/cleanup/buildspec.yml", "a/b/c/buildspec-deep.yaml"]);
  });

  it("suggests buildspec.yml when it is at the top, or nothing / several are found", () => {
    expect(defaultBuildspec([])).toBe("buildspec.yml");
    expect(defaultBuildspec(["buildspec.yml", "jobs/buildspec.yml"])).toBe("buildspec.yml");
    expect(defaultBuildspec(["jobs/a/buildspec.yml", "jobs/b/buildspec.yml"])).toBe("buildspec.yml");
  });

  it("suggests the single buildspec found", () => {
    write("jobs/cleanup/buildspec.yml");
    expect(defaultBuildspec(findBuildspecs(dir))).toBe("jobs/cleanup/buildspec.yml");
  });
});

describe("buildspec check in the checkout", () => {
  it("is quiet for a real buildspec", () => {
    write("buildspec.yml");
    expect(buildspecWarning(dir, "buildspec.yml")).toBeUndefined();
  });

  it("warns when the file is missing", () => {
    expect(buildspecWarning(dir, "jobs/buildspec.yml")).toMatch(/^jobs\/buildspec\.yml is not in this checkout/);
  });

  it("warns when the file does not look like a buildspec", () => {
    write(".github/workflows/ci.yml", "name: CI\non: push\njobs: {}\n");
    expect(buildspecWarning(dir, ".github/workflows/ci.yml")).toMatch(/does not look like a CodeBuild buildspec/);
  });
});
