// The chat app: an HTTP server for the gateway's callbacks that runs the chat state machine, performs its actions
// through the control API and answers the sender inline (SPEC A9). I/O (the logic is in chat-room.ts).
//
// Run alone:  node examples/chat/app.ts --port 8888 --gateway http://127.0.0.1:40010
// (or APP_PORT / APP_HOST / WS_GATEWAY_URL / WS_URL in the environment), next to a gateway started with
// WS_PORT=8888 WS_URL=/ws/message — the `options.websocket` block of an OlaresManifest.yaml.
// With several replicas, CHAT_REDIS_URL (and CHAT_REDIS_CHANNEL) share the chat's events between them.
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
// From source, so the example runs without a build; an app of its own imports '@tapr-ws/client/app'.
import { createCallbackHandler, createControlClient, type CallbackContext } from '../../client/src/app/index.ts';
import { performAction, readGatewayState } from './chat-actions.ts';
import { announces, emptyChatState, reduceChat, reducePeerEvent, type ChatAction, type ChatEvent, type ChatState } from './chat-room.ts';
import { startEventRelay, type EventRelay } from './event-relay.ts';
import { buildServerFrame, type ClientEvents, type ServerEvents } from './messages.ts';

export interface ChatAppOptions {
  /** Port for the gateway's callbacks (the manifest's `websocket.port`); 0 picks a free one. */
  port: number;
  host?: string;
  /** The manifest's `websocket.url`. */
  callbackPath?: string;
  /** The gateway's control API on loopback, e.g. `http://127.0.0.1:40010`. */
  gatewayUrl: string;
  /** One line per event; never receives tokens, cookies or message texts. */
  log?: (line: string) => void;
  /** Failures (control API calls, bad callbacks); defaults to `log`. */
  warn?: (line: string) => void;
  /** Several replicas: share chat events over this Redis (see event-relay.ts). */
  redis?: { url: string; channel: string };
}

export interface ChatApp {
  readonly port: number;
  close(): Promise<void>;
}

function shortId(connId: string): string {
  return connId.slice(0, 8);
}

function describe(action: ChatAction): string {
  switch (action.kind) {
    case 'close':
      return `close users=${action.users.join(',')}`;
    case 'reply':
      return `reply ${action.payload.type}`;
    case 'subscribe':
    case 'unsubscribe':
      return `${action.kind} conn=${shortId(action.connId)} room=${action.room}`;
    case 'send': {
      const { to } = action;
      const target = 'users' in to ? `users=${to.users.join(',')}` : 'connId' in to ? `conn=${shortId(to.connId)}` : `room=${to.room}${to.exceptConn ? ` except conn=${shortId(to.exceptConn)}` : ''}`;
      return `send ${action.payload.type} ${target}`;
    }
  }
}

/**
 * Starts the app. Before listening it asks the gateway who is already connected (`list`) and who is in which room (the
 * rooms' channels), so a restarted app still knows both; callbacks sent meanwhile are retried by the gateway.
 */
export async function startChatApp(options: ChatAppOptions): Promise<ChatApp> {
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? log;
  const callbackPath = options.callbackPath ?? '/ws/message';
  const control = createControlClient(options.gatewayUrl);
  let state: ChatState = emptyChatState;
  // Actions run one at a time in the order the state machine produced them, so every page sees
  // room updates and lines in the same order. The callback is answered once its actions are done:
  // the gateway sends a connection's next callback only then, which keeps one user's lines in order.
  let queue: Promise<void> = Promise.resolve();
  function perform(actions: ChatAction[]): Promise<void> {
    queue = queue.then(async () => {
      for (const action of actions) {
        if (action.kind === 'reply') continue;
        try {
          await performAction(control, action);
        } catch (err) {
          // A failed delivery loses one chat line; the chat goes on (the gateway may be restarting).
          warn(`chat: ${describe(action)} failed: ${(err as Error).message}`);
        }
      }
    });
    return queue;
  }

  // Other replicas' events update this replica's rooms and presence; their actions were performed by their origin,
  // except the announcement of a user gone on two replicas at once (reducePeerEvent).
  const relay: EventRelay | undefined = options.redis === undefined ? undefined : await startEventRelay({
    ...options.redis,
    warn,
    onPeerEvent: (event, originAnnounced) => {
      const reduction = reducePeerEvent(state, event, originAnnounced);
      state = reduction.state;
      if (reduction.actions.length > 0) {
        log(`chat: peer ${event.kind} conn=${event.kind === 'resync' ? '' : shortId(event.connId)} announced by nobody → ${reduction.actions.map(describe).join('; ')}`);
        void perform(reduction.actions);
      }
    },
  });

  try {
    const resync = await readGatewayState(control);
    state = reduceChat(state, resync).state;
    log(`chat: resynced ${resync.conns.length} connection(s) and ${resync.rooms?.length ?? 0} room(s) from the gateway`);
  } catch (err) {
    warn(`chat: could not list the gateway's connections, starting empty (${(err as Error).message})`);
  }

  /** One callback through the state machine; the answer to the sender rides on the callback's answer (SPEC A9). */
  async function handle(event: Exclude<ChatEvent, { kind: 'resync' }>, ctx?: CallbackContext<ServerEvents>): Promise<void> {
    const reduction = reduceChat(state, event);
    state = reduction.state;
    if (relay !== undefined) await relay.publish(event, announces(reduction.actions));
    log(`chat: ${event.kind} user=${event.user || '(anonymous)'} conn=${shortId(event.connId)} → ${reduction.actions.map(describe).join('; ') || 'nothing'}`);
    await perform(reduction.actions);
    const answer = reduction.actions.find((action) => action.kind === 'reply');
    if (answer !== undefined && ctx !== undefined) {
      const { event: name, data } = buildServerFrame(answer.payload);
      ctx.reply(name, data);
    }
  }

  const message = (event: keyof ClientEvents) => (ctx: CallbackContext<ServerEvents>, data: unknown) =>
    handle({ kind: 'message', connId: ctx.connId, user: ctx.user, event, data }, ctx);
  // The kit validates the callback, answers 400 naming a bad field, and dispatches each page frame by its event.
  const callbacks = createCallbackHandler<ClientEvents, ServerEvents>({
    control,
    onOpen: (ctx) => handle({ kind: 'open', connId: ctx.connId, user: ctx.user }, ctx),
    events: { join: message('join'), say: message('say'), dm: message('dm'), kick: message('kick') },
    onMessage: (ctx, frame) => handle({ kind: 'message', connId: ctx.connId, user: ctx.user, event: frame.event, data: frame.data }, ctx),
    onClose: (info) => handle({ kind: 'close', connId: info.connId, user: info.user }),
    onError: (err) => warn(`chat: callback failed: ${(err as Error).message}`),
  });

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === callbackPath) {
      void callbacks(req, res);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.listen(options.port, options.host ?? '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      await queue;
      await relay?.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.APP_PORT ?? '8888' },
      host: { type: 'string', default: process.env.APP_HOST ?? '127.0.0.1' },
      gateway: { type: 'string', default: process.env.WS_GATEWAY_URL ?? 'http://127.0.0.1:40010' },
      path: { type: 'string', default: process.env.WS_URL ?? '/ws/message' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port / APP_PORT: expected a port 0-65535, got ${JSON.stringify(values.port)}`);
    process.exit(2);
  }
  const redisUrl = process.env.CHAT_REDIS_URL ?? '';
  const redis = redisUrl === '' ? undefined : { url: redisUrl, channel: process.env.CHAT_REDIS_CHANNEL ?? 'chat-example:events' };
  const app = await startChatApp({ port, host: values.host, gatewayUrl: values.gateway, callbackPath: values.path, ...(redis === undefined ? {} : { redis }) });
  console.log(`chat app: callbacks on http://${values.host}:${app.port}${values.path}, control API at ${values.gateway}${redis === undefined ? '' : `, events shared on ${redis.channel}`}`);
  const stop = () => { app.close().then(() => process.exit(0), () => process.exit(1)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.main) await main();
