// Counts the TCP connections that have not completed a WebSocket upgrade (plain HTTP ones included) and refuses
// the ones over WS_MAX_PENDING_UPGRADES with 503, so half-open and slowloris sockets cannot pile up. I/O.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

export interface PendingSockets {
  /** Sockets accepted and not yet upgraded or closed. */
  readonly count: number;
  /** The socket finished its upgrade (or was refused): it no longer counts. Idempotent. */
  done(socket: Duplex): void;
}

const pending = Symbol('pendingUpgrade');
type Tracked = Duplex & { [pending]?: boolean };

const refusalBody = JSON.stringify({ code: 503, message: 'too many connections waiting to upgrade; retry later' });
const refusal =
  `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\nRetry-After: 1\r\n` +
  `Content-Length: ${Buffer.byteLength(refusalBody)}\r\n\r\n${refusalBody}`;

export function trackPendingSockets(server: Server, options: { max: number; onRefused: () => void }): PendingSockets {
  let count = 0;

  function done(socket: Duplex): void {
    const tracked = socket as Tracked;
    if (tracked[pending] !== true) return;
    tracked[pending] = false;
    count--;
  }

  server.on('connection', (socket: Duplex) => {
    if (count >= options.max) {
      options.onRefused();
      socket.on('error', () => undefined);
      socket.end(refusal, () => socket.destroy());
      return;
    }
    (socket as Tracked)[pending] = true;
    count++;
    socket.once('close', () => done(socket));
  });

  return {
    get count() {
      return count;
    },
    done,
  };
}
