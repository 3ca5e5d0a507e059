// Each question as the user meets it: rendered by inquirer on a virtual terminal, keys typed, screen read back.
import { render } from "@inquirer/testing";
import { describe, expect, it } from "vitest";
import { askChoice, askPick, askText, askYesNo, chooseJob } from "../../../src/wizard/prompts.js";
import {
  alertQuestion,
  branchQuestion,
  computeQuestion,
  emailQuestion,
  expressionQuestion,
  nameQuestion,
  otherZoneQuestion,
  repositoryQuestion,
  timeoutQuestion,
  timezoneQuestion,
} from "../../../src/wizard/questions.js";

type Events = Awaited<ReturnType<typeof render>>["events"];
const erase = (events: Events, text: string) => {
  for (let i = 0; i < text.length; i++) events.keypress("backspace");
};

describe("text questions", () => {
  it("shows the help and the suggestion, and Enter takes the suggestion", async () => {
    const { answer, events, getScreen } = await render(askText, repositoryQuestion("https://github.com/acme/ops.git", undefined));
    expect(getScreen()).toContain("Repository with the script (HTTPS clone URL)");
    expect(getScreen()).toContain("CodeBuild clones it at every run");
    expect(getScreen()).toContain("(https://github.com/acme/ops.git)");
    events.keypress("enter");
    await expect(answer).resolves.toBe("https://github.com/acme/ops.git");
    // Once answered, only the question and the answer stay on screen.
    expect(getScreen()).toBe("✔ Repository with the script (HTTPS clone URL) https://github.com/acme/ops.git");
  });

  it("checks the job name while typing and refuses it on Enter until it is fixed", async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, nameQuestion("ops-scripts", false));
    events.type("my job");
    await nextRender();
    expect(getScreen()).toContain("my job  ← may only contain letters, digits, - and _");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain('> "my job" may only contain letters, digits, - and _');
    for (let i = 0; i < 4; i++) events.keypress("backspace");
    events.type("-cleanup");
    events.keypress("enter");
    await expect(answer).resolves.toBe("my-cleanup");
  });

  it("refuses an SSH URL and says which HTTPS URL to use", async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, repositoryQuestion(undefined, undefined));
    events.type("git@github.com:acme/ops.git");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("is an SSH URL; CodeBuild clones over HTTPS (e.g. https://github.com/acme/ops.git)");
    erase(events, "git@github.com:acme/ops.git");
    events.type("https://github.com/acme/ops.git");
    events.keypress("enter");
    await expect(answer).resolves.toBe("https://github.com/acme/ops.git");
  });

  it("lets the branch be empty: the repository's default branch", async () => {
    const { answer, events, getScreen } = await render(askText, branchQuestion(undefined));
    expect(getScreen()).toContain("A dedicated branch, e.g. support-jobs");
    events.keypress("enter");
    await expect(answer).resolves.toBe("");
    expect(getScreen()).toBe("✔ Branch to run the repository's default branch");
  });

  it("clears a suggested branch with Backspace", async () => {
    const { answer, events } = await render(askText, branchQuestion("main"));
    events.keypress("backspace");
    events.keypress("enter");
    await expect(answer).resolves.toBe("");
  });

  it("refuses a wrong email with an example", async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, emailQuestion(undefined));
    expect(getScreen()).toContain("confirmation link");
    events.type("ops@");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain('> "ops@" is not an email address (e.g. ops@example.com)');
    events.type("example.com");
    events.keypress("enter");
    await expect(answer).resolves.toBe("ops@example.com");
  });

  it("refuses an invalid schedule expression with the reason", async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, expressionQuestion(undefined));
    events.type("cron(0 25 * * ? *)");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toMatch(/> cron\(0 25 \* \* \? \*\): hours must be 0–23/);
    erase(events, "cron(0 25 * * ? *)");
    events.type("cron(0 3 * * ? *)");
    events.keypress("enter");
    await expect(answer).resolves.toBe("cron(0 3 * * ? *)");
  });

  it("suggests close time zone names", async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, otherZoneQuestion(undefined));
    events.type("Europe/Pairs");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("did you mean Europe/Paris");
    erase(events, "Pairs");
    events.type("Paris");
    events.keypress("enter");
    await expect(answer).resolves.toBe("Europe/Paris");
  });

  it("keeps the timeout within CodeBuild's limits", async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, timeoutQuestion(60));
    expect(getScreen()).toContain("(60)");
    events.type("3");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("outside CodeBuild's 5–2160");
    events.keypress("backspace");
    events.type("90");
    events.keypress("enter");
    await expect(answer).resolves.toBe("90");
  });

  it("rejects with ExitPromptError on Ctrl-C", async () => {
    const { answer, events } = await render(askText, emailQuestion(undefined));
    events.keypress({ name: "c", ctrl: true });
    await expect(answer).rejects.toMatchObject({ name: "ExitPromptError" });
  });
});

describe("lists", () => {
  it("offers this computer's zone first and UTC one key away", async () => {
    const { answer, events, getScreen } = await render(askChoice<string>, timezoneQuestion(undefined, "Europe/Paris"));
    const lines = getScreen().split("\n");
    const zones = lines.slice(lines.findIndex((l) => l.includes("Europe/Paris")));
    expect(zones.slice(0, 3)).toEqual(["❯ Europe/Paris (this computer's zone)", "  UTC", "  Other…"]);
    events.keypress("down");
    events.keypress("enter");
    await expect(answer).resolves.toBe("UTC");
  });

  it("shows memory and vCPUs of each compute size, ARM included, and starts on the current one", async () => {
    const { answer, events, getScreen } = await render(askChoice<string>, computeQuestion("BUILD_GENERAL1_SMALL arm64"));
    const screen = getScreen();
    expect(screen).toMatch(/── arm64 \(AWS Graviton/);
    expect(screen).toMatch(/❯ small\s+2 vCPUs\s+4 GB memory/);
    expect(screen).toContain("BUILD_GENERAL1_SMALL on arm64, image aws/codebuild/amazonlinux-aarch64-standard:3.0");
    events.keypress("down");
    events.keypress("enter");
    await expect(answer).resolves.toBe("BUILD_GENERAL1_MEDIUM arm64");
  });

  it("ticks the failing outcomes by default; Space adds SUCCEEDED", async () => {
    const { answer, events, getScreen } = await render(askPick<string>, alertQuestion(undefined));
    expect(getScreen()).toMatch(/◯ SUCCEEDED\s+every run that worked: handy for a first trial/);
    for (let i = 0; i < 4; i++) events.keypress("down");
    events.keypress("space");
    events.keypress("enter");
    await expect(answer).resolves.toEqual(["FAILED", "STOPPED", "TIMED_OUT", "FAULT", "SUCCEEDED"]);
  });

  it("wants at least one alert", async () => {
    const { answer, events, getScreen, nextRender } = await render(askPick<string>, alertQuestion(["FAILED"]));
    events.keypress("space");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("tick at least one, or nobody hears about failures");
    events.keypress("space");
    events.keypress("enter");
    await expect(answer).resolves.toEqual(["FAILED"]);
  });
});

describe("yes/no", () => {
  it("takes the default on Enter", async () => {
    const { answer, events, getScreen } = await render(askYesNo, {
      message: "Change the image or the timeout?",
      help: "Now: timeout 60 minutes.",
      default: false,
    });
    expect(getScreen()).toContain("Now: timeout 60 minutes.");
    expect(getScreen()).toContain("(y/N)");
    events.keypress("enter");
    await expect(answer).resolves.toBe(false);
  });
});

describe("init in a folder whose support-job.json has jobs", () => {
  it("asks new job or edit <job>: Enter is a new job, Down picks a job to edit", async () => {
    const first = await render(chooseJob, ["nightly-cleanup", "weekly-report"]);
    expect(first.getScreen()).toContain("support-job.json has jobs already: new job or edit one?");
    expect(first.getScreen()).toContain("edit nightly-cleanup");
    expect(first.getScreen()).toContain("edit weekly-report");
    first.events.keypress("enter");
    await expect(first.answer).resolves.toBeUndefined();

    const second = await render(chooseJob, ["nightly-cleanup", "weekly-report"]);
    second.events.keypress("down");
    second.events.keypress("down");
    second.events.keypress("enter");
    await expect(second.answer).resolves.toBe("weekly-report");
  });
});
