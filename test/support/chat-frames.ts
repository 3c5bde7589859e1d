// The chat example's frames for tests: pages send `{"event":type,"data":fields}`, and the app's frames read back as
// the chat's messages `{type, …fields}`, so checks name a message as examples/chat/messages.ts does. Pure.

export type ChatFrame = Record<string, unknown>;

/** What a page's `ws.send(type, fields)` puts on the wire. */
export function chatMessage(type: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ event: type, data: fields });
}

/** An app frame `{"event","data"}` as the message `{type: event, …data}`. */
export function readChatFrame(frame: string | Buffer): ChatFrame {
  const { event, data } = JSON.parse(String(frame)) as { event: string; data?: ChatFrame };
  return { type: event, ...data };
}
