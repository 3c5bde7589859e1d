// The chat's own wire messages: what the page sends (validated here) and what the app sends back. Pure.

/** What a page may send, as the frame `{"event":type,"data":{…the other fields}}`. */
export type ClientMessage =
  | { type: 'join'; room: string }
  | { type: 'say'; text: string }
  | { type: 'dm'; to: string; text: string }
  | { type: 'kick'; user: string };

/** A room as its members see it; `owner` is the earliest member still in it (may kick). */
export interface RoomView {
  name: string;
  members: string[];
  owner: string;
}

/** What the app sends to pages, as the frame `{"event":type,"data":{…the other fields}}` (buildServerFrame). */
export type ServerMessage =
  | { type: 'welcome'; user: string; online: string[]; room: RoomView | null }
  | { type: 'presence'; online: string[] }
  | { type: 'room'; room: RoomView; joined?: string; left?: string }
  | { type: 'said'; room: string; from: string; text: string }
  | { type: 'dm'; from: string; to: string; text: string }
  | { type: 'kicked'; by: string }
  | { type: 'error'; message: string };

export const ROOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
export const MAX_TEXT_CHARS = 500;

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readText(value: unknown, field: string): { ok: true; text: string } | { ok: false; error: string } {
  if (typeof value !== 'string') return { ok: false, error: `${field}: expected a string` };
  const text = value.trim();
  if (text === '') return { ok: false, error: `${field}: must not be empty` };
  if (text.length > MAX_TEXT_CHARS) return { ok: false, error: `${field}: at most ${MAX_TEXT_CHARS} characters` };
  return { ok: true, text };
}

function readUser(value: unknown, field: string): { ok: true; user: string } | { ok: false; error: string } {
  if (typeof value !== 'string' || value === '') return { ok: false, error: `${field}: expected a user name` };
  return { ok: true, user: value };
}

/**
 * Validates a page's frame `{"event":…,"data":…}` (createClient's `send`): the event is the message's type, the data
 * its fields. `event` is undefined for frames that are no event frame.
 */
export function parseClientMessage(event: string | undefined, data: unknown): ParsedClientMessage {
  if (event === undefined) return { ok: false, error: 'message: expected a frame {"event":…,"data":{…}}' };
  const fields = isRecord(data) ? data : {};
  switch (event) {
    case 'join': {
      if (typeof fields.room !== 'string' || !ROOM_NAME.test(fields.room)) {
        return { ok: false, error: 'room: 1-32 letters, digits, "-" or "_", starting with a letter or digit' };
      }
      return { ok: true, message: { type: 'join', room: fields.room } };
    }
    case 'say': {
      const text = readText(fields.text, 'text');
      return text.ok ? { ok: true, message: { type: 'say', text: text.text } } : text;
    }
    case 'dm': {
      const to = readUser(fields.to, 'to');
      if (!to.ok) return to;
      const text = readText(fields.text, 'text');
      return text.ok ? { ok: true, message: { type: 'dm', to: to.user, text: text.text } } : text;
    }
    case 'kick': {
      const user = readUser(fields.user, 'user');
      return user.ok ? { ok: true, message: { type: 'kick', user: user.user } } : user;
    }
    default:
      return { ok: false, error: 'event: expected "join", "say", "dm" or "kick"' };
  }
}

type Fields<M extends { type: string }> = { [K in M as K['type']]: Omit<K, 'type'> };

/** The events pages send and their data, for the app kit's typed handlers. */
export type ClientEvents = Fields<ClientMessage>;
/** The events the app sends pages and their data (createClient's `on(event)`). */
export type ServerEvents = Fields<ServerMessage>;

/** A server message as the frame pages receive: its type is the event, the rest the data. */
export function buildServerFrame(message: ServerMessage): { event: keyof ServerEvents; data: ServerEvents[keyof ServerEvents] } {
  const { type, ...data } = message;
  return { event: type, data };
}
