/**
 * The job's log group `/aws/codebuild/<job>`: created by init with the job's tag and retention, because CodeBuild
 * would create it on the first run with none (its logs, and their cost, would grow forever).
 */
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Clients } from "../aws/clients.js";
import { isAlreadyExists, orMissing } from "../aws/errors.js";
import { TAG_KEY } from "../desired/names.js";
import type { LogGroupSpec } from "../desired/job.js";
import { conflictStep, updateOrUnchanged, named, type FieldChange, type Owned, type Resource, type StepContext } from "./types.js";

export interface LogGroupState extends Owned {
  /** undefined: the logs never expire. */
  retentionInDays: number | undefined;
}

const LABEL = "log group";

const retentionText = (days: number | undefined) => (days === undefined ? "never expire" : `${days} days`);

export const logGroupResource: Resource<LogGroupState> = {
  ...named("logGroup", LABEL),
  read: (ref, { logs }) => readLogGroup(logs, ref.names.logGroup, ref.arns.logGroup),
  plan(spec, current) {
    const want = spec.logGroup;
    const base = { key: "logGroup" as const, label: LABEL, name: want.name, arn: want.arn, notes: [] as string[], after: [] };
    if (!current) return { ...base, action: "create", changes: [], apply: (ctx) => createLogGroup(ctx, want) };
    // CodeBuild itself creates the group, untagged, on a job's first run: a job from before init made it is taken
    // over like that (its name is the project's, which the project's own ownership check guards); another job's, never.
    if (current.owner !== undefined && current.owner !== spec.job) return conflictStep("logGroup", LABEL, want.name, current.owner, spec.job);
    const changes: FieldChange[] = [];
    if (current.retentionInDays !== want.retentionInDays)
      changes.push({ field: "retention", from: retentionText(current.retentionInDays), to: retentionText(want.retentionInDays) });
    if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job });
    return updateOrUnchanged(base, changes, (ctx) =>
      Promise.all([
        current.retentionInDays !== want.retentionInDays && setRetention(ctx.clients.logs, want),
        current.owner === undefined && ctx.clients.logs.send(new TagResourceCommand({ resourceArn: want.arn, tags: tagMap(ctx) })),
      ]),
    );
  },
  // Only with --delete-logs (plan/destroy.ts leaves this step out otherwise): the runs' logs are the job's record.
  deleteAt: { stage: 2, details: ["every run's log"], run: ({ logs }, ref) => deleteLogGroup(logs, ref.names.logGroup) },
};

/** DescribeLogGroups by prefix (the exact name among the answers) and the tags, in parallel: the ARN is known. */
async function readLogGroup(logs: Clients["logs"], name: string, arn: string): Promise<LogGroupState | undefined> {
  const [groups, tags] = await Promise.all([
    logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name })),
    orMissing(logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))),
  ]);
  const group = groups.logGroups?.find((g) => g.logGroupName === name);
  if (!group) return undefined;
  return { retentionInDays: group.retentionInDays, owner: tags?.tags?.[TAG_KEY] };
}

const tagMap = (ctx: StepContext): Record<string, string> => Object.fromEntries(ctx.spec.tags.map((t) => [t.Key, t.Value]));

async function createLogGroup(ctx: StepContext, want: LogGroupSpec): Promise<void> {
  try {
    await ctx.clients.logs.send(new CreateLogGroupCommand({ logGroupName: want.name, tags: tagMap(ctx) }));
  } catch (error) {
    // A retried create whose first attempt did land, or a first run that beat us to it: tag it and go on.
    if (!isAlreadyExists(error)) throw error;
    await ctx.clients.logs.send(new TagResourceCommand({ resourceArn: want.arn, tags: tagMap(ctx) }));
  }
  ctx.exists();
  if (want.retentionInDays !== undefined) await setRetention(ctx.clients.logs, want);
}

/** Kept in step with the setting: a retention policy, or none (never expire). */
function setRetention(logs: Clients["logs"], want: LogGroupSpec): Promise<unknown> {
  return want.retentionInDays === undefined
    ? logs.send(new DeleteRetentionPolicyCommand({ logGroupName: want.name }))
    : logs.send(new PutRetentionPolicyCommand({ logGroupName: want.name, retentionInDays: want.retentionInDays }));
}

/** destroy --delete-logs: the group and every run's log in it. */
async function deleteLogGroup(logs: Clients["logs"], name: string): Promise<void> {
  await orMissing(logs.send(new DeleteLogGroupCommand({ logGroupName: name })));
}
