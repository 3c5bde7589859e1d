// The app side of the gateway benchmark: answers every callback 200 at once, counts actions, timestamps messages. I/O.
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export type Action = 'open' | 'message' | 'close';

/** One timed message: `sentAt` is the client's clock (the `t` field it put in the message), `arrivedAt` the app's. */
export interface TimedMessage { sentAt: number; arrivedAt: number; seq: number }

export interface BenchApp {
  readonly port: number;
  /** The callback URL path the gateway is configured with. */
  readonly path: string;
  readonly url: string;
  readonly counts: Record<Action, number>;
  readonly timed: TimedMessage[];
  /** Callbacks that were not valid JSON or had an unknown action. */
  readonly malformed: () => number;
  reset(): void;
  /** Resolves with the count once `count` callbacks of `action` arrived since the last reset; rejects on timeout. */
  waitFor(action: Action, count: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchApp(): Promise<BenchApp> {
  const path = '/ws/callback';
  const counts: Record<Action, number> = { open: 0, message: 0, close: 0 };
  const timed: TimedMessage[] = [];
  let malformed = 0;
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = performance.timeOrigin + performance.now();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { action?: string; data?: { t?: unknown; i?: unknown } };
        if (body.action === 'open' || body.action === 'message' || body.action === 'close') counts[body.action] += 1;
        else malformed += 1;
        if (body.action === 'message' && typeof body.data?.t === 'number') {
          timed.push({ sentAt: body.data.t, arrivedAt, seq: typeof body.data.i === 'number' ? body.data.i : -1 });
        }
      } catch {
        malformed += 1;
      }
      for (const wake of waiters) wake();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    path,
    url: `http://127.0.0.1:${port}${path}`,
    counts,
    timed,
    malformed: () => malformed,
    reset() {
      counts.open = 0;
      counts.message = 0;
      counts.close = 0;
      timed.length = 0;
    },
    waitFor(action, count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (counts[action] < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(counts[action]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`app: ${counts[action]}/${count} ${action} callbacks after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
