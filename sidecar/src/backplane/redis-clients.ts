// The two Redis connections of a replica (commands, subscriber), with reconnect, no offline queue, and a bound on
// every round trip: a Redis that stops answering (frozen, blackholed) is torn down and reconnected. I/O.
import { createClient } from '@redis/client';
import type { Logger } from 'pino';

function newClient(url: string) {
  // No offline queue: while Redis is down a command fails at once, so the caller answers from the local
  // replica immediately instead of waiting for a reconnection. No pingInterval: the heartbeat pings both
  // connections itself, with a timeout, which node-redis's own ping does not have.
  return createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 2000, reconnectStrategy: reconnectDelayMs } });
}

export type RedisClient = ReturnType<typeof newClient>;

/** A Redis round trip that got no answer within WS_BACKPLANE_TIMEOUT_MS. */
export class BackplaneTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`backplane: ${what} got no answer from Redis within ${timeoutMs} ms`);
    this.name = 'BackplaneTimeoutError';
  }
}

/** Resolves or rejects like `work`, or rejects with a BackplaneTimeoutError after `timeoutMs`. */
export async function bounded<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new BackplaneTimeoutError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RedisClients {
  /** The current command connection (replaced after a teardown: read it at each use). */
  readonly command: RedisClient;
  /** The current subscriber connection (a new one has no subscriptions). */
  readonly subscriber: RedisClient;
  /** Both connections are up (the subscriber resubscribes by itself before it reports ready). */
  readonly ready: boolean;
  /** Connects in the background; `onReady` runs after every (re)connection, `onDisconnected` after every loss. */
  connect(onReady: () => void, onDisconnected: () => void): void;
  /** Whether both connections answer a PING within the timeout. */
  ping(): Promise<boolean>;
  /**
   * Tears both connections down (their pending commands reject at once) and connects new ones: for a Redis that
   * accepts bytes but does not answer, where node-redis would wait forever.
   */
  reconnect(reason: string): void;
  close(timeoutMs: number): Promise<void>;
}

/** Reconnect delay: 50 ms doubling to at most 1 s, forever (SPEC A8: the backplane reconnects by itself). */
export function reconnectDelayMs(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 1000);
}

export function createRedisClients(url: string, timeoutMs: number, log: Logger): RedisClients {
  let command = newClient(url);
  let subscriber = newClient(url);
  let lastError = '';
  let closing = false;
  let up = false;
  let handlers: { onReady: () => void; onDisconnected: () => void } | undefined;

  const isCurrent = (client: RedisClient) => client === command || client === subscriber;

  function check(): void {
    const now = command.isReady && subscriber.isReady;
    if (now === up || closing || !handlers) return;
    up = now;
    if (now) lastError = '';
    log.info({ connected: now }, now ? 'backplane: connected to redis' : 'backplane: lost redis');
    if (now) handlers.onReady();
    else handlers.onDisconnected();
  }

  function start(role: 'command' | 'subscriber', client: RedisClient): void {
    client.on('error', (error: Error) => {
      // node-redis reports every failed reconnection attempt; log each distinct cause once.
      if (!isCurrent(client) || error.message === lastError || closing) return;
      lastError = error.message;
      log.warn({ role, err: error.message, code: 'GW_ERR_BACKPLANE' }, 'backplane: redis error');
    });
    for (const event of ['ready', 'reconnecting', 'end', 'error']) client.on(event, () => { if (isCurrent(client)) check(); });
    // A first connection that fails is retried by the reconnect strategy; only a closed client rejects.
    client.connect().catch((error: unknown) => log.debug({ err: error }, 'backplane: connect ended'));
  }

  async function answers(client: RedisClient, role: string): Promise<boolean> {
    try {
      await bounded(client.ping(), timeoutMs, `PING on the ${role} connection`);
      return true;
    } catch (error) {
      log.debug({ err: error, role }, 'backplane: ping failed');
      return false;
    }
  }

  return {
    get command() {
      return command;
    },
    get subscriber() {
      return subscriber;
    },
    get ready() {
      return command.isReady && subscriber.isReady;
    },
    connect(onReady, onDisconnected) {
      handlers = { onReady, onDisconnected };
      start('command', command);
      start('subscriber', subscriber);
    },
    async ping() {
      const [a, b] = await Promise.all([answers(command, 'command'), answers(subscriber, 'subscriber')]);
      return a && b;
    },
    reconnect(reason) {
      if (closing || !handlers) return;
      log.warn({ code: 'GW_ERR_BACKPLANE', err: reason, timeoutMs }, 'backplane: redis stopped answering; reconnecting');
      const old = [command, subscriber];
      command = newClient(url);
      subscriber = newClient(url);
      lastError = '';
      check();
      for (const client of old) client.destroy();
      start('command', command);
      start('subscriber', subscriber);
    },
    async close(closeTimeoutMs) {
      closing = true;
      const clients = [command, subscriber];
      const closed = Promise.allSettled(clients.map((client) => client.close()));
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), closeTimeoutMs).unref());
      if ((await Promise.race([closed, timer])) === 'timeout') {
        for (const client of clients) client.destroy();
      }
    },
  };
}
