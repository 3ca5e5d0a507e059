/**
 * Issue #14 against moto: `status` with no --name in a folder of several jobs (and `list`) shows each job's alert
 * state: the email (confirmed / NOT CONFIRMED / none), the chat webhooks, the missed-run alarm (OK / ALARM / not
 * armed yet / not watched); the reads it adds per job are counted and the overview stays 2 round trips deep with the
 * account in support-job.json (3 without) whatever the number of jobs. `status --json`'s overview document has
 * exactly the keys docs/status-json.md shows.
 */
import { SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { ListTargetsByRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliIn, json, tempDir } from "../helpers/job.js";
import { useLocalAws } from "../helpers/local-aws.js";
import { runInProcess } from "../helpers/run-in-process.js";
import { ACCOUNT, jobFlags } from "../helpers/constants.js";
import type { CliResult } from "../helpers/cli.js";

// Latency makes calls issued together overlap on a loaded machine, so depth counts round trips, not scheduling.
const aws = useLocalAws({ latencyMs: 300 });
const why = (run: CliResult) => `exit ${String(run.code)}\n${run.stderr}\n${run.stdout}`;
const WEBHOOK = "https://hooks.slack.com/services/T0OVERVIEW/B0OVERVIEW/overviewsecret";
let cwd: string;
let cli: ReturnType<typeof cliIn>;

/** A row of the overview's table: the line that starts with the job's name. */
const row = (stdout: string, job: string) => stdout.split("\n").find((line) => line.trimStart().startsWith(`${job} `)) ?? `(no row for ${job})`;

interface OverviewDoc {
  jobs: { region: string; jobs: { name: string; alerts: Record<string, unknown> | null }[] }[];
}

beforeAll(async () => {
  await aws.reset();
  cwd = tempDir("support-job-overview-");
  cli = cliIn(aws, cwd);
  const init = async (args: string[]) => {
    const run = await runInProcess(args, { env: { ...aws.env, SUPPORT_JOB_POLL_MS: "20", TZ: "UTC" }, cwd });
    expect(run.code, why(run)).toBe(0);
  };
  await init(["init", "--yes", ...jobFlags("ov-quiet", ["--no-missed-run-alarm"])]);
  await init(["init", "--yes", ...jobFlags("ov-chat", ["--alert-webhook", WEBHOOK])]);
  await init(["init", "--yes", ...jobFlags("ov-armed")]);
  // One successful run, then init again: the success arms the missed-run alarm; CloudWatch then says ALARM.
  await init(["run-now", "--name", "ov-armed", "--wait"]);
  await init(["init", "--yes", "--name", "ov-armed"]);
  await aws.clients.cloudwatch.send(
    new SetAlarmStateCommand({ AlarmName: "support-job-ov-armed-missed-run", StateValue: "ALARM", StateReason: "no successful run in the window" }),
  );
}, 180_000);

describe("the many-jobs overview's alert state", () => {
  it("status with no --name shows, per job, the email, the chat webhooks and the missed-run alarm, in words", async () => {
    const run = await cli(["status"]);
    expect(run.code, why(run)).toBe(0);
    expect(run.stdout).toMatch(/3 jobs in us-east-1/);
    expect(run.stdout).toMatch(/ job\s+schedule\s+state\s+last run\s+next run\s+alerts/);
    expect(row(run.stdout, "ov-quiet")).toMatch(/email confirmed, missed runs not watched$/);
    expect(row(run.stdout, "ov-chat")).toMatch(/email confirmed, 1 chat webhook, alarm not armed yet$/);
    expect(row(run.stdout, "ov-armed")).toMatch(/email confirmed, ALARM: missed run$/);
  });

  it("list shows the same column, and --json the same alert state", async () => {
    const run = await cli(["list"]);
    expect(run.code, why(run)).toBe(0);
    expect(row(run.stdout, "ov-armed")).toMatch(/ALARM: missed run$/);
    const doc = json<{ jobs: { name: string; alerts: unknown }[] }>((await cli(["list", "--json"])).stdout);
    expect(doc.jobs.map((j) => [j.name, j.alerts])).toEqual([
      ["ov-armed", { email: "ops@example.com", subscription: "confirmed", chatWebhooks: 0, missedRunAlarm: "ALARM" }],
      ["ov-chat", { email: "ops@example.com", subscription: "confirmed", chatWebhooks: 1, missedRunAlarm: "not armed" }],
      ["ov-quiet", { email: "ops@example.com", subscription: "confirmed", chatWebhooks: 0, missedRunAlarm: "not watched" }],
    ]);
  });

  it("status --name shows a job's chat webhooks under Alerts, and --json lists them", async () => {
    const run = await cli(["status", "--name", "ov-chat"]);
    expect(run.code, why(run)).toBe(0);
    expect(run.stdout).toMatch(/Alerts {6}ops@example\.com · confirmed\n {14}chat webhook slack-[0-9a-f]{8} · in place\n/);
    const doc = json<{ alerts: { chatWebhooks: string[] } }>((await cli(["status", "--name", "ov-chat", "--json"])).stdout);
    expect(doc.alerts.chatWebhooks).toEqual([expect.stringMatching(/^slack-[0-9a-f]{8}$/)]);
    const quiet = json<{ alerts: { chatWebhooks: string[] } }>((await cli(["status", "--name", "ov-quiet", "--json"])).stdout);
    expect(quiet.alerts.chatWebhooks).toEqual([]);
  });

  it("an email not confirmed yet stands out: NOT CONFIRMED in plain output, yellow on a terminal", async () => {
    // moto confirms email subscriptions at once; AWS lists one as "PendingConfirmation" until the link is clicked.
    // The proxy answers ListSubscriptionsByTopic that way for every topic (the XML AWS sends).
    const pending = aws.proxy.addFault({
      service: "sns",
      action: "ListSubscriptionsByTopic",
      fault: { status: 200, headers: { "content-type": "text/xml" }, body: pendingSubscriptionsXml("ops@example.com") },
    });
    try {
      const plain = await cli(["status"]);
      expect(plain.code, why(plain)).toBe(0);
      for (const job of ["ov-quiet", "ov-chat", "ov-armed"]) expect(row(plain.stdout, job)).toMatch(/ email NOT CONFIRMED, /);
      const coloured = await cli(["status"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
      expect(coloured.stdout).toContain("\u001b[33memail NOT CONFIRMED\u001b[39m");
      expect(coloured.stdout).toContain("\u001b[1m\u001b[31mALARM: missed run\u001b[39m\u001b[22m");
    } finally {
      pending.remove();
    }
  });
});

describe("round trips and reads", () => {
  it("status's overview is 2 round trips deep with the account in support-job.json, 3 without, list 4, and the alert state adds 6 reads a job (+2 a webhook)", async () => {
    aws.proxy.resetCalls();
    const run = await cli(["status"]);
    expect(run.code, why(run)).toBe(0);
    expect(aws.proxy.maxDepth()).toBeLessThanOrEqual(2);
    expect(aws.proxy.writes()).toEqual([]);
    // The alert state's reads: the subscription (ListSubscriptionsByTopic + the topic's tags), the alarm
    // (DescribeAlarms + its tags), the chat webhooks (connections, API destinations, the alert rule's targets; then
    // each webhook's connection and API destination described).
    const count = (service: string, action: string) => aws.proxy.count({ service, action });
    expect(count("sns", "ListSubscriptionsByTopic")).toBe(3);
    expect(count("sns", "ListTagsForResource")).toBe(3);
    expect(count("monitoring", "DescribeAlarms")).toBe(3);
    expect(count("monitoring", "ListTagsForResource")).toBe(3);
    expect(count("events", "ListConnections")).toBe(3);
    // No listing of API destinations: the job with signs of chat (a connection, or a chat target on its alert rule)
    // describes its own by name (below), and the jobs without make no chat read beyond ListConnections.
    expect(count("events", "ListApiDestinations")).toBe(0);
    // Each job's schedule rule's targets (the schedule's read) and its alert rule's (the chat webhooks' read).
    expect(count("events", "ListTargetsByRule")).toBe(6);
    expect(count("events", "DescribeConnection")).toBe(1);
    expect(count("events", "DescribeApiDestination")).toBe(1);
    console.log(`overview of 3 jobs: ${aws.proxy.reads().length} reads, ${aws.proxy.maxDepth()} round trips deep`);

    // list finds the jobs first (ListProjects, then BatchGetProjects for their tags): 2 round trips more than the
    // overview at most, as before the alert column (its reads go out with the schedule reads).
    aws.proxy.resetCalls();
    expect((await cli(["list"])).code).toBe(0);
    console.log(`list of 3 jobs: ${aws.proxy.reads().length} reads, ${aws.proxy.maxDepth()} round trips deep`);
    expect(aws.proxy.maxDepth()).toBeLessThanOrEqual(4);

    // Without the saved account the reads wait for the identity check: one round trip more.
    const file = JSON.parse(readFileSync(join(cwd, "support-job.json"), "utf8")) as { defaults: Record<string, unknown> };
    expect(file.defaults.account).toBe(ACCOUNT);
    const other = tempDir("support-job-overview-");
    delete file.defaults.account;
    // And a job the file holds that is not applied yet: no CodeBuild project, so ListBuildsForProject says not found.
    (file as unknown as { jobs: Record<string, unknown> }).jobs["ov-later"] = { schedule: "rate(1 day)" };
    writeFileSync(join(other, "support-job.json"), JSON.stringify(file, null, 2));
    aws.proxy.resetCalls();
    const unhinted = await cli(["status"], { cwd: other });
    expect(unhinted.code, why(unhinted)).toBe(0);
    expect(row(unhinted.stdout, "ov-armed")).toMatch(/ALARM: missed run$/);
    expect(row(unhinted.stdout, "ov-later")).toMatch(/^ {2}ov-later +- +NOT SET UP +- +- +-$/);
    expect(unhinted.stdout).toContain("Not set up in us-east-1: ov-later (no CodeBuild project; `support-job apply` creates it).");
    expect(aws.proxy.maxDepth()).toBeLessThanOrEqual(3);
  });
});

describe("status --json with several jobs (docs/status-json.md)", () => {
  it("has exactly the keys of the documented overview example", async () => {
    const run = await cli(["status", "--json"]);
    expect(run.code, why(run)).toBe(0);
    const doc = json<OverviewDoc>(run.stdout);
    expect(doc.jobs[0]?.jobs.map((j) => j.name)).toEqual(["ov-quiet", "ov-chat", "ov-armed"]);
    const documented = documentedOverview();
    expect(keyPaths(doc)).toEqual(keyPaths(documented));
  });
});

/** The overview example of docs/status-json.md: the ```jsonc block after the "several jobs" heading, comments removed. */
function documentedOverview(): unknown {
  const text = readFileSync(join(import.meta.dirname, "../../docs/status-json.md"), "utf8");
  const section = text.slice(text.indexOf("## Several jobs"));
  const block = /```jsonc\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("docs/status-json.md has no ```jsonc block under ## Several jobs");
  return JSON.parse(withoutComments(block));
}

/** jsonc → JSON: `//` to the end of the line, outside strings (URLs keep theirs). */
function withoutComments(jsonc: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < jsonc.length; i++) {
    const c = jsonc[i];
    if (inString) {
      out += c;
      if (c === "\\") out += jsonc[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && jsonc[i + 1] === "/") {
      while (i < jsonc.length && jsonc[i] !== "\n") i++;
      out += "\n";
    } else out += c;
  }
  return out;
}

describe("list's missed-run state follows support-job.json's --grace, as status does", () => {
  it("a job whose --grace pushes the window past CloudWatch's 7 days shows missed runs not watched, not armed", async () => {
    const dir = tempDir("support-job-overview-grace-");
    const flags = jobFlags("ov-grace").map((flag) => (flag === "cron(0 3 * * ? *)" ? "rate(6 days)" : flag));
    const init = await runInProcess(["init", "--yes", ...flags, "--grace", "2d"], { env: { ...aws.env, TZ: "UTC" }, cwd: dir });
    expect(init.code, why(init)).toBe(0);
    const status = await cliIn(aws, dir)(["status", "--name", "ov-grace"]);
    expect(status.stdout).toMatch(/not watched/);
    const list = await cliIn(aws, dir)(["list"]);
    expect(list.code, why(list)).toBe(0);
    expect(row(list.stdout, "ov-grace")).toMatch(/missed runs not watched$/);
  });
});

describe("a chat webhook counts as in place only when its whole chain is, as test-alert checks it", () => {
  it("the alert rule's target without its role: list shows no chat webhook, test-alert counts none either", async () => {
    const Rule = "support-job-ov-chat-alerts";
    const { Targets = [] } = await aws.clients.events.send(new ListTargetsByRuleCommand({ Rule }));
    const chat = Targets.find((t) => t.Id?.startsWith("support-job-chat-"));
    expect(chat?.RoleArn).toBeDefined();
    await aws.clients.events.send(new PutTargetsCommand({ Rule, Targets: [{ ...chat!, RoleArn: undefined }] }));
    const list = await cli(["list"]);
    expect(list.code, why(list)).toBe(0);
    expect(row(list.stdout, "ov-chat")).not.toMatch(/chat webhook/);
    const alert = await cli(["test-alert", "--name", "ov-chat", "--json"]);
    expect(JSON.stringify(json(alert.stdout))).toMatch(/"chatWebhooks":\[\]/);
  });
});

/** Every key path of a document (array items merged), sorted: "jobs[].jobs[].alerts.email". */
function keyPaths(value: unknown, prefix = ""): string[] {
  const out = new Set<string>();
  if (Array.isArray(value)) for (const item of value) for (const p of keyPaths(item, `${prefix}[]`)) out.add(p);
  else if (value && typeof value === "object")
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.add(path);
      for (const p of keyPaths(child, path)) out.add(p);
    }
  return [...out].sort();
}

function pendingSubscriptionsXml(email: string): string {
  return `<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <ListSubscriptionsByTopicResult>
    <Subscriptions>
      <member>
        <TopicArn>arn:aws:sns:us-east-1:${ACCOUNT}:support-job-alerts</TopicArn>
        <Protocol>email</Protocol>
        <SubscriptionArn>PendingConfirmation</SubscriptionArn>
        <Owner>${ACCOUNT}</Owner>
        <Endpoint>${email}</Endpoint>
      </member>
    </Subscriptions>
  </ListSubscriptionsByTopicResult>
  <ResponseMetadata><RequestId>4b1a7f0e-0000-4000-8000-000000000014</RequestId></ResponseMetadata>
</ListSubscriptionsByTopicResponse>`;
}
