// A `ws` client that records what it receives and how it was closed, for contract tests. I/O.
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';

export interface RecordingClient {
  readonly socket: WebSocket;
  /** Text frames as strings, binary frames as Buffers, in arrival order. */
  readonly received: (string | Buffer)[];
  /** Resolves with the close code and reason once the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `count` frames have arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<(string | Buffer)[]>;
  send(data: string | Buffer): void;
}

export interface ConnectOptions extends ClientOptions {
  protocols?: string | string[];
}

/** Opens a connection and waits for the handshake; rejects with the HTTP status on a refused upgrade. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<RecordingClient> {
  const { protocols, ...clientOptions } = options;
  const socket = new WebSocket(url, protocols, clientOptions);
  const received: (string | Buffer)[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    received.push(isBinary ? data : data.toString('utf8'));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused with HTTP ${res.statusCode}`), { status: res.statusCode }));
      socket.terminate();
    });
    socket.once('error', reject);
  });
  return {
    socket,
    received,
    closed,
    send: (data) => socket.send(data),
    waitForMessages(count, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received.slice(0, count));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} frames; have ${received.length}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

/** Tries an upgrade that should be refused and resolves with the HTTP status the gateway answered. */
export function upgradeStatus(url: string, options: ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('upgrade was accepted, expected a refusal'));
    });
    socket.once('error', reject);
  });
}
