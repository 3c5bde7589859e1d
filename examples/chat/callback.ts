// Validates a gateway callback body (SPEC A3) and turns it into a chat event. Pure.
import type { ChatEvent } from './chat-room.ts';

export type ParsedCallback = { ok: true; event: ChatEvent } | { ok: false; error: string };

/**
 * The body is `{"action":"open|message|close","conn_id","user_name","data","token","access_public",...}`.
 * The chat needs only the action, the connection and the user; `token` is deliberately not kept.
 */
export function parseCallback(body: unknown): ParsedCallback {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'body: expected a JSON object' };
  const record = body as Record<string, unknown>;
  const { action, conn_id: connId, user_name: user } = record;
  if (typeof connId !== 'string' || connId === '') return { ok: false, error: 'conn_id: expected a non-empty string' };
  if (typeof user !== 'string') return { ok: false, error: 'user_name: expected a string' };
  switch (action) {
    case 'open':
      return { ok: true, event: { kind: 'open', connId, user } };
    case 'close':
      return { ok: true, event: { kind: 'close', connId, user } };
    case 'message':
      return { ok: true, event: { kind: 'message', connId, user, data: record.data } };
    default:
      return { ok: false, error: 'action: expected "open", "message" or "close"' };
  }
}
