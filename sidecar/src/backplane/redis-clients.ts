// The two Redis connections of a replica (commands, subscriber), with reconnect and no offline queue. I/O.
import { createClient } from '@redis/client';
import type { Logger } from 'pino';

function newClient(url: string, pingIntervalMs: number) {
  // No offline queue: while Redis is down a command fails at once, so the caller answers from the local
  // replica immediately instead of waiting for a reconnection.
  return createClient({ url, disableOfflineQueue: true, pingInterval: pingIntervalMs, socket: { connectTimeout: 2000, reconnectStrategy: reconnectDelayMs } });
}

export type RedisClient = ReturnType<typeof newClient>;

export interface RedisClients {
  command: RedisClient;
  subscriber: RedisClient;
  /** Both connections are up (the subscriber resubscribes by itself before it reports ready). */
  readonly ready: boolean;
  /** Connects in the background; `onReady` runs after every (re)connection of the command connection. */
  connect(onReady: () => void, onDisconnected: () => void): void;
  close(timeoutMs: number): Promise<void>;
}

/** Reconnect delay: 50 ms doubling to at most 1 s, forever (SPEC A8: the backplane reconnects by itself). */
export function reconnectDelayMs(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 1000);
}

export function createRedisClients(url: string, pingIntervalMs: number, log: Logger): RedisClients {
  const command = newClient(url, pingIntervalMs);
  const subscriber = newClient(url, pingIntervalMs);
  let lastError = '';
  let closing = false;
  for (const [role, client] of [['command', command], ['subscriber', subscriber]] as const) {
    client.on('error', (error: Error) => {
      // node-redis reports every failed reconnection attempt; log each distinct cause once.
      if (error.message === lastError || closing) return;
      lastError = error.message;
      log.warn({ role, err: error.message, code: 'GW_ERR_BACKPLANE' }, 'backplane: redis error');
    });
  }

  return {
    command,
    subscriber,
    get ready() {
      return command.isReady && subscriber.isReady;
    },
    connect(onReady, onDisconnected) {
      let up = false;
      const check = () => {
        const now = command.isReady && subscriber.isReady;
        if (now === up || closing) return;
        up = now;
        if (now) lastError = '';
        log.info({ connected: now }, now ? 'backplane: connected to redis' : 'backplane: lost redis');
        if (now) onReady();
        else onDisconnected();
      };
      for (const client of [command, subscriber]) {
        for (const event of ['ready', 'reconnecting', 'end', 'error']) client.on(event, check);
        // A first connection that fails is retried by the reconnect strategy; only a closed client rejects.
        client.connect().catch((error: unknown) => log.debug({ err: error }, 'backplane: connect ended'));
      }
    },
    async close(timeoutMs) {
      closing = true;
      const closed = Promise.allSettled([command.close(), subscriber.close()]);
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      if ((await Promise.race([closed, timer])) === 'timeout') {
        command.destroy();
        subscriber.destroy();
      }
    },
  };
}
