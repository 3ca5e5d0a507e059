/**
 * A run's CloudWatch Logs stream: GetLogEvents from the head, paged with nextForwardToken. An unchanged token
 * means no new events yet; the stream exists only once the run reached PROVISIONING (before: "not yet").
 */
import { GetLogEventsCommand, type GetLogEventsCommandOutput } from "@aws-sdk/client-cloudwatch-logs";
import type { Clients } from "../aws/clients.js";
import { isNotFound } from "../aws/errors.js";

export interface LogCursor {
  groupName: string;
  streamName: string;
  /** The last nextForwardToken seen; undefined = from the head. */
  token?: string | undefined;
}

export interface LogEvent {
  timestamp: number | undefined;
  message: string;
}

export interface DrainResult {
  /** false: the stream does not exist (yet). */
  exists: boolean;
  events: number;
}

// A safety net: even a long run's log is far fewer pages than this (each holds up to 1 MB).
const MAX_PAGES = 10_000;

/** Reads every event after the cursor until the token stops changing, handing each to onEvent; moves the cursor. */
export async function drainLog(clients: Clients, cursor: LogCursor, onEvent: (event: LogEvent) => void): Promise<DrainResult> {
  let events = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    let out: GetLogEventsCommandOutput;
    try {
      out = await clients.logs.send(
        new GetLogEventsCommand({
          logGroupName: cursor.groupName,
          logStreamName: cursor.streamName,
          startFromHead: true,
          ...(cursor.token ? { nextToken: cursor.token } : {}),
        }),
      );
    } catch (error) {
      if (isNotFound(error)) return { exists: false, events };
      throw error;
    }
    for (const e of out.events ?? []) {
      events++;
      onEvent({ timestamp: e.timestamp, message: e.message ?? "" });
    }
    const next = out.nextForwardToken;
    const moved = next !== undefined && next !== cursor.token;
    if (next !== undefined) cursor.token = next;
    if (!moved) break;
  }
  return { exists: true, events };
}

/** CodeBuild's lines end in a newline of their own; the reporter adds one. */
export function logLine(message: string): string {
  return message.replace(/\r?\n$/, "");
}
