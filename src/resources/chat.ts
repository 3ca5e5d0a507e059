/**
 * The job's chat webhooks: per webhook an EventBridge connection and API destination (both named prefix + key,
 * desired/names.ts chatPrefix) and a target on the alert rule that posts the chat service's JSON through them.
 *
 * Connections and API destinations take no tags: a job's are found by their name (the prefix, then a webhook key)
 * and owned by the connection's Description ("support-job:job=<job>: ..."). The webhook URL is a secret and is
 * the API destination's InvocationEndpoint (AWS keeps it there and returns it to DescribeApiDestination); the
 * connection is API_KEY with a dummy header, since chat webhooks carry their secret in the URL. The plan compares
 * the deployed endpoint by its hash (the key holds 8 hex of it), so nothing shows the URL.
 */
import { createHash } from "node:crypto";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  RemoveTargetsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
  type Connection,
  type Target,
} from "@aws-sdk/client-eventbridge";
import type { Clients } from "../aws/clients.js";
import { orMissing } from "../aws/errors.js";
import { canonical } from "./compare.js";
import { putTargets, ruleTargets } from "./rule.js";
import {
  absentStep,
  conflictStep,
  isForeign,
  readScope,
  type FieldChange,
  type JobRef,
  type PlanStep,
  type ReadScope,
  type RemovalStep,
  type Resource,
  type ResourceKey,
} from "./types.js";
import { CHAT_TARGET_PREFIX, type ChatSpec, type ChatWebhookSpec, type JobSpec } from "../desired/job.js";
import { chatPrefix, TAG_KEY } from "../desired/names.js";

const KEY: ResourceKey = "chatWebhooks";
const LABEL = "chat webhooks";
const WEBHOOK_KEY = /^(slack|teams|discord|generic)-([0-9a-f]{8})$/;
/** Chat services take about one message a second per webhook (Slack's documented limit); alerts are rare. */
const CHAT_RATE_PER_SECOND = 1;
/** The connection's API key: a fixed, non-secret header (the webhook's secret is in its URL). */
const DUMMY_HEADER = { ApiKeyName: "x-support-job", ApiKeyValue: "alert" };

interface DeployedWebhook {
  key: string;
  name: string;
  /** From the connection's Description (or the API destination's when the connection is gone). */
  owner: string | undefined;
  connection: { arn: string; description: string | undefined } | undefined;
  destination: { arn: string; connectionArn: string | undefined; endpointHash: string; method: string | undefined; rate: number | undefined } | undefined;
  target: Target | undefined;
}

export interface ChatState {
  webhooks: DeployedWebhook[];
}

/** The job a Description names ("support-job:job=<job>: ..."), or undefined. */
function ownerOf(description: string | undefined): string | undefined {
  const match = new RegExp(`^${TAG_KEY}=([A-Za-z0-9_-]+):`).exec(description ?? "");
  return match?.[1];
}

/** 8 hex of the URL's SHA-256: what a webhook's key holds (desired/chat.ts). */
function hashOf(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 8);
}

/** Every page of a NextToken-paged list. */
async function allPages<T>(next: (NextToken: string | undefined) => Promise<{ items?: T[] | undefined; NextToken?: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let NextToken: string | undefined;
  do {
    const page = await next(NextToken);
    out.push(...(page.items ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

function listConnections(events: Clients["events"], NamePrefix: string) {
  return allPages((NextToken) =>
    events.send(new ListConnectionsCommand({ NamePrefix, NextToken })).then((p) => ({ items: p.Connections, NextToken: p.NextToken })),
  );
}

/**
 * The job's API destinations (listed by its name prefix), once per read of the job: a thorough read of the chat
 * webhooks and the alarm chat rule's read both need them.
 */
export function jobDestinations(events: Clients["events"], job: string, scope: ReadScope = readScope()) {
  const NamePrefix = chatPrefix(job);
  return scope.once(`events.ListApiDestinations ${NamePrefix}`, () =>
    allPages((NextToken) =>
      events.send(new ListApiDestinationsCommand({ NamePrefix, NextToken })).then((p) => ({ items: p.ApiDestinations, NextToken: p.NextToken })),
    ),
  );
}

/** prefix + a webhook key: the job's (a longer job name sharing the prefix gives names that do not match). */
function keyOf(name: string | undefined, prefix: string): string | undefined {
  if (!name?.startsWith(prefix)) return undefined;
  const key = name.slice(prefix.length);
  return WEBHOOK_KEY.test(key) ? key : undefined;
}

interface ChatSigns {
  /** The job's connections (named prefix + a webhook key). */
  connections: Connection[];
  /** The chat targets on the job's alert rule. */
  targets: Target[];
}

/**
 * The signs of chat webhooks, read in the first wave: the job's connections (ListConnections by its name prefix)
 * and the chat targets on its alert rule (the alert rule's own read of its targets, not a second call). A job with
 * neither has no chat webhooks: then neither the API destinations nor the chat role are read.
 * Blind spot: an API destination whose connection and target are both gone (deleted outside support-job; support-job
 * itself removes the destination before its connection). Only a thorough read (destroy) lists the destinations too.
 */
function chatSigns(ref: JobRef, { events }: Clients, scope: ReadScope): Promise<ChatSigns> {
  return scope.once(`chat ${ref.job}`, async () => {
    const prefix = chatPrefix(ref.job);
    const [connections, targets] = await Promise.all([listConnections(events, prefix), ruleTargets(events, ref.names.alertRule, scope)]);
    return {
      connections: connections.filter((c) => keyOf(c.Name, prefix) !== undefined),
      targets: (targets?.Targets ?? []).filter((t) => t.Id?.startsWith(CHAT_TARGET_PREFIX)),
    };
  });
}

/** The chat role's gate: read it only for a job with a sign of chat webhooks. */
export async function hasChatSigns(ref: JobRef, clients: Clients, scope: ReadScope): Promise<boolean> {
  const signs = await chatSigns(ref, clients, scope);
  return signs.connections.length > 0 || signs.targets.length > 0;
}

async function readChat(ref: JobRef, clients: Clients, scope: ReadScope = readScope()): Promise<ChatState | undefined> {
  const { events } = clients;
  const prefix = chatPrefix(ref.job);
  const [{ connections, targets: chatTargets }, listed] = await Promise.all([
    chatSigns(ref, clients, scope),
    scope.thorough ? jobDestinations(events, ref.job, scope) : undefined,
  ]);
  const keys = new Set<string>();
  for (const c of connections) {
    const key = keyOf(c.Name, prefix);
    if (key) keys.add(key);
  }
  for (const d of listed ?? []) {
    const key = keyOf(d.Name, prefix);
    if (key) keys.add(key);
  }
  for (const t of chatTargets) {
    const key = t.Id?.slice(CHAT_TARGET_PREFIX.length);
    if (key && WEBHOOK_KEY.test(key)) keys.add(key);
  }
  if (keys.size === 0) return undefined;
  const webhooks = await Promise.all(
    [...keys].sort().map(async (key): Promise<DeployedWebhook> => {
      const name = `${prefix}${key}`;
      const hasConnection = connections.some((c) => c.Name === name);
      // Unlisted (the usual read): asked by name, "not found" when the webhook has none.
      const hasDestination = listed ? listed.some((d) => d.Name === name) : true;
      // Describe: the list leaves out the Description (the owner) and, in some servers, the rate.
      const [connection, destination] = await Promise.all([
        hasConnection ? orMissing(events.send(new DescribeConnectionCommand({ Name: name }))) : undefined,
        hasDestination ? orMissing(events.send(new DescribeApiDestinationCommand({ Name: name }))) : undefined,
      ]);
      return {
        key,
        name,
        owner: ownerOf(connection?.Description) ?? ownerOf(destination?.Description),
        connection: connection?.ConnectionArn ? { arn: connection.ConnectionArn, description: connection.Description } : undefined,
        destination: destination?.ApiDestinationArn
          ? {
              arn: destination.ApiDestinationArn,
              connectionArn: destination.ConnectionArn,
              endpointHash: hashOf(destination.InvocationEndpoint ?? ""),
              method: destination.HttpMethod,
              rate: destination.InvocationRateLimitPerSecond,
            }
          : undefined,
        target: chatTargets.find((t) => t.Id === `${CHAT_TARGET_PREFIX}${key}`),
      };
    }),
  );
  return { webhooks };
}

/**
 * The rule target for a webhook, given its API destination's ARN (AWS adds an id to it: known once it exists): on
 * the alert rule, and (with the alarms' transformer) on the alarm chat rule.
 */
export function chatTarget(chat: Pick<ChatSpec, "roleArn">, hook: Pick<ChatWebhookSpec, "targetId" | "transformer">, destinationArn: string): Target {
  return {
    Id: hook.targetId,
    Arn: destinationArn,
    RoleArn: chat.roleArn,
    InputTransformer: { InputPathsMap: { ...hook.transformer.InputPathsMap }, InputTemplate: hook.transformer.InputTemplate },
  };
}

/** What a chat target is made of, for comparing the deployed one with the wanted one. */
export function targetShape(t: Target | undefined): string {
  return canonical({
    Arn: t?.Arn,
    RoleArn: t?.RoleArn,
    InputPathsMap: t?.InputTransformer?.InputPathsMap,
    InputTemplate: t?.InputTransformer?.InputTemplate,
  });
}

/** Replace the URL in any error text by what may be shown: AWS validation messages can quote a value. */
function redacted(error: unknown, hooks: readonly ChatWebhookSpec[]): unknown {
  if (error instanceof Error)
    for (const hook of hooks) {
      if (!hook.url) continue;
      error.message = error.message.split(hook.url).join(hook.display);
      // --debug prints the stack, which holds the message as it was made.
      if (error.stack) error.stack = error.stack.split(hook.url).join(hook.display);
    }
  return error;
}

function planChat(spec: JobSpec, current: ChatState | undefined, adopt: boolean): PlanStep {
  const { chat } = spec;
  const name = `${chat.prefix}*`;
  const have = current?.webhooks ?? [];
  if (chat.webhooks.length === 0 && !have.some((h) => h.owner === spec.job)) return absentStep(KEY, LABEL, name);
  const after: ResourceKey[] = ["alertRule", ...(spec.chatRole ? (["chatRole"] as const) : [])];
  const base = { key: KEY, label: LABEL, name, notes: [] as string[], after };

  const changes: FieldChange[] = [];
  type Work = { hook: ChatWebhookSpec; deployed: DeployedWebhook | undefined; connection: boolean; destination: boolean; target: boolean };
  const work: Work[] = [];
  for (const hook of chat.webhooks) {
    const deployed = have.find((h) => h.key === hook.key);
    if (deployed && deployed.owner !== undefined && isForeign(deployed.owner, spec.job, adopt))
      return conflictStep(KEY, LABEL, hook.name, deployed.owner, spec.job);
    if (deployed && deployed.owner === undefined && (deployed.connection || deployed.destination) && !adopt)
      return conflictStep(KEY, LABEL, hook.name, undefined, spec.job);
    if (!deployed?.destination && !hook.url)
      return {
        ...base,
        action: "conflict",
        changes: [],
        notes: [
          `webhook ${hook.key} is in support-job.json but not in AWS, and its URL is not saved (it is a secret): give it again with --alert-webhook URL, or remove it with --no-alert-webhook`,
        ],
      };
    const wantHash = WEBHOOK_KEY.exec(hook.key)?.[2];
    const connection = !deployed?.connection || deployed.connection.description !== chat.description;
    const d = deployed?.destination;
    const endpointDiffers = d !== undefined && d.endpointHash !== wantHash;
    if (endpointDiffers && !hook.url)
      base.notes.push(`webhook ${hook.key}: its API destination's URL was changed outside support-job; give --alert-webhook URL to set it back`);
    const destination =
      !d ||
      (endpointDiffers && hook.url !== undefined) ||
      d.method !== "POST" ||
      (d.rate !== undefined && d.rate !== CHAT_RATE_PER_SECOND) ||
      (deployed?.connection !== undefined && d.connectionArn !== deployed.connection.arn);
    const target = !deployed?.target || !d || targetShape(deployed.target) !== targetShape(chatTarget(chat, hook, d.arn));
    if (!deployed?.connection) changes.push({ field: `${hook.key} connection`, from: "(none)", to: "API key auth (a fixed header; the secret is the URL)" });
    else if (connection) changes.push({ field: `${hook.key} connection description`, from: deployed.connection.description ?? "(none)", to: chat.description });
    if (!d) changes.push({ field: `${hook.key} API destination`, from: "(none)", to: `POST ${hook.display}` });
    else if (destination) changes.push({ field: `${hook.key} API destination`, from: endpointDiffers ? "another URL" : "current", to: `POST ${hook.display}` });
    if (target) changes.push({ field: `${hook.key} alert rule target`, from: deployed?.target ? "current" : "(none)", to: `${hook.kind} message` });
    if (connection || destination || target) work.push({ hook, deployed, connection, destination, target });
  }
  const gone = have.filter((h) => h.owner === spec.job && !chat.webhooks.some((w) => w.key === h.key));
  for (const h of gone) changes.push({ field: `${h.key}`, from: "connection, API destination, alert rule target", to: "(removed)" });
  if (changes.length === 0) return { ...base, action: "unchanged", changes };

  return {
    ...base,
    action: have.length === 0 ? "create" : "update",
    changes,
    apply: async (ctx) => {
      const { events } = ctx.clients;
      try {
        const targets = await Promise.all(
          work.map(async ({ hook, deployed, connection, destination, target }) => {
            let connectionArn = deployed?.connection?.arn;
            if (!deployed?.connection) {
              const made = await events.send(
                new CreateConnectionCommand({
                  Name: hook.name,
                  Description: chat.description,
                  AuthorizationType: "API_KEY",
                  AuthParameters: { ApiKeyAuthParameters: DUMMY_HEADER },
                }),
              );
              connectionArn = made.ConnectionArn;
            } else if (connection) await events.send(new UpdateConnectionCommand({ Name: hook.name, Description: chat.description }));
            let destinationArn = deployed?.destination?.arn;
            const fields = {
              Name: hook.name,
              Description: chat.description,
              ConnectionArn: connectionArn,
              HttpMethod: "POST" as const,
              InvocationRateLimitPerSecond: CHAT_RATE_PER_SECOND,
            };
            if (!deployed?.destination) {
              const made = await events.send(new CreateApiDestinationCommand({ ...fields, InvocationEndpoint: hook.url ?? "" }));
              destinationArn = made.ApiDestinationArn;
            } else if (destination) {
              const made = await events.send(new UpdateApiDestinationCommand({ ...fields, ...(hook.url ? { InvocationEndpoint: hook.url } : {}) }));
              destinationArn = made.ApiDestinationArn ?? destinationArn;
            }
            return target && destinationArn ? chatTarget(chat, hook, destinationArn) : undefined;
          }),
        );
        ctx.exists();
        const put = targets.filter((t): t is Target => t !== undefined);
        if (put.length) {
          await putTargets(ctx, chat.ruleName, put);
        }
        if (gone.length) {
          // The alarm chat rule's targets of these webhooks go first (that step says so once they are gone).
          await ctx.waitFor("alarmChatRule");
          await removeWebhooks(events, chat.ruleName, gone);
        }
      } catch (error) {
        throw redacted(error, chat.webhooks);
      }
    },
  };
}

/** Targets first (a rule's target must not point at a deleted destination), then each destination, then its connection. */
async function removeWebhooks(events: Clients["events"], Rule: string, hooks: readonly DeployedWebhook[]): Promise<void> {
  const Ids = hooks.filter((h) => h.target?.Id).map((h) => h.target!.Id!);
  if (Ids.length) await orMissing(events.send(new RemoveTargetsCommand({ Rule, Ids })));
  await Promise.all(
    hooks.map(async (h) => {
      if (h.destination) await orMissing(events.send(new DeleteApiDestinationCommand({ Name: h.name })));
      if (h.connection) await orMissing(events.send(new DeleteConnectionCommand({ Name: h.name })));
    }),
  );
}

export const chatResource: Resource<ChatState> = {
  key: KEY,
  label: LABEL,
  nameOf: (ref) => `${chatPrefix(ref.job)}*`,
  read: readChat,
  plan: (spec, current, { adopt }) => planChat(spec, current, adopt),
  remove(current, ref): RemovalStep[] {
    return current.webhooks
      .filter((h) => h.connection || h.destination)
      .map((h) => {
        const owned = h.owner === ref.job;
        return {
          key: KEY,
          label: "chat webhook",
          name: h.name,
          action: owned ? "delete" : "skip",
          details: [h.connection ? "connection" : "", h.destination ? "API destination" : ""].filter(Boolean),
          ...(owned
            ? {}
            : {
                note:
                  h.owner === undefined
                    ? `its Description does not say ${TAG_KEY}=${ref.job} (support-job did not create it): left alone`
                    : `belongs to support-job job "${h.owner}": left alone`,
              }),
          // After stage 1 has deleted the alert rule with its targets.
          stage: 2,
          run: ({ events }) => removeWebhooks(events, ref.names.alertRule, [{ ...h, target: undefined }]),
        } satisfies RemovalStep;
      });
  },
};
