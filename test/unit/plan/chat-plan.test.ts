/** The chat webhooks' plan, pure: what init does with a webhook known only by its key, and with one not the job's. */
import { describe, expect, it } from "vitest";
import { RESOURCES } from "../../../src/resources/index.js";
import { buildJobSpec } from "../../../src/desired/job.js";
import { planToJson } from "../../../src/ui/format.js";
import { settings, WHERE } from "../desired/fixtures.js";

const chat = RESOURCES.find((r) => r.key === "chatWebhooks")!;
const URL = "https://hooks.slack.com/services/T0/B0/xoxPLANsecret";

describe("the chat webhooks' plan", () => {
  it("a new webhook with its URL: create, shown by host, never by URL (text and --json)", () => {
    const spec = buildJobSpec(settings({ alertWebhooks: [URL] }), WHERE);
    const step = chat.plan(spec, undefined, { adopt: false });
    expect(step.action).toBe("create");
    expect(step.after).toEqual(["alertRule", "chatRole"]);
    expect(step.changes.map((c) => c.field)).toEqual([
      expect.stringMatching(/^slack-[0-9a-f]{8} connection$/),
      expect.stringMatching(/^slack-[0-9a-f]{8} API destination$/),
      expect.stringMatching(/^slack-[0-9a-f]{8} alert rule target$/),
    ]);
    const json = JSON.stringify(planToJson({ spec, steps: [step], current: new Map() }));
    expect(json).toContain("https://hooks.slack.com/…");
    expect(json).not.toContain("xoxPLANsecret");
  });

  it("a key from support-job.json with nothing deployed: a conflict that asks for the URL again (nothing is made)", () => {
    const spec = buildJobSpec(settings({ alertWebhooks: ["slack-0123abcd"] }), WHERE);
    const step = chat.plan(spec, undefined, { adopt: false });
    expect(step.action).toBe("conflict");
    expect(step.notes.join(" ")).toMatch(/slack-0123abcd is in support-job.json but not in AWS.*--alert-webhook URL/);
  });

  it("a same-named connection another job owns, or nobody (without --adopt): a conflict", () => {
    const spec = buildJobSpec(settings({ alertWebhooks: [URL] }), WHERE);
    const key = spec.chat.webhooks[0]!.key;
    const deployed = (owner: string | undefined) => ({
      webhooks: [{ key, name: spec.chat.webhooks[0]!.name, owner, connection: { arn: "arn:c", description: "x" }, destination: undefined, target: undefined }],
    });
    expect(chat.plan(spec, deployed("other-job"), { adopt: false }).action).toBe("conflict");
    expect(chat.plan(spec, deployed(undefined), { adopt: false }).action).toBe("conflict");
    expect(chat.plan(spec, deployed(undefined), { adopt: true }).action).toBe("update");
  });
});
