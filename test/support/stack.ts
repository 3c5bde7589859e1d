// One gateway + one recording app + tracked clients for a contract test, all cleaned up with the test. I/O.
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { startAppServer, type AppServer, type RecordedCallback } from './app-server.ts';
import { startGateway, type GatewayProcess } from './gateway-process.ts';
import { connect, type RecordingClient } from './ws-client.ts';

export const CALLBACK_PATH = '/ws/callback';

/** Small budgets so a failing test (or cleanup) never waits for the production defaults. */
export const FAST_ENV: Record<string, string> = {
  WS_SHUTDOWN_TIMEOUT_MS: '3000',
  WS_CALLBACK_RETRY_MS: '2000',
  WS_CALLBACK_TIMEOUT_MS: '3000',
};

export interface StackClient extends RecordingClient {
  /** conn_id from the open callback (empty when `waitOpen: false`). */
  readonly connId: string;
  /** Unique cookie value (`tag=<uuid>`) that identifies this client's callbacks. */
  readonly tag: string;
  readonly open: RecordedCallback | undefined;
}

export interface ClientSpec {
  /** Value of the user header (X-Bfl-User unless `userHeader`). */
  user?: string;
  userHeader?: string;
  /** Extra cookies (e.g. `auth_token=abc`); a `tag=<uuid>` cookie is always added first unless `tag: false`. */
  cookie?: string;
  tag?: boolean;
  headers?: Record<string, string>;
  protocols?: string | string[];
  /** Endpoint path and query to connect to (default `/ws`), e.g. `/ws/chat?room=1` (SPEC A11). */
  path?: string;
  /** Wait for the open callback to learn conn_id (default true). */
  waitOpen?: boolean;
}

export interface Stack {
  readonly app: AppServer;
  readonly gw: GatewayProcess;
  connect(spec?: ClientSpec): Promise<StackClient>;
  /** Every callback recorded for one connection, in arrival order. */
  callbacksOf(connId: string): RecordedCallback[];
  /** Stops the gateway (SIGTERM, SIGKILL after 8 s) and resolves with its exit code. */
  stopGateway(): Promise<number | string>;
}

/** Stops a gateway with SIGTERM, escalating to SIGKILL if it has not exited within `graceMs`. */
export async function stopGatewayHard(gw: GatewayProcess, graceMs = 8000): Promise<number | string> {
  const timer = setTimeout(() => gw.child.kill('SIGKILL'), graceMs);
  try {
    return await gw.stop();
  } finally {
    clearTimeout(timer);
  }
}

export function clientHeaders(spec: ClientSpec, tag: string): Record<string, string> {
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.user !== undefined) headers[spec.userHeader ?? 'X-Bfl-User'] = spec.user;
  const cookies = [spec.tag === false ? undefined : `tag=${tag}`, spec.cookie].filter((c) => c !== undefined && c !== '');
  if (cookies.length > 0) headers.Cookie = cookies.join('; ');
  return headers;
}

/**
 * Starts a gateway that calls `app` back at CALLBACK_PATH. After the test the clients are dropped, then the gateway
 * stops (its close callbacks still find the app), then the app closes.
 */
export async function startGatewayFor(t: TestContext, app: { port: number; close(): Promise<void> }, clients: readonly RecordingClient[], env: Record<string, string> = {}): Promise<GatewayProcess> {
  const started: { gw?: GatewayProcess } = {};
  t.after(async () => {
    for (const c of clients) c.socket.terminate();
    if (started.gw) await stopGatewayHard(started.gw);
    await app.close();
  });
  started.gw = await startGateway({ env: { WS_PORT: String(app.port), WS_URL: CALLBACK_PATH, ...FAST_ENV, ...env } });
  return started.gw;
}

/** Starts the app, then the gateway pointed at it; everything is torn down after the test. */
export async function startStack(t: TestContext, options: { env?: Record<string, string>; app?: AppServer } = {}): Promise<Stack> {
  const app = options.app ?? (await startAppServer());
  const clients: StackClient[] = [];
  const gateway = await startGatewayFor(t, app, clients, options.env);

  return {
    app,
    gw: gateway,
    async connect(spec = {}) {
      const tag = randomUUID();
      const url = spec.path === undefined ? gateway.wsUrl : `${gateway.wsUrl.replace(/\/ws$/, '')}${spec.path}`;
      const client = await connect(url, { headers: clientHeaders(spec, tag), ...(spec.protocols ? { protocols: spec.protocols } : {}) });
      let open: RecordedCallback | undefined;
      if (spec.waitOpen !== false) {
        open = await app.waitFor((c) => c.body.action === 'open' && (c.headers.cookie ?? '').includes(tag), 10000);
      }
      const tracked: StackClient = { ...client, connId: open?.body.conn_id ?? '', tag, open };
      clients.push(tracked);
      return tracked;
    },
    callbacksOf(connId) {
      return app.callbacks.filter((c) => c.body.conn_id === connId);
    },
    stopGateway: () => stopGatewayHard(gateway),
  };
}

/** Resolves with the one close callback of a connection, then checks (after `settleMs`) that no second one came. */
export async function closeCallbackOf(app: AppServer, connId: string, options: { timeoutMs?: number; settleMs?: number } = {}): Promise<RecordedCallback & { count: number }> {
  const first = await app.waitFor((c) => c.body.action === 'close' && c.body.conn_id === connId, options.timeoutMs ?? 10000);
  await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 300));
  const count = app.callbacks.filter((c) => c.body.action === 'close' && c.body.conn_id === connId).length;
  return { ...first, count };
}
