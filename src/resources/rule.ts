/** An EventBridge rule on the default bus with one target of ours (schedule → project, alerts → topic). */
import type { Clients } from "../aws/clients.js";
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  type DescribeRuleCommandOutput,
  type ListTargetsByRuleCommandOutput,
  type PutTargetsCommandOutput,
  type RemoveTargetsCommandOutput,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { canonical, objectChanges, show } from "./compare.js";
import {
  replacedStep,
  conflictStep,
  updateOrUnchanged,
  fieldChanges,
  isForeign,
  named,
  plural,
  readScope,
  removalStep,
  thenIfFound,
  type FieldChange,
  type Owned,
  type ReadScope,
  type RemovalStep,
  type Resource,
  type ResourceKey,
  type ScheduleState,
  type StepContext,
} from "./types.js";
import { ALERT_TARGET_ID, SCHEDULE_TARGET_ID, type JobSpec } from "../desired/job.js";
import { TAG_KEY, type JobArns, type JobNames } from "../desired/names.js";
import { orMissing } from "../aws/errors.js";
import { waitForRolePropagation } from "../aws/propagation.js";

export interface RuleState extends Owned {
  rule: DescribeRuleCommandOutput;
  target: Target | undefined;
  /** Every target of the rule, ours and any other (destroy removes them all with the rule). */
  targets: Target[];
}

/** A rule's targets (undefined: no such rule), asked once per read of the job: the chat webhooks' read needs the alert rule's too. */
export function ruleTargets(events: Clients["events"], Rule: string, scope: ReadScope = readScope()): Promise<ListTargetsByRuleCommandOutput | undefined> {
  return scope.once(`events.ListTargetsByRule ${Rule}`, () => orMissing(events.send(new ListTargetsByRuleCommand({ Rule }))));
}

/**
 * A rule of the job (undefined: none): the rule, its owner tag and every target. Every rule module reads through it.
 * `gated`: for a rule most jobs do not have (the alarm chat rule), its targets and tags only once DescribeRule found it,
 * or with it when the scope expects the rule (`key`); `found` is then called alongside them, for what else the caller
 * reads only when the rule exists.
 */
export async function readRule<Also = undefined>(
  events: Clients["events"],
  Name: string,
  arn: string,
  options: { key: ResourceKey; scope?: ReadScope | undefined; gated?: boolean; found?: () => Promise<Also> },
): Promise<(Omit<RuleState, "target"> & { also: Also | undefined }) | undefined> {
  const { key, scope = readScope(), gated = false } = options;
  const got = await thenIfFound(
    scope,
    key,
    orMissing(events.send(new DescribeRuleCommand({ Name }))),
    () => Promise.all([ruleTargets(events, Name, scope), orMissing(events.send(new ListTagsForResourceCommand({ ResourceARN: arn }))), options.found?.()]),
    !gated,
  );
  if (!got) return undefined;
  const [rule, [targets, tags, also]] = got;
  return { rule, owner: tags?.Tags?.find((t) => t.Key === TAG_KEY)?.Value, targets: targets?.Targets ?? [], also };
}

interface RuleWant {
  name: string;
  arn: string;
  description: string;
  scheduleExpression?: string;
  eventPattern?: Record<string, unknown>;
  target: Target;
  /** The target needs this resource to exist first (its role, or its topic). */
  targetAfter: ResourceKey;
}

interface RuleOptions {
  /** Both its name in JobNames and its ARN in JobArns. */
  key: "scheduleRule" | "alertRule";
  label: string;
  targetId: string;
  pick: (spec: JobSpec) => RuleWant | undefined;
  /** When the rule is no longer wanted (the schedule moved to EventBridge Scheduler), delete it after this step. */
  replacedBy?: ResourceKey;
}

function ruleResource({ key, label, targetId, pick, replacedBy }: RuleOptions): Resource<RuleState> {
  const nameOf = (names: JobNames) => names[key];
  const arnOf = (arns: JobArns) => arns[key];
  return {
    ...named(key, label),
    async read(ref, { events }, scope) {
      const found = await readRule(events, nameOf(ref.names), arnOf(ref.arns), { key, scope });
      if (!found) return undefined;
      const { rule, owner, targets } = found;
      return { rule, owner, targets, target: targets.find((t) => t.Id === targetId) };
    },
    plan(spec, current, { adopt, paused }) {
      const want = pick(spec);
      if (!want) {
        const name = nameOf(spec.names);
        return replacedStep(key, label, name, current?.owner === spec.job, replacedBy, (ctx) => deleteRule(ctx.clients.events, name));
      }
      const base = { key, label, name: want.name, arn: want.arn, notes: [] as string[], after: [] as ResourceKey[] };
      if (!current)
        return {
          ...base,
          action: "create",
          changes: [],
          notes: paused && want.scheduleExpression ? ["created paused, like the schedule it replaces (support-job resume turns it on)"] : [],
          apply: async (ctx) => {
            // A schedule rule replacing a paused time-zone schedule starts paused; the alert rule is never paused.
            await putRule(ctx, want, paused && want.scheduleExpression ? "DISABLED" : "ENABLED", true);
            ctx.exists();
            await putTarget(ctx, want);
          },
        };
      if (isForeign(current.owner, spec.job, adopt)) return conflictStep(key, label, want.name, current.owner, spec.job);
      const { changes, ruleChanged } = ruleChanges(current, want, spec.job);
      const targetChanged = !current.target || canonical(targetShape(current.target)) !== canonical(targetShape(want.target));
      if (targetChanged)
        changes.push(
          ...(current.target
            ? objectChanges("target", targetShape(current.target), targetShape(want.target))
            : [{ field: "target", from: "(none)", to: show(targetShape(want.target)) }]),
        );
      return updateOrUnchanged(base, changes, (ctx) =>
        Promise.all([
          // PutRule replaces the whole rule: keep its state, so a paused job stays paused.
          ruleChanged && putRule(ctx, want, current.rule.State === "DISABLED" ? "DISABLED" : "ENABLED", false),
          current.owner === undefined && ctx.clients.events.send(new TagResourceCommand({ ResourceARN: want.arn, Tags: spec.tags })),
          targetChanged && putTarget(ctx, want),
        ]),
      );
    },
    remove: (current, ref) => ruleRemoval(key, label, nameOf(ref.names), ref.job, current),
  };
}

/**
 * What differs in a rule of the job that a plan compares the same way for every rule: its schedule or event pattern
 * and description (`ruleChanged`: PutRule is due), then `more` (what only the caller compares), then the job's tag
 * on an untagged (adopted) rule.
 */
export function ruleChanges(
  current: Pick<RuleState, "rule" | "owner">,
  want: Pick<RuleWant, "description" | "scheduleExpression" | "eventPattern">,
  job: string,
  more: readonly FieldChange[] = [],
): { changes: FieldChange[]; ruleChanged: boolean } {
  const { changes, compare: cmp } = fieldChanges();
  if (want.scheduleExpression) cmp("schedule", current.rule.ScheduleExpression, want.scheduleExpression);
  if (want.eventPattern) {
    const have = current.rule.EventPattern ? (JSON.parse(current.rule.EventPattern) as unknown) : undefined;
    if (canonical(have) !== canonical(want.eventPattern)) changes.push({ field: "event pattern", from: show(have), to: show(want.eventPattern) });
  }
  cmp("description", current.rule.Description, want.description);
  const ruleChanged = changes.length > 0;
  changes.push(...more);
  if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: job });
  return { changes, ruleChanged };
}

/** What destroy does with a rule of the job: at stage 1, its targets first (deleteRule), when it is the job's. */
export function ruleRemoval(key: ResourceKey, label: string, name: string, job: string, current: Pick<RuleState, "owner" | "targets">): RemovalStep[] {
  const count = current.targets.length;
  return [
    removalStep(job, current.owner, {
      key,
      label,
      name,
      details: count ? [plural(count, "target")] : [],
      stage: 1,
      run: async ({ events }) => void (await deleteRule(events, name)),
    }),
  ];
}

/** PutRule for any rule of the job (a schedule, or an event pattern): the job's tags on create only. */
export async function putRule(
  ctx: StepContext,
  want: Pick<RuleWant, "name" | "description" | "scheduleExpression" | "eventPattern">,
  State: "ENABLED" | "DISABLED",
  create: boolean,
): Promise<void> {
  await ctx.clients.events.send(
    new PutRuleCommand({
      Name: want.name,
      Description: want.description,
      State,
      ...(want.scheduleExpression ? { ScheduleExpression: want.scheduleExpression } : {}),
      ...(want.eventPattern ? { EventPattern: JSON.stringify(want.eventPattern) } : {}),
      // Tags are ignored by PutRule on update; sent on create only.
      ...(create ? { Tags: ctx.spec.tags } : {}),
    }),
  );
}

async function putTarget(ctx: StepContext, want: RuleWant): Promise<void> {
  await ctx.waitFor(want.targetAfter);
  await putTargets(ctx, want.name, [want.target], () => `EventBridge refused the target of ${want.name}`);
}

/**
 * PutTargets on a rule of the job, retried while EventBridge cannot assume a new role yet. A target it refuses
 * (FailedEntries: the call itself succeeds) is an error, `refused` saying which.
 */
export async function putTargets(
  ctx: StepContext,
  Rule: string,
  Targets: Target[],
  refused = (targetId: string) => `EventBridge refused target ${targetId} of ${Rule}`,
): Promise<void> {
  const out = await waitForRolePropagation("EventBridge", ctx, () => ctx.clients.events.send(new PutTargetsCommand({ Rule, Targets })));
  throwFailedEntry(out, refused);
}

/** PutTargets and RemoveTargets answer with the targets they refused: the first of them as an error. */
function throwFailedEntry(out: PutTargetsCommandOutput | RemoveTargetsCommandOutput | undefined, what: (targetId: string) => string): void {
  const failed = out?.FailedEntries?.[0];
  if (out?.FailedEntryCount && failed) throw new Error(`${what(failed.TargetId ?? "")}: ${failed.ErrorCode ?? ""} ${failed.ErrorMessage ?? ""}`.trim());
}

function targetShape(t: Target): Record<string, unknown> {
  return {
    Arn: t.Arn,
    RoleArn: t.RoleArn,
    Input: t.Input,
    InputTransformer: t.InputTransformer ? { InputPathsMap: t.InputTransformer.InputPathsMap, InputTemplate: t.InputTransformer.InputTemplate } : undefined,
  };
}

export const scheduleRuleResource = ruleResource({
  key: "scheduleRule",
  label: "schedule rule",
  targetId: SCHEDULE_TARGET_ID,
  replacedBy: "schedule",
  pick: ({ scheduleRule: rule }) =>
    rule && {
      name: rule.name,
      arn: rule.arn,
      description: rule.description,
      scheduleExpression: rule.expression,
      target: { Id: rule.targetId, Arn: rule.targetArn, RoleArn: rule.roleArn },
      targetAfter: "scheduleRole",
    },
});

export const alertRuleResource = ruleResource({
  key: "alertRule",
  label: "alert rule",
  targetId: ALERT_TARGET_ID,
  pick: ({ alertRule: rule }) => ({
    name: rule.name,
    arn: rule.arn,
    description: rule.description,
    eventPattern: rule.eventPattern,
    target: { Id: rule.targetId, Arn: rule.targetArn, InputTransformer: { InputPathsMap: rule.inputPathsMap, InputTemplate: rule.inputTemplate } },
    targetAfter: "alertTopic",
  }),
});

/** pause / resume: the rule on or off, nothing else about it changed. */
export async function setRuleState(events: Clients["events"], Name: string, State: ScheduleState): Promise<void> {
  await events.send(State === "ENABLED" ? new EnableRuleCommand({ Name }) : new DisableRuleCommand({ Name }));
}

/** Targets first (listed at delete time): EventBridge refuses to delete a rule that still has any. */
export async function deleteRule(events: Clients["events"], Name: string): Promise<boolean> {
  const targets = await orMissing(events.send(new ListTargetsByRuleCommand({ Rule: Name })));
  if (!targets) return false;
  const Ids = (targets.Targets ?? []).map((t) => t.Id ?? "").filter(Boolean);
  if (Ids.length) {
    const removed = await orMissing(events.send(new RemoveTargetsCommand({ Rule: Name, Ids })));
    throwFailedEntry(removed, (targetId) => `EventBridge kept target ${targetId} of ${Name}`);
  }
  return (await orMissing(events.send(new DeleteRuleCommand({ Name })))) !== undefined;
}

/**
 * Every job that still has an alert rule in the region, by the rule's own tag: every job has one, whatever its
 * schedule's kind, so a job whose CodeBuild project was deleted by hand is still found.
 */
export async function jobsWithAlertRules(events: Clients["events"]): Promise<string[]> {
  const rules: { name: string; arn: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await events.send(new ListRulesCommand({ NamePrefix: "support-job-", NextToken }));
    for (const r of page.Rules ?? []) if (r.Name?.endsWith("-alerts") && r.Arn) rules.push({ name: r.Name, arn: r.Arn });
    NextToken = page.NextToken;
  } while (NextToken);
  const owners = await Promise.all(
    rules.map(async ({ name, arn }) => {
      const tags = await orMissing(events.send(new ListTagsForResourceCommand({ ResourceARN: arn })));
      const job = tags?.Tags?.find((t) => t.Key === TAG_KEY)?.Value;
      return job !== undefined && name === `support-job-${job}-alerts` ? job : undefined;
    }),
  );
  return [...new Set(owners.filter((job): job is string => job !== undefined))].sort();
}
