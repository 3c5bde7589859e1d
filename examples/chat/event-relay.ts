// Shares the chat's events between app replicas over Redis pub/sub, so every replica's state machine sees every
// room join, line and close, while only the replica that got the callback performs its actions. I/O.
//
// The gateway's Redis backplane delivers frames to connections on every replica, but it does not hold the app's
// rooms and presence. This relay is the smallest honest answer for the example: replicas converge on the same state
// (events from different replicas may interleave differently for a few milliseconds); a production app would keep its
// rooms in a database or in Redis itself.
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import type { ChatEvent } from './chat-room.ts';

export interface EventRelay {
  /** Tells the other replicas about an event this replica handled, and whether it announced anything (rooms, presence). */
  publish(event: ChatEvent, announced: boolean): Promise<void>;
  close(): Promise<void>;
}

interface Envelope {
  from: string;
  event: ChatEvent;
  announced: boolean;
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const event = v.event as Record<string, unknown> | null | undefined;
  return typeof v.from === 'string' && typeof v.announced === 'boolean' && typeof event === 'object' && event !== null &&
    ['open', 'message', 'close'].includes(String(event.kind)) && typeof event.connId === 'string' && typeof event.user === 'string';
}

/** Connects (commands + a subscriber) and calls `onPeerEvent` for every event another replica publishes. */
export async function startEventRelay(options: {
  url: string;
  channel: string;
  onPeerEvent: (event: ChatEvent, originAnnounced: boolean) => void;
  warn: (line: string) => void;
}): Promise<EventRelay> {
  const me = randomBytes(8).toString('hex');
  const commands = createClient({ url: options.url, socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), 1000) } });
  const subscriber = commands.duplicate();
  let lastError = '';
  for (const client of [commands, subscriber]) {
    client.on('error', (error: Error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      options.warn(`chat: redis relay: ${error.message}`);
    });
  }
  await Promise.all([commands.connect(), subscriber.connect()]);
  await subscriber.subscribe(options.channel, (message: string) => {
    let envelope: unknown;
    try {
      envelope = JSON.parse(message);
    } catch {
      return;
    }
    if (!isEnvelope(envelope)) {
      options.warn(`chat: redis relay: ignored a message on ${options.channel} that is not a chat event`);
      return;
    }
    if (envelope.from !== me) options.onPeerEvent(envelope.event, envelope.announced);
  });
  return {
    async publish(event, announced) {
      try {
        await commands.publish(options.channel, JSON.stringify({ from: me, event, announced } satisfies Envelope));
      } catch (error) {
        // The other replicas miss this event; local chat goes on.
        options.warn(`chat: redis relay: publish failed: ${(error as Error).message}`);
      }
    },
    async close() {
      await Promise.allSettled([commands.close(), subscriber.close()]);
    },
  };
}
