// The I/O edge of a WebSocket upgrade: decide, optionally ask the app (authorize mode), then hand the socket to ws. I/O.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import type { CallbackDispatcher } from '../callbacks/callback-dispatcher.ts';
import type { GatewayConfig } from '../config.ts';
import type { ConnectionInfo } from '../connection/connection.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { buildCloseBody, buildOpenBody } from '../protocol/callback-body.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { decideUpgrade, type UpgradeLoad } from './decide-upgrade.ts';

export interface UpgradeEdgeDeps {
  config: GatewayConfig;
  dispatcher: CallbackDispatcher;
  metrics: GatewayMetrics;
  log: Logger;
  load: () => UpgradeLoad;
  /** Registers and starts the connection once the handshake completed. */
  accept: (ws: WebSocket, info: ConnectionInfo, openDelivered: boolean) => void;
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** How long a client may take to answer the gateway's close frame before its socket is destroyed. */
export const closeHandshakeTimeoutMs = 5000;

export function createUpgradeHandler(deps: UpgradeEdgeDeps): UpgradeHandler {
  const { config, log } = deps;
  // closeTimeout exists in ws 8.18+ but not yet in @types/ws.
  const options: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: config.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
    closeTimeout: closeHandshakeTimeoutMs,
    // Olares echoes the whole header; a client offering several protocols must get exactly one back.
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  };
  const wss = new WebSocketServer(options);

  async function handle(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const decision = decideUpgrade(
      { url: request.url ?? '/', origin: header('origin'), user: header(config.userHeader), cookie: header('cookie'), key: header('sec-websocket-key'), version: header('sec-websocket-version') },
      config,
      deps.load(),
      randomUUID,
    );
    if (decision.kind === 'reject') {
      refuse(socket, decision.status, decision.message);
      return;
    }
    const info: ConnectionInfo = {
      connId: randomUUID(),
      userName: decision.userName,
      token: decision.token,
      accessPublic: decision.accessPublic,
      cookie: header('cookie'),
      userAgent: header('user-agent') ?? '',
      connectedAt: Date.now(),
    };
    const openDelivered = config.openMode === 'authorize';
    if (openDelivered) {
      const status = await authorize(info);
      if (status !== undefined) {
        refuse(socket, status, status === 503 ? 'the app did not answer the open callback' : 'refused by the app');
        return;
      }
      if (socket.destroyed) {
        // The app accepted a connection whose client left meanwhile: it still gets its close callback.
        void deps.dispatcher.dispatch({ action: 'close', connId: info.connId, body: buildCloseBody(info, { code: CloseCode.abnormal, reason: '' }), cookie: info.cookie });
        return;
      }
    }
    wss.handleUpgrade(request, socket, head, (ws) => deps.accept(ws, info, openDelivered));
  }

  /** undefined when the app accepted; otherwise the status to refuse the handshake with. */
  async function authorize(info: ConnectionInfo): Promise<number | undefined> {
    const result = await deps.dispatcher.dispatch(
      { action: 'open', connId: info.connId, body: buildOpenBody(info), cookie: info.cookie },
      { retryBudgetMs: config.callbackTimeoutMs, nonSuccessIsAnswer: true },
    );
    if (result.kind !== 'delivered') return 503;
    if (result.status >= 200 && result.status < 300) return undefined;
    return result.status >= 300 && result.status <= 599 ? result.status : 502;
  }

  function refuse(socket: Duplex, status: number, message: string): void {
    deps.metrics.upgradesRejected.inc({ status: String(status) });
    log.debug({ status, reason: message }, 'upgrade refused');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ code: status, message });
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  return (request, socket, head) => {
    // A client that resets during the handshake must not crash the process.
    socket.on('error', (error) => log.debug({ error: error.message }, 'client socket error during upgrade'));
    handle(request, socket, head).catch((error: unknown) => {
      log.error({ err: error, code: 'GW_ERR_UPGRADE' }, 'upgrade failed');
      refuse(socket, 500, 'internal error');
    });
  };
}
