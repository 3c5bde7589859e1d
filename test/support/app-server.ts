// A real HTTP app that receives the gateway's callbacks and records them, for contract tests. I/O.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface CallbackBody {
  action: 'open' | 'message' | 'close';
  conn_id: string;
  user_name: string;
  data: unknown;
  token: string;
  access_public: boolean;
  raw?: boolean;
  binary?: boolean;
  code?: number;
  reason?: string;
  /** SPEC A11: the endpoint path and the raw query. */
  path?: string;
  query?: string;
  /** SPEC A10: the channels a closed connection was in. */
  channels?: string[];
}

export interface RecordedCallback {
  body: CallbackBody;
  headers: IncomingMessage['headers'];
  /** The request body exactly as received (to check what JSON.parse would lose, e.g. big integers). */
  rawBody: string;
  method: string;
  /** The gateway's TCP source port: tells how many connections it opened to the app. */
  remotePort: number;
  path: string;
  receivedAt: number;
}

/** What the app answers to one callback: HTTP status, an optional delay, and optionally its own body and headers (default `{}`, JSON). */
export type Responder = (callback: RecordedCallback) => { status?: number; delayMs?: number; body?: string | Buffer; headers?: Record<string, string> } | undefined;

export interface AppServer {
  readonly port: number;
  readonly callbacks: RecordedCallback[];
  /** Replaces how the app answers (default: 200 immediately). */
  respondWith(responder: Responder): void;
  /** Resolves with the first recorded callback (past or future) that matches. */
  waitFor(predicate: (c: RecordedCallback) => boolean, timeoutMs?: number): Promise<RecordedCallback>;
  /** Resolves once `count` callbacks match. */
  waitForCount(predicate: (c: RecordedCallback) => boolean, count: number, timeoutMs?: number): Promise<RecordedCallback[]>;
  close(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1 (port 0 = a free one), or on `host` (gateways in pods reach the host at its pod-network
 * address). Answers every POST with `{}` after the responder's delay.
 */
export async function startAppServer(options: { port?: number; host?: string } = {}): Promise<AppServer> {
  const callbacks: RecordedCallback[] = [];
  const waiters = new Set<() => void>();
  let responder: Responder = () => undefined;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: CallbackBody;
      const rawBody = Buffer.concat(chunks).toString('utf8');
      try {
        body = JSON.parse(rawBody) as CallbackBody;
      } catch {
        res.writeHead(400).end();
        return;
      }
      const recorded: RecordedCallback = { body, headers: req.headers, rawBody, method: req.method ?? '', remotePort: req.socket.remotePort ?? 0, path: req.url ?? '', receivedAt: performance.now() };
      callbacks.push(recorded);
      for (const wake of waiters) wake();
      const answer = responder(recorded) ?? {};
      const reply = () => res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers }).end(answer.body ?? '{}');
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  function waitForCount(predicate: (c: RecordedCallback) => boolean, count: number, timeoutMs = 10000): Promise<RecordedCallback[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const matching = callbacks.filter(predicate);
        if (matching.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} matching callbacks; have ${callbacks.filter(predicate).length} (all: ${callbacks.length})`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  return {
    port,
    callbacks,
    respondWith(next) { responder = next; },
    async waitFor(predicate, timeoutMs) {
      const [first] = await waitForCount(predicate, 1, timeoutMs);
      return first!;
    },
    waitForCount,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
