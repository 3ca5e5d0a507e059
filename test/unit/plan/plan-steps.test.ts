/** Plan steps say what they are: a resource that is not part of the job is marked absent, never a nameless step. */
import { describe, expect, it } from "vitest";
import { RESOURCES } from "../../../src/resources/index.js";
import { buildJobSpec } from "../../../src/desired/job.js";
import { planToJson, renderPlan } from "../../../src/ui/format.js";
import { setColor } from "../../../src/ui/style.js";
import { settings, WHERE } from "../desired/fixtures.js";

setColor(false);

describe("a fresh UTC job's plan", () => {
  const spec = buildJobSpec(settings(), WHERE);
  const steps = RESOURCES.map((r) => r.plan(spec, undefined, { adopt: false }));
  const plan = { spec, steps, current: new Map() };

  it("marks the time-zone schedule, its group and role, the job policy, the chat webhooks, their role and the alarm chat rule, and the old IAM names as absent, each under its real name", () => {
    const absent = steps.filter((s) => s.absent).map((s) => [s.key, s.name]);
    expect(absent).toEqual([
      ["jobPolicy", spec.names.jobPolicy],
      ["schedulerRole", spec.names.schedulerRole],
      ["scheduleGroup", spec.names.scheduleGroup],
      ["schedule", spec.names.schedule],
      ["chatRole", spec.names.chatRole],
      ["chatWebhooks", "support-job-nightly-cleanup-*"],
      ["alarmChatRule", spec.names.alarmChatRule],
      ["legacyIam", "support-job-nightly-cleanup-build"],
    ]);
    expect(steps.every((s) => s.name !== "")).toBe(true);
    expect(steps.filter((s) => s.absent).every((s) => s.action === "unchanged" && !s.apply)).toBe(true);
  });

  it("shows only the resources of the job, in text and in --json", () => {
    const text = renderPlan(plan);
    expect(text).not.toMatch(/time-zone schedule|schedule group|first releases/);
    expect(text).toContain(spec.names.scheduleRule);
    const json = planToJson(plan) as { resource: string }[];
    expect(json.map((s) => s.resource)).toEqual([
      "serviceRole",
      "project",
      "logGroup",
      "scheduleRole",
      "scheduleRule",
      "alertTopic",
      "alertSubscription",
      "alertRule",
      "missedRunAlarm",
      "startRefusedAlarm",
    ]);
    // A new job's missed-run alarm is shown, not created: it would fire before the first run was due.
    expect(text).toMatch(/= unchanged +missed-run alarm +support-job-nightly-cleanup-missed-run\n +note: not armed yet: armed after the first successful run/);
  });
});
