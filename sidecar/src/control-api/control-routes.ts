// The control API routes /tapr/ws/conn/send|close|list (SPEC A4) and /tapr/ws/channel/* (SPEC A10) for the app, behind the loopback/token guard. HTTP edge.
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Hub } from '../hub/hub.ts';
import { buildBinaryFrame, buildJsonFrame } from '../connection/outbound-frame.ts';
import { closeCauses } from '../protocol/close-codes.ts';
import { decideBrowserGuard } from './browser-guard.ts';
import { decideControlAccess, hasControlToken } from './control-guard.ts';
import { readLimitedBody } from './read-limited-body.ts';
import {
  parseChannelPrefix, parseCloseCommand, parsePresenceChannel, parseSendCommand, parseSubscribeCommand, parseUnsubscribeCommand, type Validated,
} from './request-schemas.ts';

export const controlBodyLimitBytes = 4 * 1024 * 1024;

type Env = { Bindings: HttpBindings };

export function errorBody(status: number, message: string) {
  return { code: status, message };
}

/** Only the app may call it: loopback peers or the bearer token, and never a browser page (F11). */
function guarded(controlToken: string): Hono<Env> {
  const routes = new Hono<Env>();
  routes.use('*', async (c, next) => {
    const authorization = c.req.header('authorization');
    const access = decideControlAccess(c.env.incoming.socket.remoteAddress, authorization, controlToken);
    if (!access.allowed) return c.json(errorBody(403, access.message), 403);
    const browser = decideBrowserGuard(c.env.incoming.headers, !hasControlToken(authorization, controlToken));
    if (!browser.allowed) return c.json(errorBody(403, browser.message), 403);
    await next();
  });
  return routes;
}

function refuseOtherMethods(routes: Hono<Env>, paths: readonly string[]): void {
  for (const path of paths) {
    routes.all(path, (c) => c.json(errorBody(405, `method ${c.req.method} not allowed on ${c.req.path}`), 405 as ContentfulStatusCode));
  }
}

export function createControlRoutes(hub: Hub, controlToken: string): Hono<Env> {
  const routes = guarded(controlToken);

  routes.post('/send', async (c) => {
    const command = await readCommand(c, parseSendCommand);
    if (!command.ok) return c.json(errorBody(command.status, command.message), command.status);
    const { targets } = command.value;
    const frame = 'payloadBase64' in command.value ? buildBinaryFrame(command.value.payloadBase64) : buildJsonFrame(command.value.payload);
    const result = await hub.send(targets, frame);
    return c.json({ code: 0, message: 'success', data: result });
  });

  routes.post('/close', async (c) => {
    const command = await readCommand(c, parseCloseCommand);
    if (!command.ok) return c.json(errorBody(command.status, command.message), command.status);
    const result = await hub.close(command.value.targets, closeCauses.closedByApp);
    return c.json({ code: 0, message: 'success', data: result });
  });

  routes.get('/list', async (c) => c.json({ code: 0, message: 'success', data: await hub.list() }));

  refuseOtherMethods(routes, ['/send', '/close', '/list']);
  return routes;
}

/** `maxChannels`: WS_MAX_CHANNELS_PER_CONNECTION (a subscribe naming more is refused whole). */
export function createChannelRoutes(hub: Hub, controlToken: string, maxChannels: number): Hono<Env> {
  const routes = guarded(controlToken);

  routes.post('/subscribe', async (c) => {
    const command = await readCommand(c, (body) => parseSubscribeCommand(body, maxChannels));
    if (!command.ok) return c.json(errorBody(command.status, command.message), command.status);
    return c.json({ code: 0, message: 'success', data: await hub.subscribe(command.value.targets, command.value.channels) });
  });

  routes.post('/unsubscribe', async (c) => {
    const command = await readCommand(c, parseUnsubscribeCommand);
    if (!command.ok) return c.json(errorBody(command.status, command.message), command.status);
    return c.json({ code: 0, message: 'success', data: await hub.unsubscribe(command.value.targets, command.value.channels) });
  });

  routes.get('/list', async (c) => {
    const prefix = parseChannelPrefix(c.req.query('prefix'));
    if (!prefix.ok) return c.json(errorBody(400, prefix.message), 400);
    return c.json({ code: 0, message: 'success', data: await hub.listChannels(prefix.value) });
  });

  routes.get('/presence', async (c) => {
    const channel = parsePresenceChannel(c.req.query('channel'));
    if (!channel.ok) return c.json(errorBody(400, channel.message), 400);
    return c.json({ code: 0, message: 'success', data: await hub.presence(channel.value) });
  });

  refuseOtherMethods(routes, ['/subscribe', '/unsubscribe', '/list', '/presence']);
  return routes;
}

type Command<T> = { ok: true; value: T } | { ok: false; status: 400 | 413 | 415; message: string };

async function readCommand<T>(c: Context<Env>, parse: (body: unknown) => Validated<T>): Promise<Command<T>> {
  // A browser can POST text/plain, form or multipart bodies cross-site without a CORS preflight; not application/json (F11).
  const contentType = c.req.header('content-type');
  if (!isJsonContentType(contentType)) {
    return { ok: false, status: 415, message: `content-type: expected application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType.slice(0, 100))}` };
  }
  const read = await readLimitedBody(c.env.incoming, controlBodyLimitBytes);
  if (read.kind === 'too-large') return { ok: false, status: 413, message: `body: larger than ${controlBodyLimitBytes} bytes` };
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch (error) {
    return { ok: false, status: 400, message: `body: invalid JSON (${(error as Error).message})` };
  }
  const parsed = parse(body);
  return parsed.ok ? parsed : { ok: false, status: 400, message: parsed.message };
}

/** `application/json`, with or without parameters such as `; charset=utf-8`. */
function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && value.split(';')[0]!.trim().toLowerCase() === 'application/json';
}
