/** Pure renderers of `support-job test-alert`: where the alert goes, and the command's --json document. */
import type { RunSummary } from "../runs/history.js";
import { runToJson } from "./runs.js";

/** Who the alert chain reaches, as test-alert read it. */
export interface AlertRecipients {
  /** Confirmed email addresses. */
  recipients: readonly string[];
  /** Email addresses still pending confirmation. */
  pending: readonly string[];
  /** Confirmed subscriptions other than email. */
  otherEndpoints: readonly string[];
  /** Chat webhooks whose connection, API destination and rule target are in place. */
  webhooks?: readonly string[] | undefined;
}

/**
 * What test-alert can say of each chat webhook: the failed run's event goes through the same alert rule to it, but
 * whether the chat service accepted the post is not visible to support-job (EventBridge counts failed deliveries in
 * the rule's FailedInvocations metric, and retries as the target's RetryPolicy says).
 */
export function chatExpectationText(webhooks: readonly string[]): string | undefined {
  if (webhooks.length === 0) return undefined;
  return (
    `Expect a chat message through ${webhooks.join(", ")} within a minute: the same alert rule posts the run's failure to ${webhooks.length === 1 ? "it" : "each"}. ` +
    `support-job checked that each connection, API destination and rule target is in place; it cannot see whether the chat service accepted the post ` +
    `(if nothing arrives, the alert rule's FailedInvocations metric in CloudWatch counts refused deliveries).`
  );
}

/** Where the alert goes, in one sentence, once the test run has failed. */
export function expectationText(check: AlertRecipients): string {
  if (check.recipients.length === 0 && check.otherEndpoints.length === 0)
    return `No alert email can arrive: ${check.pending.join(", ")} ${check.pending.length === 1 ? "has" : "have"} not confirmed the subscription (see above). Confirm it, then run \`support-job test-alert\` again.`;
  const to = [...check.recipients, ...check.otherEndpoints];
  const also = check.pending.length ? ` ${check.pending.join(", ")} will not get it (not confirmed).` : "";
  return `Expect the alert email at ${to.join(", ")} within a minute or two (subject "AWS Notification Message", from no-reply@sns.amazonaws.com); if none arrives, look in the spam folder.${also}`;
}

/**
 * test-alert's --json document: the alert chain, and either why no run was started (`problems`) or the test run
 * and whether it failed as intended.
 */
export function testAlertToJson(
  name: string,
  chain: { ruleName: string; topicArn: string },
  check: AlertRecipients & { statuses: readonly string[] | undefined },
  outcome: { problems: readonly string[] } | { run: RunSummary; consoleUrl: string; failedAsIntended: boolean },
): Record<string, unknown> {
  const alert = {
    rule: chain.ruleName,
    topicArn: chain.topicArn,
    alertOn: check.statuses ?? null,
    recipients: check.recipients,
    pendingConfirmation: check.pending,
    otherSubscriptions: check.otherEndpoints,
    emailCanArrive: check.recipients.length > 0,
    chatWebhooks: check.webhooks ?? [],
  };
  if ("problems" in outcome) return { name, started: false, problems: outcome.problems, alert };
  return { name, started: true, failedAsIntended: outcome.failedAsIntended, run: { ...runToJson(outcome.run), consoleUrl: outcome.consoleUrl }, alert };
}
