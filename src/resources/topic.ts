/** The alert topic (with a policy that lets EventBridge publish) and its email subscription. */
import type { Clients } from "../aws/clients.js";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  type Subscription,
} from "@aws-sdk/client-sns";
import { parsePolicyText, policyDiff, samePolicy } from "./compare.js";
import {
  conflictStep,
  createStep,
  updateOrUnchanged,
  isForeign,
  named,
  readScope,
  readTagged,
  removalStep,
  tagValue,
  type FieldChange,
  type Owned,
  type ReadScope,
  type Resource,
} from "./types.js";
import { createHash } from "node:crypto";
import { SUBSCRIBED_TAG_KEY, TAG_KEY } from "../desired/names.js";
import { orMissing } from "../aws/errors.js";

export interface TopicState extends Owned {
  policy: unknown;
}

const TOPIC = "alert topic";

/** The topic's tags: its owner, and the addresses support-job subscribed. Asked once per read of the job (the topic's and the subscription's reads). */
function topicTags(sns: Clients["sns"], ResourceArn: string, scope: ReadScope = readScope()) {
  return scope.once(`sns.ListTagsForResource ${ResourceArn}`, () => orMissing(sns.send(new ListTagsForResourceCommand({ ResourceArn }))));
}

export const alertTopicResource: Resource<TopicState> = {
  ...named("alertTopic", TOPIC),
  async read(ref, { sns }, scope) {
    const topic = await readTagged(
      orMissing(sns.send(new GetTopicAttributesCommand({ TopicArn: ref.arns.alertTopic }))),
      topicTags(sns, ref.arns.alertTopic, scope),
    );
    return topic && { policy: parsePolicyText(topic.found.Attributes?.Policy), owner: topic.owner };
  },
  plan(spec, current, { adopt }) {
    const want = spec.alertTopic;
    const base = { key: "alertTopic" as const, label: TOPIC, name: want.name, arn: want.arn, notes: [], after: [] };
    if (!current)
      return createStep(base, async (ctx) => {
        // One call: CreateTopic takes the policy and tags (the address it is about to subscribe included), and is idempotent.
        await ctx.clients.sns.send(
          new CreateTopicCommand({
            Name: want.name,
            Attributes: { Policy: JSON.stringify(want.policy) },
            Tags: [...spec.tags, { Key: SUBSCRIBED_TAG_KEY, Value: recordOf(spec.alertEmail) }],
          }),
        );
        ctx.exists();
      });
    if (isForeign(current.owner, spec.job, adopt)) return conflictStep("alertTopic", TOPIC, want.name, current.owner, spec.job);
    const changes: FieldChange[] = [];
    if (!samePolicy(current.policy, want.policy)) changes.push({ field: "access policy", from: "current", to: policyDiff(current.policy, want.policy) });
    if (current.owner === undefined) changes.push({ field: `tag ${TAG_KEY}`, from: "(none)", to: spec.job });
    return updateOrUnchanged(base, changes, (ctx) =>
      Promise.all([
        !samePolicy(current.policy, want.policy) &&
          ctx.clients.sns.send(new SetTopicAttributesCommand({ TopicArn: want.arn, AttributeName: "Policy", AttributeValue: JSON.stringify(want.policy) })),
        current.owner === undefined && ctx.clients.sns.send(new TagResourceCommand({ ResourceArn: want.arn, Tags: spec.tags })),
      ]),
    );
  },
  // The subscriptions (every protocol, anyone's) go with the topic.
  remove(current, ref, read) {
    const arn = ref.arns.alertTopic;
    const subs = (read.get("alertSubscription") as CurrentSubscriptions | undefined)?.all ?? [];
    return [
      removalStep(ref.job, current.owner, {
        key: "alertTopic",
        label: TOPIC,
        name: ref.names.alertTopic,
        details: subs.map((s) => `${isPending(s) ? "pending " : ""}subscription ${s.Endpoint ?? s.Protocol ?? ""}`.trim()),
        stage: 2,
        run: async ({ sns }) => {
          // Confirmed subscriptions first (listed again: some may be new); a pending one has no ARN to unsubscribe and goes with the topic.
          const now = (await listSubscriptions(sns, arn)) ?? [];
          await Promise.all(now.filter((s) => !isPending(s)).map((s) => orMissing(sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn })))));
          await orMissing(sns.send(new DeleteTopicCommand({ TopicArn: arn })));
        },
      }),
    ];
  },
};

/** What the topic holds (one address's confirmed/pending/missing is `SubscriptionState`, in deployed/status.ts). */
export interface CurrentSubscriptions {
  /** The topic's email subscriptions, support-job's and anyone else's. */
  emails: Subscription[];
  /** Every subscription of the topic, whatever its protocol. */
  all: Subscription[];
  /** The addresses support-job subscribed and has not removed yet (the topic's tag); undefined: never recorded. */
  recorded: string[] | undefined;
}

/** A pending email subscription has no ARN yet: SNS reports "PendingConfirmation" in its place. */
export function isPending(sub: Subscription): boolean {
  return !sub.SubscriptionArn || !sub.SubscriptionArn.startsWith("arn:");
}

/** SNS tag values allow letters, digits, spaces and `_.:/=+-@`: an address with other characters is kept as its hash. */
function recordOf(email: string): string {
  const lower = email.toLowerCase();
  return /^[\p{L}\p{N}_.:/=+\-@]+$/u.test(lower) ? lower : `sha256:${createHash("sha256").update(lower).digest("hex").slice(0, 32)}`;
}

function parseRecord(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(" ").filter(Boolean);
}

/** Whether support-job subscribed this address (it says so in the topic's tag). */
export function isRecorded(recorded: readonly string[] | undefined, endpoint: string | undefined): boolean {
  return Boolean(endpoint && recorded?.includes(recordOf(endpoint)));
}

/** Tag values are at most 256 characters: the newest addresses first, older ones dropped if they do not fit. */
function recordValue(entries: string[]): string {
  let value = "";
  for (const e of [...new Set(entries)]) if ((value ? value.length + 1 : 0) + e.length <= 256) value = value ? `${value} ${e}` : e;
  return value;
}

async function listSubscriptions(sns: Clients["sns"], TopicArn: string): Promise<Subscription[] | undefined> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await orMissing(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken })));
    if (!page) return undefined;
    all.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

const SUBSCRIPTION = "alert email subscription";

/**
 * Only the email subscription support-job made is managed; the topic's `support-job:email` tag remembers its
 * address (and an old one kept until the new one is confirmed). Every other subscriber, email included, is left alone.
 */
export const alertSubscriptionResource: Resource<CurrentSubscriptions> = {
  key: "alertSubscription",
  label: SUBSCRIPTION,
  nameOf: (ref) => `on ${ref.names.alertTopic}`,
  async read(ref, { sns }, scope) {
    const subs = await readTagged(listSubscriptions(sns, ref.arns.alertTopic), topicTags(sns, ref.arns.alertTopic, scope));
    return (
      subs && { emails: subs.found.filter((s) => s.Protocol === "email"), all: subs.found, recorded: parseRecord(tagValue(subs.tags, SUBSCRIBED_TAG_KEY)) }
    );
  },
  plan(spec, current) {
    const email = spec.alertEmail;
    const subs = current?.emails ?? [];
    const recorded = current?.recorded;
    const base = { key: "alertSubscription" as const, label: SUBSCRIPTION, name: email, after: ["alertTopic" as const] };
    const mine = subs.find((s) => s.Endpoint?.toLowerCase() === email.toLowerCase());
    // An old address of ours: one support-job subscribed before the email changed. Hand-added ones are not.
    const old = subs.filter((s) => s !== mine && isRecorded(recorded, s.Endpoint));
    const confirmedOld = old.filter((s) => !isPending(s));
    const notes: string[] = [];
    for (const s of old.filter(isPending))
      notes.push(
        `the old subscription for ${s.Endpoint} is still pending confirmation; SNS cannot remove a pending subscription, it expires on its own within 3 days.`,
      );
    const keepRecord = (confirmed: boolean) =>
      recordValue([recordOf(email), ...old.filter((s) => !confirmed || isPending(s)).map((s) => recordOf(s.Endpoint ?? ""))]);
    const have = recorded ? recordValue(recorded) : undefined;
    const changes: FieldChange[] = [];
    const recordChange = (want: string) => {
      if (want !== have) changes.push({ field: `tag ${SUBSCRIBED_TAG_KEY}`, from: have ?? "(none)", to: want });
    };
    // The old address keeps its alerts until the new one is confirmed, so alerts never have nowhere to go.
    if (mine && isPending(mine)) {
      notes.push(`${email} has not confirmed the subscription yet: alerts cannot arrive until the link in AWS's email is clicked.`);
      for (const s of confirmedOld) notes.push(`${s.Endpoint} keeps receiving alerts until ${email} confirms; run init again after that to remove it.`);
      const want = keepRecord(false);
      recordChange(want);
      return updateOrUnchanged({ ...base, notes }, changes, (ctx) => tagRecord(ctx.clients.sns, spec.arns.alertTopic, want));
    }
    if (!mine) changes.push({ field: "email", from: old.map((s) => s.Endpoint).join(", ") || "(none)", to: email });
    for (const s of confirmedOld)
      changes.push({ field: "old subscription", from: s.Endpoint, to: mine ? "(unsubscribed)" : `(unsubscribed once ${email} confirms)` });
    if (mine) recordChange(keepRecord(true));
    if (changes.length === 0) return { ...base, action: "unchanged", changes, notes };
    return {
      ...base,
      action: !mine && subs.length === 0 ? "create" : "update",
      changes,
      notes,
      apply: async (ctx) => {
        let confirmed = Boolean(mine);
        if (!mine) {
          // Without ReturnSubscriptionArn, SNS answers "pending confirmation" until the recipient clicks the link.
          const out = await ctx.clients.sns.send(new SubscribeCommand({ TopicArn: spec.arns.alertTopic, Protocol: "email", Endpoint: email }));
          confirmed = Boolean(out.SubscriptionArn?.startsWith("arn:"));
        }
        ctx.detail(confirmed ? "confirmed" : "pending");
        ctx.exists();
        // Remembered before any unsubscribe: an interrupted run still knows every address it is responsible for.
        // A topic created in this run already carries the record (one write less on the critical path).
        if (current !== undefined) await tagRecord(ctx.clients.sns, spec.arns.alertTopic, keepRecord(confirmed) === have ? undefined : keepRecord(confirmed));
        if (confirmed) await Promise.all(confirmedOld.map((s) => ctx.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }))));
      },
    };
  },
};

async function tagRecord(sns: Clients["sns"], ResourceArn: string, value: string | undefined): Promise<void> {
  if (value !== undefined) await sns.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: SUBSCRIBED_TAG_KEY, Value: value }] }));
}
