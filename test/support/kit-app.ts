// A small app built on the app kit (client/src/app), served by node:http or by hono, for the kit's contract tests:
// typed events, inline replies in order, $reply, subscribe on open, close callbacks. I/O.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import { createCallbackHandler, type CallbackHandler, type CloseInfo } from '../../client/src/app/index.ts';
import { CALLBACK_PATH } from './stack.ts';

export interface KitClientEvents {
  chat: { text: string };
  sum: { a: number; b: number };
  whoami: Record<string, never>;
  join: { channel: string };
}
export interface KitServerEvents {
  said: { text: string };
  whoami: { connId: string; user: string; path: string; query: string };
  welcome: { user: string };
  joined: { channel: string };
}

export type KitServer = 'node:http' | 'hono';

export interface KitApp {
  readonly port: number;
  /** Close callbacks as the kit handed them over. */
  readonly closes: CloseInfo[];
  /** Errors the kit reported (handlers that threw). */
  readonly errors: string[];
  /** The gateway's control API, once it is running (the gateway needs the app's port first). */
  useGateway(baseUrl: string): void;
  close(): Promise<void>;
}

/**
 * Every connection joins `lobby` through the open answer; on `/ws/welcome` the open also replies inline (then the kit
 * subscribes through the control API first). Messages: `chat` echoes inline, `sum` answers a request, `whoami` tells
 * the connection what the kit saw, `join` subscribes through the control API; anything else is echoed by onMessage.
 */
function buildHandler(baseUrl: string, closes: CloseInfo[], errors: string[]): CallbackHandler {
  return createCallbackHandler<KitClientEvents, KitServerEvents>({
    control: baseUrl,
    async onOpen(ctx) {
      await ctx.subscribe(['lobby']);
      if (ctx.path === '/ws/welcome') ctx.reply('welcome', { user: ctx.user });
    },
    events: {
      chat(ctx, data) { ctx.reply('said', { text: data.text }); },
      sum(ctx, data) { ctx.replyTo({ sum: data.a + data.b }); },
      whoami(ctx) { ctx.reply('whoami', { connId: ctx.connId, user: ctx.user, path: ctx.path, query: ctx.query }); },
      async join(ctx, data) {
        await ctx.subscribe([data.channel]);
        ctx.reply('joined', { channel: data.channel });
      },
    },
    onMessage(ctx, message) { ctx.reply('said', { text: `other: ${JSON.stringify(message)}` }); },
    onClose(info) { closes.push(info); },
    onError(error) { errors.push(String(error)); },
  });
}

export async function startKitApp(kind: KitServer): Promise<KitApp> {
  const closes: CloseInfo[] = [];
  const errors: string[] = [];
  let handler: CallbackHandler | undefined;
  const unready = () => new Response('{"error":"no gateway yet"}', { status: 503 });

  let server: Server;
  if (kind === 'node:http') {
    server = createServer((req, res) => {
      if (handler === undefined || req.url?.split('?')[0] !== CALLBACK_PATH) res.writeHead(handler === undefined ? 503 : 404).end();
      else void handler(req, res);
    });
  } else {
    const app = new Hono();
    app.post(CALLBACK_PATH, (c) => (handler === undefined ? unready() : handler.fetch(c.req.raw)));
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    closes,
    errors,
    useGateway(baseUrl) { handler = buildHandler(baseUrl, closes, errors); },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
