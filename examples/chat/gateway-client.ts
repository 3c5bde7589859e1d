// Client for the gateway's control API (SPEC A4, A10) as the chat app uses it: send, close, list, subscribe, unsubscribe. I/O.
import { roomChannel, type SendTarget } from './chat-room.ts';

export interface ListedUser {
  name: string;
  conns: { id: string }[];
  public_conns: { id: string }[];
}

export interface GatewayClient {
  /** POST /tapr/ws/conn/send; resolves with how many connections the frame was queued to. */
  send(to: SendTarget, payload: unknown): Promise<number>;
  /** POST /tapr/ws/conn/close; resolves with how many connections were closed (code 1000). */
  close(users: string[]): Promise<number>;
  /** GET /tapr/ws/conn/list */
  list(): Promise<ListedUser[]>;
  /** POST /tapr/ws/channel/subscribe for one connection and the room's channel. */
  subscribe(connId: string, room: string): Promise<void>;
  /** POST /tapr/ws/channel/unsubscribe */
  unsubscribe(connId: string, room: string): Promise<void>;
  /** The rooms' channels the gateway holds, with their members oldest first (channel list + presence). */
  rooms(): Promise<{ room: string; members: { connId: string; user: string }[] }[]>;
}

interface Presence {
  users: { name: string; conns: { id: string; connectedAt: string }[] }[];
}

interface Answer {
  code: number;
  message: string;
  data?: unknown;
}

const TIMEOUT_MS = 5000;

/** `baseUrl` is the gateway on loopback, e.g. `http://127.0.0.1:40010` (the control API answers loopback only). */
export function createGatewayClient(baseUrl: string): GatewayClient {
  async function call(path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${baseUrl}/tapr/ws/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const answer = (await response.json()) as Answer;
    if (!response.ok || answer.code !== 0) {
      throw new Error(`control API ${path}: HTTP ${response.status}: ${answer.message}`);
    }
    return answer;
  }

  return {
    async send(to, payload) {
      const answer = await call('conn/send', { ...targetOf(to), payload });
      return (answer.data as { sent?: number } | undefined)?.sent ?? 0;
    },
    async close(users) {
      const answer = await call('conn/close', { users });
      return (answer.data as { closed?: number } | undefined)?.closed ?? 0;
    },
    async list() {
      const answer = await call('conn/list');
      return Array.isArray(answer.data) ? (answer.data as ListedUser[]) : [];
    },
    async subscribe(connId, room) {
      await call('channel/subscribe', { conn_id: connId, channels: [roomChannel(room)] });
    },
    async unsubscribe(connId, room) {
      await call('channel/unsubscribe', { conn_id: connId, channels: [roomChannel(room)] });
    },
    async rooms() {
      const prefix = roomChannel('');
      const channels = (await call(`channel/list?prefix=${encodeURIComponent(prefix)}`)).data as { channel: string }[];
      return Promise.all(channels.map(async ({ channel }) => {
        const presence = (await call(`channel/presence?channel=${encodeURIComponent(channel)}`)).data as Presence;
        const members = presence.users.flatMap((user) => user.conns.map((conn) => ({ connId: conn.id, user: user.name, at: conn.connectedAt })));
        members.sort((a, b) => a.at.localeCompare(b.at));
        return { room: channel.slice(prefix.length), members: members.map(({ connId, user }) => ({ connId, user })) };
      }));
    },
  };
}

function targetOf(to: SendTarget): Record<string, unknown> {
  if ('users' in to) return { users: to.users };
  if ('connId' in to) return { conn_id: to.connId };
  return to.exceptConn === undefined ? { channels: [roomChannel(to.room)] } : { channels: [roomChannel(to.room)], except_conns: [to.exceptConn] };
}
