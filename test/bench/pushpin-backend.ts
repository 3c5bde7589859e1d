// The app behind Pushpin in the benchmark: a WebSocket-over-HTTP backend that subscribes every connection to one
// channel on OPEN and echoes every TEXT message inline in its answer. I/O.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { encodeEvents, parseEvents, subscribeEvent, type WsEvent } from './ws-over-http.ts';

export interface PushpinBackend {
  readonly port: number;
  /** OPEN events answered since the start. */
  opens(): number;
  close(): Promise<void>;
}

/** What the backend answers to one request's events: accept and subscribe, echo, or acknowledge a close. */
function answer(events: readonly WsEvent[], channel: string): WsEvent[] {
  const out: WsEvent[] = [];
  for (const event of events) {
    if (event.type === 'OPEN') out.push({ type: 'OPEN' }, subscribeEvent(channel));
    else if (event.type === 'TEXT' && event.content !== undefined) out.push({ type: 'TEXT', content: event.content });
    else if (event.type === 'CLOSE') out.push({ type: 'CLOSE', ...(event.content === undefined ? {} : { content: event.content }) });
  }
  return out;
}

export async function startPushpinBackend(channel: string): Promise<PushpinBackend> {
  let opens = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let events: WsEvent[];
      try {
        events = parseEvents(Buffer.concat(chunks));
      } catch (error) {
        res.writeHead(400).end(String(error));
        return;
      }
      opens += events.filter((e) => e.type === 'OPEN').length;
      // The grip extension lets `c:` control messages through; an empty message-prefix sends the other TEXT events as they are.
      res.writeHead(200, { 'content-type': 'application/websocket-events', 'sec-websocket-extensions': 'grip; message-prefix=""' }).end(encodeEvents(answer(events, channel)));
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    opens: () => opens,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
