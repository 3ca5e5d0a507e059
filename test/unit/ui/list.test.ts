/** The overview's alert column (`status` with several jobs, `list`): the words carry it, colour adds to it on a terminal. */
import { afterEach, describe, expect, it } from "vitest";
import { alertParts, jobListToJson, renderJobList, type JobListing } from "../../../src/ui/list.js";
import { setColor } from "../../../src/ui/style.js";
import type { AlertState } from "../../../src/deployed/alert-state.js";
import { scheduleStatus } from "../../../src/deployed/status.js";

const NOW = new Date("2026-03-10T12:00:00Z");
const schedule = scheduleStatus(
  {
    kind: "rule",
    name: "support-job-a-schedule",
    arn: "arn:aws:events:us-east-1:123456789012:rule/support-job-a-schedule",
    expression: "cron(0 3 * * ? *)",
    timezone: "UTC",
    state: "ENABLED",
  },
  NOW,
);
const alerts = (over: Partial<AlertState> = {}): AlertState => ({
  email: "ops@example.com",
  subscription: "confirmed",
  chatWebhooks: 0,
  missedRunAlarm: "OK",
  ...over,
});
const job = (name: string, state: AlertState | undefined): JobListing => ({ name, schedule, lastRun: undefined, alerts: state });
const render = (jobs: JobListing[]) => renderJobList(jobs, { now: NOW, timeZone: "UTC", region: "us-east-1" });
const words = (state: AlertState) =>
  alertParts(state)
    .map((p) => p.text)
    .join(", ");

afterEach(() => setColor(false));

describe("the alerts column", () => {
  it("says the email, the chat webhooks and the missed-run alarm in words", () => {
    expect(words(alerts())).toBe("email confirmed, alarm OK");
    expect(words(alerts({ subscription: "pending", chatWebhooks: 2, missedRunAlarm: "ALARM" }))).toBe(
      "email NOT CONFIRMED, 2 chat webhooks, ALARM: missed run",
    );
    expect(words(alerts({ email: undefined, subscription: "missing", chatWebhooks: 1, missedRunAlarm: "not armed" }))).toBe(
      "no email, 1 chat webhook, alarm not armed yet",
    );
    expect(words(alerts({ missedRunAlarm: "not watched" }))).toBe("email confirmed, missed runs not watched");
    expect(words(alerts({ missedRunAlarm: "INSUFFICIENT_DATA" }))).toBe("email confirmed, alarm no data yet");
    expect(words(alerts({ missedRunAlarm: "no alarm" }))).toBe("email confirmed, no missed-run alarm");
  });

  it("no email and no chat webhook is a warning (no alert can go anywhere); no email with a webhook is not", () => {
    expect(alertParts(alerts({ subscription: "missing", chatWebhooks: 0 }))[0]).toEqual({ text: "no email", tone: "warn" });
    expect(alertParts(alerts({ subscription: "missing", chatWebhooks: 1 }))[0]).toEqual({ text: "no email", tone: undefined });
  });

  it("is the last column, after next run, aligned under its heading; without colour the rows hold no escape codes", () => {
    setColor(false);
    const text = render([job("a", alerts()), job("longer-name", alerts({ subscription: "pending", missedRunAlarm: "ALARM" }))]);
    const lines = text.split("\n");
    const heading = lines[1] ?? "";
    expect(heading).toMatch(/ job\s+schedule\s+state\s+last run\s+next run\s+alerts$/);
    const at = heading.indexOf("alerts");
    expect(lines[2]?.slice(at)).toBe("email confirmed, alarm OK");
    expect(lines[3]?.slice(at)).toBe("email NOT CONFIRMED, ALARM: missed run");
    expect(text).not.toContain("\u001b[");
  });

  it("on a terminal an unconfirmed email is yellow and an alarm in ALARM bold red; the rest is not coloured", () => {
    setColor(true);
    const text = render([job("a", alerts({ subscription: "pending", missedRunAlarm: "ALARM", chatWebhooks: 1 }))]);
    expect(text).toContain("\u001b[33memail NOT CONFIRMED\u001b[39m, 1 chat webhook, \u001b[1m\u001b[31mALARM: missed run\u001b[39m\u001b[22m");
    expect(render([job("a", alerts())])).toMatch(/ email confirmed, alarm OK$/);
  });

  it("--json gives the alert state as data (null when unknown)", () => {
    const doc = jobListToJson([job("a", alerts({ subscription: "pending", chatWebhooks: 2 })), job("b", undefined)], "us-east-1") as {
      jobs: { alerts: unknown }[];
    };
    expect(doc.jobs.map((j) => j.alerts)).toEqual([{ email: "ops@example.com", subscription: "pending", chatWebhooks: 2, missedRunAlarm: "OK" }, null]);
  });

  it("a job with no CodeBuild project reads NOT SET UP, with dashes, and a line says `support-job apply` creates it", () => {
    setColor(false);
    const text = render([
      job("a", alerts()),
      { name: "later", setUp: false, schedule: undefined, lastRun: undefined, alerts: alerts({ subscription: "missing" }) },
    ]);
    const lines = text.split("\n");
    expect(lines[3]).toMatch(/^ {2}later {2}- +NOT SET UP {2}- +- +-$/);
    expect(lines[4]).toBe("Not set up in us-east-1: later (no CodeBuild project; `support-job apply` creates it).");
    expect(jobListToJson([{ name: "later", setUp: false, schedule: undefined, lastRun: undefined, alerts: undefined }], "us-east-1")).toMatchObject({
      jobs: [{ name: "later", setUp: false, schedule: null, lastRun: null, nextRun: null }],
    });
  });
});
