// The control API routes /tapr/ws/conn/send|close|list (SPEC A4) and /tapr/ws/channel/* (SPEC A10) for the app, behind the loopback/token guard. HTTP edge.
import type { IncomingMessage } from 'node:http';
import type { Hub } from '../hub/hub.ts';
import { buildBinaryFrame, buildJsonFrame } from '../connection/outbound-frame.ts';
import { errorReply, successReply, type HttpReply } from '../http/http-reply.ts';
import { readBody } from '../http/read-body.ts';
import { queryOf, type RouteGroup } from '../http/route-table.ts';
import { closeCauses } from '../protocol/close-codes.ts';
import { decideBrowserGuard } from './browser-guard.ts';
import { decideControlAccess, hasControlToken } from './control-guard.ts';
import {
  parseChannelPrefix, parseCloseCommand, parsePresenceChannel, parseSendCommand, parseSubscribeCommand, parseUnsubscribeCommand, type Validated,
} from './request-schemas.ts';

export const controlBodyLimitBytes = 4 * 1024 * 1024;
/** Past this much, an oversized body is no longer read on and discarded for its 413: the connection is closed. */
const controlBodyDrainBytes = 64 * 1024 * 1024;

/** Only the app may call it: loopback peers or the bearer token, and never a browser page (F11). */
function buildControlGuard(controlToken: string): (request: IncomingMessage) => HttpReply | undefined {
  return (request) => {
    const authorization = request.headers.authorization;
    const access = decideControlAccess(request.socket.remoteAddress, authorization, controlToken);
    if (!access.allowed) return errorReply(403, access.message);
    const browser = decideBrowserGuard(request.headers, !hasControlToken(authorization, controlToken));
    if (!browser.allowed) return errorReply(403, browser.message);
    return undefined;
  };
}

export function createControlRoutes(hub: Hub, controlToken: string): RouteGroup {
  return {
    prefix: '/tapr/ws/conn',
    guard: buildControlGuard(controlToken),
    refuseOtherMethods: true,
    routes: {
      '/send': {
        POST: async (request) => {
          const command = await readCommand(request, parseSendCommand);
          if (!command.ok) return errorReply(command.status, command.message);
          const { targets } = command.value;
          const frame = 'payloadBase64' in command.value ? buildBinaryFrame(command.value.payloadBase64) : buildJsonFrame(command.value.payload);
          return successReply(await hub.send(targets, frame));
        },
      },
      '/close': {
        POST: async (request) => {
          const command = await readCommand(request, parseCloseCommand);
          if (!command.ok) return errorReply(command.status, command.message);
          return successReply(await hub.close(command.value.targets, closeCauses.closedByApp));
        },
      },
      '/list': { GET: async () => successReply(await hub.list()) },
    },
  };
}

/** `maxChannels`: WS_MAX_CHANNELS_PER_CONNECTION (a subscribe naming more is refused whole). */
export function createChannelRoutes(hub: Hub, controlToken: string, maxChannels: number): RouteGroup {
  return {
    prefix: '/tapr/ws/channel',
    guard: buildControlGuard(controlToken),
    refuseOtherMethods: true,
    routes: {
      '/subscribe': {
        POST: async (request) => {
          const command = await readCommand(request, (body) => parseSubscribeCommand(body, maxChannels));
          if (!command.ok) return errorReply(command.status, command.message);
          return successReply(await hub.subscribe(command.value.targets, command.value.channels));
        },
      },
      '/unsubscribe': {
        POST: async (request) => {
          const command = await readCommand(request, parseUnsubscribeCommand);
          if (!command.ok) return errorReply(command.status, command.message);
          return successReply(await hub.unsubscribe(command.value.targets, command.value.channels));
        },
      },
      '/list': {
        GET: async (request) => {
          const prefix = parseChannelPrefix(queryOf(request).get('prefix') ?? undefined);
          if (!prefix.ok) return errorReply(400, prefix.message);
          return successReply(await hub.listChannels(prefix.value));
        },
      },
      '/presence': {
        GET: async (request) => {
          const channel = parsePresenceChannel(queryOf(request).get('channel') ?? undefined);
          if (!channel.ok) return errorReply(400, channel.message);
          return successReply(await hub.presence(channel.value));
        },
      },
    },
  };
}

type Command<T> = { ok: true; value: T } | { ok: false; status: 400 | 413 | 415; message: string };

async function readCommand<T>(request: IncomingMessage, parse: (body: unknown) => Validated<T>): Promise<Command<T>> {
  // A browser can POST text/plain, form or multipart bodies cross-site without a CORS preflight; not application/json (F11).
  const contentType = request.headers['content-type'];
  if (!isJsonContentType(contentType)) {
    return { ok: false, status: 415, message: `content-type: expected application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType.slice(0, 100))}` };
  }
  const read = await readBody(request, { limitBytes: controlBodyLimitBytes, drainUpToBytes: controlBodyDrainBytes });
  if (read.kind === 'too-large') return { ok: false, status: 413, message: `body: larger than ${controlBodyLimitBytes} bytes` };
  // The caller went away mid-body: nobody is left to answer (logged at debug by the HTTP edge).
  if (read.kind === 'incomplete') throw new Error('request closed before its body ended');
  let body: unknown;
  try {
    body = JSON.parse(read.data.toString('utf8'));
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
