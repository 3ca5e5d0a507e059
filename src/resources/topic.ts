/** The alert topic (with a policy that lets EventBridge publish) and its email subscription. */
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  type SNSClient,
  type Subscription,
} from "@aws-sdk/client-sns";
import { parsePolicyText, policyDiff, samePolicy } from "../plan/compare.js";
import { conflictStep, updateOrUnchanged, isForeign, type FieldChange, type Resource } from "../plan/types.js";
import { TAG_KEY } from "../desired/names.js";
import { orMissing } from "../aws/errors.js";

export interface TopicState {
  policy: unknown;
  owner: string | undefined;
}

const TOPIC = "alert topic";

export const alertTopicResource: Resource<TopicState> = {
  key: "alertTopic",
  label: TOPIC,
  async read(spec, { sns }) {
    const arn = spec.arns.alertTopic;
    const [attrs, tags] = await Promise.all([
      orMissing(sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))),
      orMissing(sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))),
    ]);
    if (!attrs) return undefined;
    return { policy: parsePolicyText(attrs.Attributes?.Policy), owner: tags?.Tags?.find((t) => t.Key === TAG_KEY)?.Value };
  },
  plan(spec, current, { adopt }) {
    const want = spec.alertTopic;
    const base = { key: "alertTopic" as const, label: TOPIC, name: want.name, arn: want.arn, notes: [], after: [] };
    if (!current)
      return {
        ...base,
        action: "create",
        changes: [],
        apply: async (ctx) => {
          // One call: CreateTopic takes the policy and tags, and is idempotent for the same name and attributes.
          await ctx.clients.sns.send(new CreateTopicCommand({ Name: want.name, Attributes: { Policy: JSON.stringify(want.policy) }, Tags: spec.tags }));
          ctx.exists();
        },
      };
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
};

export type SubscriptionState = Subscription[];

/** A pending email subscription has no ARN yet: SNS reports "PendingConfirmation" in its place. */
export function isPending(sub: Subscription): boolean {
  return !sub.SubscriptionArn || !sub.SubscriptionArn.startsWith("arn:");
}

export async function listSubscriptions(sns: SNSClient, TopicArn: string): Promise<Subscription[] | undefined> {
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

/** Only email subscriptions are ours to manage; a team's other subscribers (chat, SMS, queues) are left alone. */
export const alertSubscriptionResource: Resource<SubscriptionState> = {
  key: "alertSubscription",
  label: SUBSCRIPTION,
  async read(spec, { sns }) {
    return (await listSubscriptions(sns, spec.arns.alertTopic))?.filter((s) => s.Protocol === "email");
  },
  plan(spec, current) {
    const email = spec.alertEmail;
    const subs = current ?? [];
    const base = { key: "alertSubscription" as const, label: SUBSCRIPTION, name: email, after: ["alertTopic" as const] };
    const mine = subs.find((s) => s.Endpoint?.toLowerCase() === email.toLowerCase());
    const others = subs.filter((s) => s !== mine);
    const confirmedOthers = others.filter((s) => !isPending(s));
    const notes: string[] = [];
    for (const s of others.filter(isPending))
      notes.push(`the old subscription for ${s.Endpoint} is still pending confirmation; SNS cannot remove a pending subscription, it expires on its own within 3 days.`);
    // The old address keeps its alerts until the new one is confirmed, so alerts never have nowhere to go.
    if (mine && isPending(mine)) {
      notes.push(`${email} has not confirmed the subscription yet: alerts cannot arrive until the link in AWS's email is clicked.`);
      for (const s of confirmedOthers) notes.push(`${s.Endpoint} keeps receiving alerts until ${email} confirms; run init again after that to remove it.`);
      return { ...base, action: "unchanged", changes: [], notes };
    }
    const changes: FieldChange[] = [];
    if (!mine) changes.push({ field: "email", from: others.map((s) => s.Endpoint).join(", ") || "(none)", to: email });
    for (const s of confirmedOthers)
      changes.push({ field: "old subscription", from: s.Endpoint, to: mine ? "(unsubscribed)" : `(unsubscribed once ${email} confirms)` });
    if (changes.length === 0) return { ...base, action: "unchanged", changes, notes };
    return {
      ...base,
      action: subs.length === 0 ? "create" : "update",
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
        if (confirmed) await Promise.all(confirmedOthers.map((s) => ctx.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }))));
      },
    };
  },
};
