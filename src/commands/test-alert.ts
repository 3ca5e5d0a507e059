/**
 * `support-job test-alert`: "if a support job fails, people need to know": prove that they will. Checks the alert
 * chain (rule → topic → subscription), starts a run of the job's project that fails at once on purpose (an inline
 * buildspec, no source, nothing of the job's script), waits for it to fail, and says where the alert goes.
 */
import { projectResource, type ProjectState } from "../resources/project.js";
import type { Subscription } from "@aws-sdk/client-sns";
import { missedRunAlarmResource, setAlarmState, type AlarmState } from "../resources/alarm.js";
import type { Clients } from "../aws/clients.js";
import { OperationError } from "../errors.js";
import { WEBHOOK_KEY } from "../settings/validate.js";
import { accountOf, awsCall, noSuchJob } from "../aws/call.js";
import { readJobWithIdentity } from "../plan/plan.js";
import { alertRuleResource, type RuleState } from "../resources/rule.js";
import { chatResource } from "../resources/chat.js";
import { webhookChains } from "../deployed/status.js";
import { alarmChatRuleResource, type AlarmChatRuleState } from "../resources/alarm-chat-rule.js";
import type { ReadResource } from "../resources/types.js";
import { openJob, refuseOtherAccount, type JobOptions } from "./open-job.js";
import { summariseRun, TEST_ALERT_VARIABLE } from "../runs/history.js";
import { parsePolicyText } from "../resources/compare.js";
import { alertSubscriptionResource, alertTopicResource, isPending, type CurrentSubscriptions, type TopicState } from "../resources/topic.js";
import { buildConsoleUrl, jobArns, jobNames } from "../desired/names.js";
import type { Reporter } from "../ui/reporter.js";
import { chatExpectationText, expectationText, testAlertToJson } from "../ui/alerts.js";
import { failureText, formatDuration, outcomeWord } from "../ui/runs.js";
import { startRun, watchStarted } from "./start-run.js";
import { paint } from "../ui/style.js";

export type TestAlertOptions = JobOptions;

/** The alert chain's resources (and the project, the job itself), read through their modules. */
const ALERT_READS = [
  projectResource,
  alertRuleResource,
  alertTopicResource,
  alertSubscriptionResource,
  missedRunAlarmResource,
  chatResource,
  alarmChatRuleResource,
] as readonly ReadResource<unknown>[];

/** The status a test run ends with; the alert rule must include it for the test to send an alert. */
const TEST_RUN_STATUS = "FAILED";

/** An inline buildspec that prints why it fails, then fails. Quoted YAML: the echo holds ": ". */
export function testAlertBuildspec(job: string): string {
  return [
    "version: 0.2",
    "phases:",
    "  build:",
    "    commands:",
    `      - 'echo "support-job test-alert: this run of job ${job} fails on purpose to test its alerts; nothing of the job ran."'`,
    "      - 'exit 1'",
    "",
  ].join("\n");
}

/** What test-alert read about the alert chain; "undefined" means missing. */
export interface AlertChainState {
  job: string;
  region: string;
  ruleName: string;
  topicArn: string;
  rule: { state: string | undefined; eventPattern: string | undefined } | undefined;
  /** ARNs the alert rule sends to (undefined: the rule is missing). */
  targetArns: string[] | undefined;
  /** The topic's access policy (undefined: the topic is missing). */
  topic: { policy: unknown } | undefined;
  subscriptions: Subscription[] | undefined;
  /** support-job.json's address, when there is one for this job. */
  configEmail: string | undefined;
  /** The job's chat webhooks as deployed: whether each one's connection, API destination and rule target are there and linked. */
  webhooks?: WebhookChain[] | undefined;
  /** The webhook keys support-job.json lists for this job. */
  configWebhooks?: readonly string[] | undefined;
}

interface WebhookChain {
  key: string;
  connection: boolean;
  destination: boolean;
  /** The alert rule has a target for it, pointing at its API destination, with a role. */
  target: boolean;
}

export interface AlertCheck {
  /** What stops the test from proving anything: the run is not started. */
  problems: string[];
  warnings: string[];
  /** Confirmed email addresses: who gets the alert. */
  recipients: string[];
  /** Email addresses still pending confirmation: no alert can reach them. */
  pending: string[];
  /** Confirmed subscriptions other than email (chat webhooks, queues...): they get it too. */
  otherEndpoints: string[];
  /** The statuses the rule alerts on; undefined when it alerts on any status. */
  statuses: string[] | undefined;
  /** Chat webhooks whose whole chain (connection → API destination → rule target) is in place. */
  webhooks: string[];
}

/** Pure: the alert chain as read → what is broken, what to warn about, and who gets the alert. */
export function checkAlertChain(state: AlertChainState): AlertCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const initFix = "`support-job init --yes` recreates it";
  let statuses: string[] | undefined;

  if (!state.rule) problems.push(`the alert rule ${state.ruleName} is missing: ${initFix}.`);
  else {
    if (state.rule.state === "DISABLED")
      problems.push(
        `the alert rule ${state.ruleName} is disabled, so no alert is sent; turn it on with \`aws events enable-rule --name ${state.ruleName} --region ${state.region}\`.`,
      );
    const pattern = parsePolicyText(state.rule.eventPattern);
    const detail = isRecord(pattern) && isRecord(pattern.detail) ? pattern.detail : undefined;
    const buildStatus = detail?.["build-status"];
    if (Array.isArray(buildStatus)) {
      statuses = buildStatus.filter((s): s is string => typeof s === "string");
      const filtersOnly = statuses.length < buildStatus.length;
      if (!statuses.includes(TEST_RUN_STATUS) && !filtersOnly) {
        const others = statuses.filter((s) => s !== TEST_RUN_STATUS);
        problems.push(
          `no alert will be sent for this test: the alert rule emails only when a run ends ${orList(statuses) || "(no status)"}, and a test run ends ${TEST_RUN_STATUS}. ` +
            `To test alerts, include it: \`support-job init --yes --alert-on ${[TEST_RUN_STATUS, ...others].join(",")}\`.`,
        );
      }
    }
    const projects = detail?.["project-name"];
    if (Array.isArray(projects) && projects.every((p) => typeof p === "string") && !projects.includes(state.job))
      problems.push(`the alert rule ${state.ruleName} does not match runs of job ${state.job}: ${initFix}.`);
    if (!(state.targetArns ?? []).includes(state.topicArn)) problems.push(`the alert rule ${state.ruleName} does not send to the alert topic: ${initFix}.`);
  }

  if (!state.topic) problems.push(`the alert topic ${state.topicArn} is missing: ${initFix}.`);
  else if (!eventBridgeMayPublish(state.topic.policy))
    problems.push(`the alert topic's access policy does not let EventBridge publish to it, so alerts are dropped: \`support-job init --yes\` fixes it.`);

  const subs = state.subscriptions ?? [];
  const emails = subs.filter((s) => s.Protocol === "email" && s.Endpoint);
  const recipients = emails.filter((s) => !isPending(s)).map((s) => s.Endpoint ?? "");
  const pending = emails.filter(isPending).map((s) => s.Endpoint ?? "");
  const otherEndpoints = subs.filter((s) => s.Protocol !== "email" && !isPending(s)).map((s) => `${s.Protocol ?? "?"} ${s.Endpoint ?? ""}`.trim());
  if (state.topic && recipients.length + pending.length + otherEndpoints.length === 0)
    problems.push(`no one is subscribed to the alert topic: \`support-job init --yes\` subscribes ${state.configEmail ?? "the job's address"} again.`);

  for (const email of pending)
    warnings.push(
      `${email} has not confirmed the alert subscription: the alert email cannot arrive until the link in "AWS Notification - Subscription Confirmation" (from no-reply@sns.amazonaws.com) is clicked. ` +
        `The link expires after 2 days; to get a new one: aws sns subscribe --topic-arn ${state.topicArn} --protocol email --notification-endpoint ${email} --region ${state.region}`,
    );
  const wanted = state.configEmail?.toLowerCase();
  if (state.topic && wanted && !emails.some((s) => s.Endpoint?.toLowerCase() === wanted))
    warnings.push(`${state.configEmail} (support-job.json's address) is not subscribed to the alert topic: \`support-job init --yes\` subscribes it.`);
  const webhooks: string[] = [];
  for (const hook of state.webhooks ?? []) {
    const missing = [!hook.connection && "connection", !hook.destination && "API destination", !hook.target && "alert rule target"].filter(Boolean);
    if (missing.length)
      warnings.push(`chat webhook ${hook.key} has no ${missing.join(", no ")}, so the alert cannot reach it: \`support-job init --yes\` fixes it.`);
    else webhooks.push(hook.key);
  }
  for (const key of state.configWebhooks ?? [])
    if (!(state.webhooks ?? []).some((h) => h.key === key))
      warnings.push(`chat webhook ${key} (in support-job.json) is not set up in AWS: give its URL again with \`support-job init --yes --alert-webhook URL\`.`);
  return { problems, warnings, recipients, pending, otherEndpoints, statuses, webhooks };
}

/** EventBridge publishes with the topic's policy: some Allow statement must let events.amazonaws.com call sns:Publish. */
export function eventBridgeMayPublish(policy: unknown): boolean {
  const statements = isRecord(policy) ? policy.Statement : undefined;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((s) => {
    if (!isRecord(s) || s.Effect !== "Allow") return false;
    const principal = s.Principal;
    const services = isRecord(principal) ? asList(principal.Service) : [];
    const anyone = principal === "*" || (isRecord(principal) && asList(principal.AWS).includes("*"));
    const actions = asList(s.Action).map((a) => a.toLowerCase());
    return (anyone || services.includes("events.amazonaws.com")) && actions.some((a) => a === "sns:publish" || a === "sns:*" || a === "*");
  });
}

/** "A", "A or B", "A, B or C". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1] ?? ""}`;
}

function asList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export async function runTestAlert(options: TestAlertOptions, io: Reporter): Promise<void> {
  const job = await openJob(options, io);
  const { clients, name } = job;
  const names = jobNames(name, clients.region);
  let missedRunAlarm: AlarmState | undefined;
  let alarmChat: AlarmChatRuleState | undefined;
  let retries = 0;
  const { state, account } = await io.step(
    `checking the alerts of job ${name}`,
    async (): Promise<{ state: AlertChainState; account: string }> => {
      const { where, current } = await awsCall(`Reading the alerts of job ${name}`, readJobWithIdentity(name, clients, job.config?.account, ALERT_READS));
      refuseOtherAccount(job, where.account);
      if (current.get("project") === undefined) throw noSuchJob(name, clients.region);
      const rule = current.get("alertRule") as RuleState | undefined;
      const topic = current.get("alertTopic") as TopicState | undefined;
      const subscriptions = (current.get("alertSubscription") as CurrentSubscriptions | undefined)?.all;
      missedRunAlarm = current.get("missedRunAlarm") as AlarmState | undefined;
      const chatRule = current.get("alarmChatRule") as AlarmChatRuleState | undefined;
      alarmChat = chatRule?.owner === name ? chatRule : undefined;
      retries = (current.get("project") as ProjectState | undefined)?.project.autoRetryLimit ?? 0;
      const state: AlertChainState = {
        job: name,
        region: clients.region,
        ruleName: names.alertRule,
        topicArn: jobArns(names, where).alertTopic,
        rule: rule ? { state: rule.rule.State, eventPattern: rule.rule.EventPattern } : undefined,
        targetArns: rule?.targets.flatMap((t) => (t.Arn ? [t.Arn] : [])),
        topic: topic ? { policy: topic.policy } : undefined,
        subscriptions,
        configEmail: job.config?.email,
        webhooks: webhookChains(current, name),
        // Keys only (a URL someone wrote into the file by hand is never echoed).
        configWebhooks: job.config?.alertWebhooks?.filter((k) => WEBHOOK_KEY.test(k)),
      };
      return { state, account: where.account };
    },
    { done: `read the alerts of job ${name}`, failed: `could not read the alerts of job ${name}` },
  );

  const check = checkAlertChain(state);
  for (const w of check.warnings) io.warn(w);
  if (check.problems.length) {
    if (io.json) io.printJson(testAlertToJson(name, state, check, { problems: check.problems }));
    const list = check.problems.map((p) => `  - ${p}`).join("\n");
    throw new OperationError(`The alerts of job ${name} cannot be tested, so no test run was started:\n${list}`);
  }

  const build = await startRun(clients, name, {
    overrides: {
      buildspecOverride: testAlertBuildspec(name),
      sourceTypeOverride: "NO_SOURCE",
      timeoutInMinutesOverride: 5,
      environmentVariablesOverride: [{ name: TEST_ALERT_VARIABLE, value: "1", type: "PLAINTEXT" }],
      // With --retries, the failing test run is its own last attempt: not retried, and the rule alerts on it.
      ...(retries > 0 ? { autoRetryLimitOverride: 0 } : {}),
    },
    what: `Starting the test run of job ${name}`,
    interrupted: `Interrupted while starting the test run of job ${name}: it may have started (it fails by itself); see \`support-job status\`.`,
    missing: `CodeBuild did not return the test run of job ${name}; see \`support-job status\`.`,
  });
  const id = build.id;
  const consoleUrl = buildConsoleUrl(clients.region, accountOf(build.arn) ?? account, id);
  const label = `test run #${build.buildNumber ?? "?"} of ${name}`;
  io.info(`Started ${label} (it fails on purpose; nothing of the job's script runs): ${id}`);

  // Ctrl-C stops waiting, never the run: it fails by itself and the alert goes out all the same.
  const { ended, task } = await watchStarted(io, clients, build, {
    label,
    stopped: `Stopped waiting for ${label}; it fails by itself within a few minutes, and the alert is sent then. See \`support-job status\`.`,
    show: { task: `waiting for ${label} to fail` },
  });

  const run = summariseRun(ended, { names, region: clients.region, now: new Date() });
  const after = run.durationSeconds === undefined ? "" : ` after ${formatDuration(run.durationSeconds)}`;
  const alarmTest = run.status === TEST_RUN_STATUS ? await testAlarmPath(clients, name, missedRunAlarm, alarmChat) : undefined;
  if (io.json)
    io.printJson({
      ...testAlertToJson(name, state, check, { run, consoleUrl, failedAsIntended: run.status === TEST_RUN_STATUS }),
      missedRunAlarm: alarmTest ?? null,
    });
  if (run.status === TEST_RUN_STATUS) {
    task?.succeed(`${capitalise(label)} failed as intended${after}.`);
    io.result(expectationText(check));
    const chat = chatExpectationText(check.webhooks);
    if (chat) io.result(chat);
    io.result(`  ${paint.dim("run:")} ${consoleUrl}`);
    if (alarmTest) io.result(`Missed-run alarm: ${alarmTest.said}`);
    return;
  }
  task?.fail(`${capitalise(label)} ${outcomeWord(run.status)}${after} instead of failing`);
  const failure = failureText(run);
  const alerted = run.status !== "SUCCEEDED" && (check.statuses === undefined || check.statuses.includes(run.status));
  throw new OperationError(
    `The test run of job ${name} ended ${run.status}, not ${TEST_RUN_STATUS}${failure ? ` (${failure})` : ""}, so the alert test is inconclusive` +
      `${alerted ? ` (the rule alerts on ${run.status} too, so an email may still arrive)` : ""}. Its log: support-job logs ${id}\n  ${consoleUrl}`,
  );
}

/**
 * The alarm path, end to end as CloudWatch lets one test it: SetAlarmState to ALARM (the alarm's action publishes
 * to the alert topic: an "ALARM" email), then back to the state it was in (an "OK" email when that was OK). An
 * alarm already in ALARM is left alone: a run really is missing and its email went out when it fired.
 */
async function testAlarmPath(
  clients: Clients,
  name: string,
  alarm: AlarmState | undefined,
  chatRule: AlarmChatRuleState | undefined,
): Promise<{ tested: boolean; name: string | null; before: string | null; said: string; chat: { rule: string; webhooks: number } | null }> {
  const tested = await setAlarmAndBack(clients, name, alarm);
  // The same state changes reach chat through the alarm chat rule when the alarm is one it matches: EventBridge
  // delivers them; nothing here can see a chat message arrive, only that the rule and its targets are in place.
  const matched = tested.name !== null && (chatRule?.rule.EventPattern ?? "").includes(JSON.stringify(tested.name));
  const webhooks = chatRule?.targets.length ?? 0;
  if (!tested.tested || !chatRule || !matched || webhooks === 0) return { ...tested, chat: null };
  const rule = chatRule.rule.Name ?? "";
  const off = chatRule.rule.State === "DISABLED" ? " (it is off while the job is paused: no chat message)" : "";
  return {
    ...tested,
    chat: { rule, webhooks },
    said:
      `${tested.said} The alarm chat rule ${rule} matches these changes and posts them to ${webhooks} chat ` +
      `${webhooks === 1 ? "webhook" : "webhooks"}${off}: the chat path was exercised, but support-job cannot see the messages arrive (check the channel).`,
  };
}

async function setAlarmAndBack(
  clients: Clients,
  name: string,
  alarm: AlarmState | undefined,
): Promise<{ tested: boolean; name: string | null; before: string | null; said: string }> {
  if (!alarm)
    return {
      tested: false,
      name: null,
      before: null,
      said: "none to test (not armed yet, turned off, or the schedule is not watched; see `support-job status`).",
    };
  const alarmName = alarm.alarm.AlarmName ?? "";
  const before = alarm.alarm.StateValue ?? "INSUFFICIENT_DATA";
  if (before === "ALARM")
    return { tested: false, name: alarmName, before, said: `${alarmName} is in ALARM already: a run is missing, and its email went out when it fired.` };
  const reason = `support-job test-alert: testing that the missed-run alarm of job ${name} reaches its alert topic`;
  await awsCall(`Testing the missed-run alarm ${alarmName}`, setAlarmState(clients.cloudwatch, alarmName, "ALARM", reason));
  await awsCall(
    `Setting the missed-run alarm ${alarmName} back`,
    setAlarmState(clients.cloudwatch, alarmName, before === "OK" ? "OK" : "INSUFFICIENT_DATA", reason),
  );
  return {
    tested: true,
    name: alarmName,
    before,
    said: `${alarmName} was set to ALARM and back to ${before}: an "ALARM" email${before === "OK" ? ` and an "OK" email` : ""} should arrive too.`,
  };
}

function capitalise(text: string): string {
  return `${text[0]?.toUpperCase() ?? ""}${text.slice(1)}`;
}
