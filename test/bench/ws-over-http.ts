// Pushpin's WebSocket-over-HTTP event format (application/websocket-events): "TYPE [hex length]\r\n[content\r\n]". Pure.

export interface WsEvent { type: string; content?: string }

/** Encodes events for a response body; content lengths are in bytes, as the protocol counts them. */
export function encodeEvents(events: readonly WsEvent[]): string {
  return events.map((e) => (e.content === undefined ? `${e.type}\r\n` : `${e.type} ${Buffer.byteLength(e.content).toString(16)}\r\n${e.content}\r\n`)).join('');
}

/** Decodes a request body; throws on a truncated or malformed event, so the backend answers 400 instead of guessing. */
export function parseEvents(body: Buffer): WsEvent[] {
  const events: WsEvent[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error(`event without CRLF at byte ${at}`);
    const [type, hexLength] = body.toString('latin1', at, lineEnd).split(' ');
    at = lineEnd + 2;
    if (hexLength === undefined) {
      events.push({ type: type! });
      continue;
    }
    const length = Number.parseInt(hexLength, 16);
    if (!Number.isFinite(length) || at + length + 2 > body.length) throw new Error(`${type} event: ${hexLength} bytes do not fit`);
    events.push({ type: type!, content: body.toString('utf8', at, at + length) });
    at += length + 2;
  }
  return events;
}

/** The GRIP control message that subscribes the connection to `channel` (sent as TEXT with the `c:` prefix). */
export function subscribeEvent(channel: string): WsEvent {
  return { type: 'TEXT', content: `c:${JSON.stringify({ type: 'subscribe', channel })}` };
}
