/**
 * EventBridge answers PutTargets and RemoveTargets with 200 and the targets it refused (FailedEntries): moto never
 * refuses one, so the SDK's transport is replaced here (aws-sdk-client-mock) and the real rule code runs.
 */
import { DeleteRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientsForMocks } from "../../helpers/mocked-clients.js";
import type { Clients } from "../../../src/aws/clients.js";
import { deleteRule, putTargets } from "../../../src/resources/rule.js";
import type { StepContext } from "../../../src/resources/types.js";

const events = mockClient(EventBridgeClient);
let clients: Clients;

beforeAll(async () => {
  clients = await clientsForMocks();
});
afterEach(() => events.reset());

const refused = { FailedEntryCount: 1, FailedEntries: [{ TargetId: "alert-topic", ErrorCode: "ValidationException", ErrorMessage: "Target is invalid" }] };

describe("a target EventBridge refuses is an error that names it", () => {
  const ctx = () => ({ clients, waiting: () => undefined, sleep: () => Promise.resolve() }) as unknown as StepContext;

  it("PutTargets: the target, the rule, and EventBridge's reason", async () => {
    events.on(PutTargetsCommand).resolves(refused);
    await expect(putTargets(ctx(), "support-job-nightly-alerts", [{ Id: "alert-topic", Arn: "arn:aws:sns:us-east-1:123456789012:t" }])).rejects.toThrow(
      /^EventBridge refused target alert-topic of support-job-nightly-alerts: ValidationException Target is invalid$/,
    );
    events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
    await expect(
      putTargets(ctx(), "support-job-nightly-alerts", [{ Id: "alert-topic", Arn: "arn:aws:sns:us-east-1:123456789012:t" }]),
    ).resolves.toBeUndefined();
  });

  it("RemoveTargets before a rule's deletion: the rule is not deleted, and the target it kept is named", async () => {
    events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: "alert-topic", Arn: "arn:aws:sns:us-east-1:123456789012:t" }] });
    events.on(RemoveTargetsCommand).resolves(refused);
    events.on(DeleteRuleCommand).resolves({});
    await expect(deleteRule(clients.events, "support-job-nightly-alerts")).rejects.toThrow(
      /^EventBridge kept target alert-topic of support-job-nightly-alerts: ValidationException Target is invalid$/,
    );
    expect(events.commandCalls(DeleteRuleCommand)).toHaveLength(0);
  });
});
