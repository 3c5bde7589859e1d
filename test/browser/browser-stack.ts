// A browser test's world: the real gateway, a recording app, the page server in front, Chromium and helpers that
// create clients inside the page and read what they recorded. All stopped with the test. I/O.
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { openTestPage } from '../support/browser.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startPageServer, type PageServer } from '../support/page-server.ts';
import { CALLBACK_PATH, FAST_ENV, stopGatewayHard } from '../support/stack.ts';

/** One state change as the page saw it. */
export interface SeenState {
  state: string;
  detail: { code?: number; reason?: string; status?: number; attempt?: number; delayMs?: number; error?: string };
  at: number;
}

/** What one in-page client recorded. */
export interface Recording {
  states: SeenState[];
  frames: unknown[];
  events: { event: string; data: unknown }[];
  connId: string | undefined;
  state: string;
}

export interface BrowserStack {
  readonly app: AppServer;
  readonly pages: PageServer;
  readonly page: Page;
  gw: GatewayProcess | undefined;
  /** Starts a gateway (again) and points the page server at it. */
  startGateway(): Promise<GatewayProcess>;
  /** Creates `window.clients[name]` in the page: createClient(url, options), recording states, frames and `events`. */
  createClient(name: string, options?: Record<string, unknown>, path?: string): Promise<void>;
  recording(name: string): Promise<Recording>;
  /** Polls the recording until `check` returns something defined. */
  waitFor<T>(name: string, what: string, check: (recording: Recording) => T | undefined, timeoutMs?: number): Promise<T>;
  /** Runs `client[method](...args)` in the page and returns its (awaited) result. */
  call(name: string, method: string, ...args: unknown[]): Promise<unknown>;
}

interface PageWindow {
  tapr: { createClient(url: string, options: unknown): PageClient };
  clients: Record<string, { client: PageClient; recording: Omit<Recording, 'connId' | 'state'> }>;
}
interface PageClient {
  state: string;
  connId: string | undefined;
  onState(handler: (state: string, detail: SeenState['detail']) => void): void;
  on(event: string, handler: (data: unknown) => void): void;
}

export async function startBrowserStack(t: TestContext, browser: Browser, env: Record<string, string>, options: { events?: string[] } = {}): Promise<BrowserStack> {
  const app = await startAppServer();
  const pages = await startPageServer(undefined);
  const page = await openTestPage(browser, pages.url);
  const stack: BrowserStack = {
    app,
    pages,
    page,
    gw: undefined,
    async startGateway() {
      const gw = await startGateway({ env: { WS_PORT: String(app.port), WS_URL: CALLBACK_PATH, ...FAST_ENV, WS_LOG_LEVEL: 'info', ...env } });
      stack.gw = gw;
      pages.gatewayPort = gw.port;
      return gw;
    },
    async createClient(name, clientOptions = {}, path = '/ws') {
      await page.evaluate(({ name, url, clientOptions, events }) => {
        const w = globalThis as unknown as PageWindow;
        w.clients ??= {};
        const recording: PageWindow['clients'][string]['recording'] = { states: [], frames: [], events: [] };
        const client = w.tapr.createClient(url, clientOptions);
        client.onState((state, detail) => recording.states.push({ state, detail, at: Date.now() }));
        client.on('$frame', (parsed) => recording.frames.push(parsed));
        for (const event of events) client.on(event, (data) => recording.events.push({ event, data }));
        w.clients[name] = { client, recording };
      }, { name, url: pages.wsUrl.replace(/\/ws$/, path), clientOptions, events: options.events ?? [] });
    },
    recording(name) {
      return page.evaluate((name) => {
        const { client, recording } = (globalThis as unknown as PageWindow).clients[name]!;
        return { ...recording, connId: client.connId, state: client.state };
      }, name);
    },
    async waitFor(name, what, check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const recording = await stack.recording(name);
        const value = check(recording);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${name} recorded ${JSON.stringify(recording).slice(0, 2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    call(name, method, ...args) {
      return page.evaluate(async ({ name, method, args }) => {
        const { client } = (globalThis as unknown as PageWindow).clients[name]!;
        const fn = (client as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
        try {
          return { value: await fn.apply(client, args) };
        } catch (error) {
          return { error: (error as Error).message };
        }
      }, { name, method, args });
    },
  };
  t.after(async () => {
    await page.close();
    if (stack.gw) await stopGatewayHard(stack.gw);
    await pages.close();
    await app.close();
  });
  return stack;
}

/** The states a recording went through, in order, without details. */
export const stateNames = (recording: Recording): string[] => recording.states.map((seen) => seen.state);
