/**
 * The alarm chat rule: for a job with chat webhooks and at least one alarm, an EventBridge rule on the default bus
 * matching "CloudWatch Alarm State Change" of the job's alarms (missed-run, start-refused) into ALARM or OK, with one
 * target per webhook: its API destination, the chat role, and an input transformer that builds the chat service's
 * JSON (desired/chat.ts missedRunAlarmTransformer). The desired rule is spec.alarmChat (desired/job.ts).
 *
 * An API destination's ARN ends in an id AWS makes: the read lists the job's destinations (only when the rule
 * exists) so the plan compares each target with the destination it should point at; a target whose destination
 * is about to be made is put once the chat webhooks step has made it (DescribeApiDestination gives its ARN).
 * Order with the chat webhooks step: this step removes targets of webhooks that are gone, then says it is done
 * with them (ctx.exists), and only then does that step delete their destinations.
 */
import {
  DescribeApiDestinationCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  type DescribeRuleCommandOutput,
  type Target,
} from "@aws-sdk/client-eventbridge";
import type { Clients } from "../aws/clients.js";
import { orMissing } from "../aws/errors.js";
import type { AlarmChatSpec, AlarmChatTargetSpec } from "../desired/job.js";
import { chatTarget, jobDestinations, targetShape } from "./chat.js";
import { deleteRule, putRule, putTargets as putRuleTargets, readRule, ruleChanges, ruleRemoval } from "./rule.js";
import {
  absentStep,
  conflictStep,
  isForeign,
  plural,
  updateOrUnchanged,
  type JobRef,
  type PlanStep,
  type ReadScope,
  type Resource,
  type StepContext,
} from "./types.js";

export interface AlarmChatRuleState {
  rule: DescribeRuleCommandOutput;
  owner: string | undefined;
  targets: Target[];
  /** The job's API destinations by name → ARN (read only when the rule exists). */
  destinations: ReadonlyMap<string, string>;
}

const KEY = "alarmChatRule" as const;
const LABEL = "alarm chat rule";

async function readAlarmChatRule(ref: JobRef, events: Clients["events"], scope?: ReadScope): Promise<AlarmChatRuleState | undefined> {
  // Most jobs have no chat webhooks, so no such rule: its targets, tags and the job's API destinations only once it
  // is found, all three at once.
  const found = await readRule(events, ref.names.alarmChatRule, ref.arns.alarmChatRule, {
    key: KEY,
    scope,
    gated: true,
    // The chat webhooks' thorough read (destroy) lists them too: one list serves both.
    found: () => jobDestinations(events, ref.job, scope),
  });
  if (!found) return undefined;
  const { also: listed = [], ...rule } = found;
  const destinations = new Map<string, string>();
  for (const d of listed) if (d.Name && d.ApiDestinationArn) destinations.set(d.Name, d.ApiDestinationArn);
  return { ...rule, destinations };
}

/** Whether the deployed target is the wanted one: its ARN is the listed destination's (an unlisted destination never matches). */
function targetMatches(want: AlarmChatSpec, t: AlarmChatTargetSpec, have: Target | undefined, destinations: ReadonlyMap<string, string>): boolean {
  if (!have) return false;
  const arn = destinations.get(t.destinationName);
  if (arn === undefined) return false;
  return targetShape(have) === targetShape(chatTarget(want, t, arn));
}

/** Once the chat webhooks step has made their API destinations: each target with its destination's ARN. */
async function putTargets(ctx: StepContext, want: AlarmChatSpec, put: readonly AlarmChatTargetSpec[], known: ReadonlyMap<string, string>): Promise<void> {
  if (put.length === 0) return;
  await ctx.waitFor("chatWebhooks");
  const { events } = ctx.clients;
  const targets = await Promise.all(
    put.map(async (t) => {
      const arn = known.get(t.destinationName) ?? (await events.send(new DescribeApiDestinationCommand({ Name: t.destinationName }))).ApiDestinationArn;
      if (!arn) throw new Error(`EventBridge gave no ARN for the API destination ${t.destinationName}`);
      return chatTarget(want, t, arn);
    }),
  );
  await putRuleTargets(ctx, want.name, targets);
}

function planAlarmChatRule(
  spec: Parameters<Resource<AlarmChatRuleState>["plan"]>[0],
  current: AlarmChatRuleState | undefined,
  adopt: boolean,
  paused: boolean,
): PlanStep {
  const name = spec.names.alarmChatRule;
  const want = spec.alarmChat;
  const base = { key: KEY, label: LABEL, name, arn: spec.arns.alarmChatRule, notes: [] as string[], after: [] };
  if (!want) {
    // Removed when the webhooks or the alarms go; one that is not the job's is not part of it.
    if (!current || current.owner !== spec.job) return absentStep(KEY, LABEL, name);
    return { ...base, action: "delete", changes: [], apply: async (ctx) => void (await deleteRule(ctx.clients.events, name)) };
  }
  // A paused job sends nothing about its alarms (their actions are off too); resume turns the rule back on.
  const state = paused ? "DISABLED" : "ENABLED";
  if (!current)
    return {
      ...base,
      action: "create",
      changes: [],
      notes: [
        `posts the state changes of ${(want.eventPattern.detail as { alarmName: string[] }).alarmName.join(" and ")} to ${plural(want.targets.length, "chat webhook")}`,
      ],
      apply: async (ctx) => {
        await putRule(ctx, want, state, true);
        ctx.exists();
        await putTargets(ctx, want, want.targets, new Map());
      },
    };
  if (isForeign(current.owner, spec.job, adopt)) return conflictStep(KEY, LABEL, name, current.owner, spec.job);
  // Pause and resume set the state themselves; the plan only puts it right when it differs from the schedule's.
  const stateChanged = (current.rule.State === "DISABLED" ? "DISABLED" : "ENABLED") !== state;
  const stateChange = stateChanged ? [{ field: "state", from: current.rule.State ?? "(none)", to: state }] : [];
  const { changes, ruleChanged } = ruleChanges(current, want, spec.job, stateChange);
  const put = want.targets.filter(
    (t) =>
      !targetMatches(
        want,
        t,
        current.targets.find((h) => h.Id === t.targetId),
        current.destinations,
      ),
  );
  for (const t of put)
    changes.push({ field: `${t.key} target`, from: current.targets.some((h) => h.Id === t.targetId) ? "current" : "(none)", to: "chat message of the alarms" });
  const stale = current.targets.filter((h) => h.Id && !want.targets.some((t) => t.targetId === h.Id));
  for (const h of stale) changes.push({ field: `target ${h.Id ?? ""}`, from: "current", to: "(removed)" });
  return updateOrUnchanged(
    base,
    changes,
    async (ctx) => {
      const { events } = ctx.clients;
      await Promise.all([
        (ruleChanged || stateChanged) && putRule(ctx, want, state, false),
        current.owner === undefined && events.send(new TagResourceCommand({ ResourceARN: want.arn, Tags: spec.tags })),
        stale.length > 0 && orMissing(events.send(new RemoveTargetsCommand({ Rule: name, Ids: stale.map((h) => h.Id ?? "") }))),
      ]);
      // Done with the targets of removed webhooks: the chat webhooks step may now delete their destinations.
      ctx.exists();
      await putTargets(ctx, want, put, current.destinations);
    },
    { existsFirst: false },
  );
}

export const alarmChatRuleResource: Resource<AlarmChatRuleState> = {
  key: KEY,
  label: LABEL,
  nameOf: (ref) => ref.names.alarmChatRule,
  read: (ref, { events }, scope) => readAlarmChatRule(ref, events, scope),
  plan: (spec, current, { adopt, paused }) => planAlarmChatRule(spec, current, adopt, paused ?? false),
  // Stage 1 with the other rules (targets first), before stage 2 deletes the API destinations they point at.
  remove: (current, ref) => ruleRemoval(KEY, LABEL, ref.names.alarmChatRule, ref.job, current),
};
