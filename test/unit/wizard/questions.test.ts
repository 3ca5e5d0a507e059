import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { ScheduleError } from "../../../src/schedule/index.js";
import { DEFAULT_IMAGES } from "../../../src/settings/types.js";
import { checkEnv, checkSchedule } from "../../../src/settings/validate.js";
import type { Choice, Heading } from "../../../src/wizard/prompts.js";
import {
  advancedQuestion,
  alertQuestion,
  branchFromGit,
  buildspecProblem,
  computeQuestion,
  envEntry,
  envKindQuestion,
  envLabel,
  envNameQuestion,
  envValueQuestion,
  everyQuestion,
  expressionQuestion,
  fromCheck,
  imageFor,
  nameFromRepository,
  nameQuestion,
  parseComputeKey,
  presetExpression,
  repositoryFromRemote,
  repositoryQuestion,
  sameRepository,
  schedulePreview,
  scheduleQuestion,
  timeQuestion,
  timezoneQuestion,
  OTHER_ZONE,
} from "../../../src/wizard/questions.js";

const plain = (lines: string[]) => lines.map((l) => stripVTControlCharacters(l));
const isChoice = <V>(c: Choice<V> | Heading): c is Choice<V> => !("heading" in c);

describe("defaults from git", () => {
  it.each([
    ["git@github.com:acme/ops-scripts.git", "https://github.com/acme/ops-scripts.git"],
    ["git@github.com:acme/ops-scripts", "https://github.com/acme/ops-scripts.git"],
    ["ssh://git@gitlab.com/acme/tools/ops.git", "https://gitlab.com/acme/tools/ops.git"],
    ["ssh://git@bitbucket.org:22/acme/ops.git", "https://bitbucket.org/acme/ops.git"],
    ["https://github.com/acme/ops-scripts.git", "https://github.com/acme/ops-scripts.git"],
    ["https://github.com/acme/ops-scripts", "https://github.com/acme/ops-scripts.git"],
    ["https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/ops", "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/ops"],
  ])("turns the remote %s into the HTTPS clone URL %s", (remote, https) => {
    expect(repositoryFromRemote(remote)).toBe(https);
  });

  it("drops a token from an HTTPS remote so it never reaches support-job.json", () => {
    expect(repositoryFromRemote("https://x-access-token:ghp_secret@github.com/acme/ops.git")).toBe("https://github.com/acme/ops.git");
  });

  it("keeps a self-hosted server's URL although its kind is unknown (the wizard asks it)", () => {
    expect(repositoryFromRemote("git@git.acme.internal:team/ops.git")).toBe("https://git.acme.internal/team/ops.git");
  });

  it("suggests nothing for a local path, no remote or no git", () => {
    expect(repositoryFromRemote("/srv/git/ops.git")).toBeUndefined();
    expect(repositoryFromRemote("file:///srv/git/ops.git")).toBeUndefined();
    expect(repositoryFromRemote(undefined)).toBeUndefined();
    expect(repositoryFromRemote("")).toBeUndefined();
  });

  it.each([
    ["https://github.com/acme/ops-scripts.git", "ops-scripts"],
    ["https://github.com/acme/Ops_Scripts/", "Ops_Scripts"],
    ["https://github.com/acme/ops.scripts.v2.git", "ops-scripts-v2"],
    ["https://github.com/acme/.dotfiles.git", "dotfiles"],
    [`https://github.com/acme/${"x".repeat(60)}.git`, "x".repeat(40)],
  ])("derives the job name from %s: %s", (repo, name) => {
    expect(nameFromRepository(repo)).toBe(name);
  });

  it("suggests no name when the repository gives none", () => {
    expect(nameFromRepository(undefined)).toBeUndefined();
    expect(nameFromRepository("https://github.com/acme/_.git")).toBeUndefined();
  });

  it("takes the checked-out branch, not HEAD of a detached checkout", () => {
    expect(branchFromGit("support-jobs\n")).toBe("support-jobs");
    expect(branchFromGit("HEAD")).toBeUndefined();
    expect(branchFromGit(undefined)).toBeUndefined();
  });

  it("compares repositories without case, .git or a trailing slash", () => {
    expect(sameRepository("https://github.com/acme/ops.git", "https://GitHub.com/acme/ops/")).toBe(true);
    expect(sameRepository("https://github.com/acme/ops.git", "https://github.com/acme/other.git")).toBe(false);
    expect(sameRepository(undefined, undefined)).toBe(false);
  });
});

describe("buildspec check", () => {
  it("accepts a file with top-level version and phases", () => {
    expect(buildspecProblem("version: 0.2\n\nphases:\n  build:\n    commands:\n      - ./run.sh\n")).toBeUndefined();
    expect(buildspecProblem('# the job\nversion: "0.2"  # current\nenv:\n  shell: bash\nphases:\n  build: {commands: [echo]}\n')).toBeUndefined();
  });

  it("says which key is missing", () => {
    expect(buildspecProblem("version: 0.2\nbuild:\n  commands: [x]\n")).toMatch(/no top-level phases key/);
    expect(buildspecProblem("phases:\n  build: {}\n")).toMatch(/no top-level version key/);
    expect(buildspecProblem("name: CI\non: push\njobs:\n  phases: {}\n")).toMatch(/version or phases/);
  });

  it("flags an empty file and a wrong version", () => {
    expect(buildspecProblem("  \n")).toBe("is empty");
    expect(buildspecProblem("version: 2\nphases: {}\n")).toMatch(/version: 0\.2/);
  });
});

describe("schedule presets", () => {
  it.each([
    ["minutes", { every: 15 }, "rate(15 minutes)"],
    ["hours", { every: 1 }, "rate(1 hour)"],
    ["days", { every: 2 }, "rate(2 days)"],
    ["daily", { time: "07:30" }, "cron(30 7 * * ? *)"],
    ["weekdays", { time: "7:05" }, "cron(5 7 ? * MON-FRI *)"],
    ["weekly", { weekday: "SUN", time: "23:00" }, "cron(0 23 ? * SUN *)"],
    ["monthly", { dayOfMonth: 31, time: "00:00" }, "cron(0 0 31 * ? *)"],
    ["expression", { expression: "  cron(0 3 * * ? *) " }, "cron(0 3 * * ? *)"],
  ] as const)("%s %j is %s, a valid EventBridge expression", (preset, answers, expression) => {
    expect(presetExpression(preset, answers)).toBe(expression);
    expect(checkSchedule(expression).ok).toBe(true);
  });

  it("rejects a bad number or time at the preset's own question", () => {
    expect(everyQuestion("minutes").validate?.("0")).toMatch(/at least 1/);
    expect(everyQuestion("hours").validate?.("two")).toMatch(/not a whole number/);
    expect(everyQuestion("days").validate?.("3")).toBe(true);
    expect(timeQuestion().validate?.("25:00")).toMatch(/HH:MM/);
    expect(timeQuestion().validate?.("07:30")).toBe(true);
    expect(() => presetExpression("daily", { time: "7pm" })).toThrow(ScheduleError);
  });

  it("rejects an invalid expression with checkSchedule's reason", () => {
    const question = expressionQuestion(undefined);
    expect(question.validate?.("cron(0 25 * * ? *)")).toMatch(/hours/);
    expect(question.validate?.("rate(5 minute)")).toBe(fromCheck(checkSchedule("rate(5 minute)")));
    expect(question.validate?.("cron(0 7 ? * MON-FRI *)")).toBe(true);
  });

  it("offers to keep the saved schedule, described in words, first", () => {
    const question = scheduleQuestion({ schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/Paris" });
    expect(question.default).toBe("keep");
    const first = question.choices[0];
    expect(first && isChoice(first) ? first.name : "").toBe("As now: at 07:00 on Monday through Friday (Europe/Paris)");
    expect(
      scheduleQuestion(undefined)
        .choices.filter(isChoice)
        .map((c) => c.value),
    ).not.toContain("keep");
  });

  it("starts on a preset when the saved schedule is not valid", () => {
    const question = scheduleQuestion({ schedule: "cron(bogus)", timezone: "UTC" });
    expect(question.default).toBe("daily");
    expect(question.choices.filter(isChoice).map((c) => c.value)).not.toContain("keep");
  });

  it("leaves out a saved zone EventBridge Scheduler would refuse", () => {
    const question = timezoneQuestion("Europe/Pairs", "UTC");
    expect(question.choices.filter(isChoice).map((c) => c.value)).toEqual(["UTC", OTHER_ZONE]);
    expect(question.default).toBe("UTC");
  });

  it("offers this computer's zone first, UTC next, then other…", () => {
    const question = timezoneQuestion(undefined, "Europe/Paris");
    expect(question.choices.filter(isChoice).map((c) => c.value)).toEqual(["Europe/Paris", "UTC", OTHER_ZONE]);
    expect(question.default).toBe("Europe/Paris");
    expect(
      timezoneQuestion("Asia/Tokyo", "UTC")
        .choices.filter(isChoice)
        .map((c) => c.value),
    ).toEqual(["UTC", "Asia/Tokyo", OTHER_ZONE]);
    expect(timezoneQuestion("Asia/Tokyo", "UTC").default).toBe("Asia/Tokyo");
  });
});

describe("schedule preview", () => {
  const from = new Date("2026-03-27T12:00:00Z"); // a Friday, two days before Europe's clocks change

  it("says what the schedule means and lists the next runs in its zone and on this computer", () => {
    expect(plain(schedulePreview("cron(0 7 ? * MON-FRI *)", "Europe/Paris", "America/New_York", from))).toEqual([
      "  Runs at 07:00 on Monday through Friday (Europe/Paris).",
      "  Next 5 runs:",
      "    2026-03-30 07:00 CEST   2026-03-30 01:00 EDT on this computer",
      "    2026-03-31 07:00 CEST   2026-03-31 01:00 EDT on this computer",
      "    2026-04-01 07:00 CEST   2026-04-01 01:00 EDT on this computer",
      "    2026-04-02 07:00 CEST   2026-04-02 01:00 EDT on this computer",
      "    2026-04-03 07:00 CEST   2026-04-03 01:00 EDT on this computer",
    ]);
  });

  it("shows one column when the schedule's zone is this computer's", () => {
    const lines = plain(schedulePreview("cron(0 3 * * ? *)", "UTC", "UTC", from, 2));
    expect(lines.slice(2)).toEqual(["    2026-03-28 03:00 UTC", "    2026-03-29 03:00 UTC"]);
  });

  it("does not repeat a time that reads the same on this computer (Etc/UTC, as on most CI machines)", () => {
    const lines = plain(schedulePreview("cron(0 3 * * ? *)", "UTC", "Etc/UTC", from, 1));
    expect(lines.slice(2)).toEqual(["    2026-03-28 03:00 UTC"]);
  });

  it("says that a schedule never fires, and why, instead of an empty list", () => {
    const lines = plain(schedulePreview("cron(30 2 ? 3 1L *)", "Europe/Paris", "Europe/Paris", from));
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^ {4}cron\(30 2 \? 3 1L \*\) never fires in Europe\/Paris: .*daylight saving.*; answer No to pick another\.$/),
    ]);
  });

  it("says a rate counts from when the job is created", () => {
    const lines = plain(schedulePreview("rate(6 hours)", "UTC", "UTC", from, 1));
    expect(lines).toEqual([
      "  Runs every 6 hours.",
      "  Next 1 runs if it started now (a rate counts from when the job is created):",
      "    2026-03-27 18:00 UTC",
    ]);
  });
});

describe("compute choices", () => {
  it("lists every size with vCPUs, memory and its price per minute, for x86_64 and arm64", () => {
    const choices = computeQuestion("BUILD_GENERAL1_SMALL x86_64").choices.filter(isChoice);
    expect(choices).toHaveLength(10);
    const names = choices.map((c) => stripVTControlCharacters(c.name));
    expect(names[0]).toMatch(/^small\s+2 vCPUs\s+3 GB memory\s+\$0\.005\/min$/);
    expect(names[1]).toMatch(/^medium\s+4 vCPUs\s+7 GB memory\s+\$0\.01\/min$/);
    expect(names[3]).toMatch(/^xlarge\s+36 vCPUs\s+70 GB memory\s+price: see AWS$/);
    expect(names[5]).toMatch(/^small\s+2 vCPUs\s+4 GB memory\s+\$0\.0034\/min$/);
    expect(choices[5]?.value).toBe("BUILD_GENERAL1_SMALL arm64");
    expect(choices[5]?.description).toContain(DEFAULT_IMAGES.arm64);
  });

  it("keeps only what fits a compute type or architecture given as a flag", () => {
    const choices = computeQuestion("BUILD_GENERAL1_LARGE arm64", { computeType: "BUILD_GENERAL1_LARGE" }).choices.filter(isChoice);
    expect(choices.map((c) => c.value)).toEqual(["BUILD_GENERAL1_LARGE x86_64", "BUILD_GENERAL1_LARGE arm64"]);
  });

  it("round-trips the choice value", () => {
    expect(parseComputeKey("BUILD_GENERAL1_MEDIUM arm64")).toEqual({ computeType: "BUILD_GENERAL1_MEDIUM", arch: "arm64" });
  });

  it("lets the image follow the architecture unless it still fits", () => {
    expect(imageFor(DEFAULT_IMAGES.x86_64, "arm64")).toBe(DEFAULT_IMAGES.arm64);
    expect(imageFor(undefined, "x86_64")).toBe(DEFAULT_IMAGES.x86_64);
    expect(imageFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ops:1", "arm64")).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ops:1");
  });

  it("asks to change only what was not given as a flag", () => {
    expect(advancedQuestion("aws/codebuild/standard:7.0", 60).message).toBe("Change the image or the timeout?");
    expect(advancedQuestion(undefined, 60).message).toBe("Change the timeout?");
  });
});

describe("alerts", () => {
  it("ticks FAILED, STOPPED, TIMED_OUT and FAULT by default and offers SUCCEEDED for a first trial", () => {
    const choices = alertQuestion(undefined).choices;
    expect(choices.filter((c) => c.checked).map((c) => c.value)).toEqual(["FAILED", "STOPPED", "TIMED_OUT", "FAULT"]);
    const succeeded = choices.find((c) => c.value === "SUCCEEDED");
    expect(succeeded?.checked).toBe(false);
    expect(succeeded?.name).toMatch(/first trial/);
  });

  it("ticks what support-job.json had", () => {
    expect(
      alertQuestion(["FAILED", "succeeded"])
        .choices.filter((c) => c.checked)
        .map((c) => c.value),
    ).toEqual(["FAILED", "SUCCEEDED"]);
  });
});

describe("environment variables", () => {
  it.each([
    ["STAGE", "plain", "prod", "STAGE=prod", "PLAINTEXT"],
    ["DB_PASSWORD", "ssm", "/cleanup/db-password", "DB_PASSWORD=ssm:/cleanup/db-password", "PARAMETER_STORE"],
    ["DB_PASSWORD", "ssm", "ssm:/cleanup/db-password", "DB_PASSWORD=ssm:/cleanup/db-password", "PARAMETER_STORE"],
    ["API_TOKEN", "secretsmanager", "cleanup/api:token", "API_TOKEN=secretsmanager:cleanup/api:token", "SECRETS_MANAGER"],
    // as with --env: written like a reference, it is one; plain: forces a plain value
    ["API_TOKEN", "plain", "secretsmanager:cleanup/api", "API_TOKEN=secretsmanager:cleanup/api", "SECRETS_MANAGER"],
    ["NOTE", "plain", "plain:ssm:not-a-reference", "NOTE=plain:ssm:not-a-reference", "PLAINTEXT"],
  ] as const)("%s from %s %s is %s", (name, kind, value, entry, type) => {
    expect(envEntry(name, kind, value)).toBe(entry);
    const check = checkEnv(entry);
    expect(check.ok && check.value.type).toBe(type);
  });

  it("refuses a secret-looking plain value at the value question, with checkEnv's reason", () => {
    expect(envValueQuestion("DB_PASSWORD", "plain").validate?.("hunter2")).toMatch(/looks like a secret/);
    expect(envValueQuestion("DB_PASSWORD", "plain").validate?.("plain:not-secret")).toBe(true);
    expect(envValueQuestion("DB_PASSWORD", "ssm").validate?.("not a name")).toMatch(/not a Parameter Store name/);
  });

  it("validates the name and refuses one already set", () => {
    const question = envNameQuestion(["STAGE"]);
    expect(question.validate?.("STAGE")).toMatch(/already set/);
    expect(question.validate?.("CODEBUILD_X")).toMatch(/reserved/);
    expect(question.validate?.("1X")).toMatch(/not a valid variable name/);
    expect(question.validate?.("DB_PASSWORD")).toBe(true);
  });

  it("suggests Parameter Store for a secret-looking name", () => {
    expect(envKindQuestion("DB_PASSWORD").default).toBe("ssm");
    expect(envKindQuestion("STAGE").default).toBe("plain");
  });

  it("labels entries by where the value comes from", () => {
    expect(envLabel("DB_PASSWORD=ssm:/cleanup/db")).toBe("DB_PASSWORD ← Parameter Store /cleanup/db");
    expect(envLabel("STAGE=prod")).toBe("STAGE = prod");
  });
});

describe("source and name questions", () => {
  it("accepts an unknown host (its kind is asked next) but refuses SSH with the HTTPS form as example", () => {
    const question = repositoryQuestion(undefined, undefined);
    expect(question.validate?.("https://git.acme.internal/team/ops.git")).toBe(true);
    expect(question.validate?.("git@github.com:acme/ops.git")).toMatch(/SSH URL.*https:\/\/github\.com\/acme\/ops\.git/);
  });

  it("says while typing why a name does not fit", () => {
    const question = nameQuestion("ops", false);
    expect(question.live?.("my job")).toMatch(/^may only contain letters/);
    expect(question.live?.("nightly-cleanup")).toBeUndefined();
    expect(nameQuestion("ops", true).help).toMatch(/second job/);
  });
});
