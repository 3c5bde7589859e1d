// Client for the gateway's control API (SPEC A4) as the chat app uses it: send, close, list. I/O.
import type { SendTarget } from './chat-room.ts';

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
    const response = await fetch(`${baseUrl}/tapr/ws/conn/${path}`, {
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
      const target = 'users' in to ? { users: to.users } : { conn_id: to.connId };
      const answer = await call('send', { ...target, payload });
      return (answer.data as { sent?: number } | undefined)?.sent ?? 0;
    },
    async close(users) {
      const answer = await call('close', { users });
      return (answer.data as { closed?: number } | undefined)?.closed ?? 0;
    },
    async list() {
      const answer = await call('list');
      return Array.isArray(answer.data) ? (answer.data as ListedUser[]) : [];
    },
  };
}
