// The app side of the gateway benchmark: answers every callback 200 at once, counts actions, timestamps messages, and
// in an echo mode sends each message back, inline (SPEC A9) or through the gateway's control API. I/O.
import { Agent, createServer, request } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export type Action = 'open' | 'message' | 'close';

/** One timed message: `sentAt` is the client's clock (the `t` field it put in the message), `arrivedAt` the app's. */
export interface TimedMessage { sentAt: number; arrivedAt: number; seq: number }

/**
 * What the app does with a message callback besides answering 200: nothing; answer with it as an inline reply
 * (`X-Tapr-Ws-Reply: 1`, the body is the frame); or answer 200 and POST it back with /tapr/ws/conn/send to `controlUrl`.
 */
export type EchoMode = { kind: 'none' } | { kind: 'inline' } | { kind: 'control'; controlUrl: string };

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
  setEchoMode(mode: EchoMode): void;
  /** Control API sends that failed (not answered 200) since the start. */
  controlErrors(): number;
  /** Resolves with the count once `count` callbacks of `action` arrived since the last reset; rejects on timeout. */
  waitFor(action: Action, count: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchApp(): Promise<BenchApp> {
  const path = '/ws/callback';
  const counts: Record<Action, number> = { open: 0, message: 0, close: 0 };
  const timed: TimedMessage[] = [];
  let malformed = 0;
  let echoMode: EchoMode = { kind: 'none' };
  let controlErrors = 0;
  const waiters = new Set<() => void>();
  // A real app's HTTP client to the gateway: keep-alive, a bounded pool.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const sendBack = (controlUrl: string, connId: string, data: unknown): void => {
    const body = JSON.stringify({ conns: [connId], payload: data });
    const req = request(controlUrl, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      if (res.statusCode !== 200) controlErrors += 1;
    });
    req.on('error', () => { controlErrors += 1; });
    req.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = performance.timeOrigin + performance.now();
      let body: { action?: string; conn_id?: string; data?: { t?: unknown; i?: unknown } };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        malformed += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const echo = body.action === 'message' ? echoMode : { kind: 'none' as const };
      if (echo.kind === 'inline') res.writeHead(200, { 'content-type': 'application/json', 'x-tapr-ws-reply': '1' }).end(JSON.stringify(body.data));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (echo.kind === 'control' && body.conn_id !== undefined) sendBack(echo.controlUrl, body.conn_id, body.data);
      if (body.action === 'open' || body.action === 'message' || body.action === 'close') counts[body.action] += 1;
      else malformed += 1;
      if (body.action === 'message' && typeof body.data?.t === 'number') {
        timed.push({ sentAt: body.data.t, arrivedAt, seq: typeof body.data.i === 'number' ? body.data.i : -1 });
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
    setEchoMode(mode) {
      echoMode = mode;
    },
    controlErrors: () => controlErrors,
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
      agent.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
