/** An EventBridge rule on the default bus with one target of ours (schedule → project, alerts → topic). */
import {
  DescribeRuleCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  TagResourceCommand,
  type DescribeRuleCommandOutput,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { canonical, show } from "../plan/compare.js";
import { conflictStep, type FieldChange, type Resource, type ResourceKey, type StepContext } from "../plan/types.js";
import type { JobSpec } from "../spec/job.js";
import { TAG_KEY } from "../spec/names.js";
import { orUndefined } from "./role.js";

export interface RuleState {
  rule: DescribeRuleCommandOutput;
  owner: string | undefined;
  target: Target | undefined;
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

export function ruleResource(key: ResourceKey, label: string, pick: (spec: JobSpec) => RuleWant | undefined): Resource<RuleState> {
  return {
    key,
    label,
    async read(spec, { events }) {
      const want = pick(spec);
      if (!want) return undefined;
      const [rule, targets, tags] = await Promise.all([
        orUndefined(events.send(new DescribeRuleCommand({ Name: want.name }))),
        orUndefined(events.send(new ListTargetsByRuleCommand({ Rule: want.name }))),
        orUndefined(events.send(new ListTagsForResourceCommand({ ResourceARN: want.arn }))),
      ]);
      if (!rule) return undefined;
      return {
        rule,
        owner: tags?.Tags?.find((t) => t.Key === TAG_KEY)?.Value,
        target: targets?.Targets?.find((t) => t.Id === want.target.Id),
      };
    },
    plan(spec, current, { adopt }) {
      const want = pick(spec);
      if (!want) return { key, label, name: "", action: "unchanged", changes: [], notes: [], after: [] };
      const base = { key, label, name: want.name, arn: want.arn, notes: [] as string[], after: [] as ResourceKey[] };
      if (!current)
        return {
          ...base,
          action: "create",
          changes: [],
          apply: async (ctx) => {
            await putRule(ctx, want, "ENABLED", true);
            ctx.exists();
            await putTarget(ctx, want);
          },
        };
      if (current.owner !== spec.job && !(adopt && current.owner === undefined)) return conflictStep(key, label, want.name, current.owner, spec.job);
      const changes: FieldChange[] = [];
      const cmp = (field: string, from: unknown, to: unknown) => {
        if (show(from) !== show(to)) changes.push({ field, from: show(from), to: show(to) });
      };
      if (want.scheduleExpression) cmp("schedule", current.rule.ScheduleExpression, want.scheduleExpression);
      if (want.eventPattern) {
        const have = current.rule.EventPattern ? (JSON.parse(current.rule.EventPattern) as unknown) : undefined;
        if (canonical(have) !== canonical(want.eventPattern)) changes.push({ field: "event pattern", from: show(have), to: show(want.eventPattern) });
      }
      cmp("description", current.rule.Description, want.description);
      const ruleChanged = changes.length > 0;
      if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job });
      const targetChanged = !current.target || canonical(targetShape(current.target)) !== canonical(targetShape(want.target));
      if (targetChanged) changes.push({ field: "target", from: current.target ? show(targetShape(current.target)) : "(none)", to: show(targetShape(want.target)) });
      if (changes.length === 0) return { ...base, action: "unchanged", changes };
      return {
        ...base,
        action: "update",
        changes,
        apply: async (ctx) => {
          ctx.exists();
          const calls: Promise<unknown>[] = [];
          // PutRule replaces the whole rule: keep its state, so a paused job stays paused.
          if (ruleChanged) calls.push(putRule(ctx, want, current.rule.State === "DISABLED" ? "DISABLED" : "ENABLED", false));
          if (current.owner === undefined) calls.push(ctx.clients.events.send(new TagResourceCommand({ ResourceARN: want.arn, Tags: spec.tags })));
          if (targetChanged) calls.push(putTarget(ctx, want));
          await Promise.all(calls);
        },
      };
    },
  };
}

async function putRule(ctx: StepContext, want: RuleWant, State: "ENABLED" | "DISABLED", create: boolean): Promise<void> {
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
  const out = await ctx.clients.events.send(new PutTargetsCommand({ Rule: want.name, Targets: [want.target] }));
  const failed = out.FailedEntries?.[0];
  if (out.FailedEntryCount && failed) throw new Error(`EventBridge refused the target of ${want.name}: ${failed.ErrorCode ?? ""} ${failed.ErrorMessage ?? ""}`.trim());
}

function targetShape(t: Target): Record<string, unknown> {
  return {
    Arn: t.Arn,
    RoleArn: t.RoleArn,
    Input: t.Input,
    InputTransformer: t.InputTransformer ? { InputPathsMap: t.InputTransformer.InputPathsMap, InputTemplate: t.InputTransformer.InputTemplate } : undefined,
  };
}

export const scheduleRuleResource = ruleResource("scheduleRule", "schedule rule", (spec) => ({
  name: spec.scheduleRule.name,
  arn: spec.scheduleRule.arn,
  description: spec.scheduleRule.description,
  scheduleExpression: spec.scheduleRule.expression,
  target: { Id: spec.scheduleRule.targetId, Arn: spec.scheduleRule.targetArn, RoleArn: spec.scheduleRule.roleArn },
  targetAfter: "scheduleRole",
}));

export const alertRuleResource = ruleResource("alertRule", "alert rule", (spec) => ({
  name: spec.alertRule.name,
  arn: spec.alertRule.arn,
  description: spec.alertRule.description,
  eventPattern: spec.alertRule.eventPattern,
  target: {
    Id: spec.alertRule.targetId,
    Arn: spec.alertRule.targetArn,
    InputTransformer: { InputPathsMap: spec.alertRule.inputPathsMap, InputTemplate: spec.alertRule.inputTemplate },
  },
  targetAfter: "alertTopic",
}));
