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
import type { OutboundFrame } from '../connection/outbound-frame.ts';
import { decideUpgrade, type UpgradeLoad, type UpgradeRejection } from './decide-upgrade.ts';
import { selectSubprotocol } from './subprotocol.ts';

export interface UpgradeEdgeDeps {
  config: GatewayConfig;
  dispatcher: CallbackDispatcher;
  metrics: GatewayMetrics;
  log: Logger;
  load: () => UpgradeLoad;
  /** Whether a peer address may set the user header (WS_TRUSTED_PROXIES). */
  trustedPeer: (address: string | undefined) => boolean;
  /** The socket is no longer waiting for its upgrade (refused or handed to ws): it stops counting as pending. */
  upgradeDone: (socket: Duplex) => void;
  /** Registers and starts the connection once the handshake completed (with the app's inline reply to an authorized open). */
  /** `socket`: the upgraded TCP socket ws now owns; the connection writes app frames to it directly. */
  accept: (ws: WebSocket, socket: Duplex, info: ConnectionInfo, open: { openDelivered: boolean; openReply?: OutboundFrame; subscribe?: readonly string[] }) => void;
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
    // Off, and it must stay off while connection.ts writes frames past ws's sender: with it, ws queues frames.
    perMessageDeflate: false,
    clientTracking: false,
    closeTimeout: closeHandshakeTimeoutMs,
    // Olares echoes the whole header; a client offering several protocols must get exactly one back.
    handleProtocols: selectSubprotocol,
  };
  const wss = new WebSocketServer(options);

  async function handle(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const peer = request.socket.remoteAddress;
    const decision = decideUpgrade(
      {
        method: request.method ?? '',
        url: request.url ?? '/',
        upgrade: header('upgrade'),
        connection: header('connection'),
        key: header('sec-websocket-key'),
        version: header('sec-websocket-version'),
        protocol: header('sec-websocket-protocol'),
        origin: header('origin'),
        user: request.headersDistinct[config.userHeader] ?? [],
        peerTrusted: deps.trustedPeer(peer),
        peer,
        cookie: header('cookie'),
      },
      config,
      deps.load(),
      randomUUID,
    );
    if (decision.kind === 'reject') {
      refuse(socket, decision);
      return;
    }
    const info: ConnectionInfo = {
      connId: randomUUID(),
      userName: decision.userName,
      token: decision.token,
      accessPublic: decision.accessPublic,
      path: decision.path,
      query: decision.query,
      cookie: header('cookie'),
      userAgent: header('user-agent') ?? '',
      connectedAt: Date.now(),
    };
    const openDelivered = config.openMode === 'authorize';
    const open: { openDelivered: boolean; openReply?: OutboundFrame; subscribe?: readonly string[] } = { openDelivered };
    if (openDelivered) {
      const verdict = await authorize(info);
      if (verdict.kind === 'refused') {
        const { status } = verdict;
        refuse(socket, { status, message: status === 503 ? 'the app did not answer the open callback' : 'refused by the app' });
        return;
      }
      if (verdict.reply) open.openReply = verdict.reply;
      if (verdict.subscribe) open.subscribe = verdict.subscribe;
    }
    let accepted = false;
    // Every check ws makes ran in decideUpgrade; what is left (the client left meanwhile) ends the socket without
    // calling back. ws completes the handshake synchronously, so `accepted` is known when handleUpgrade returns.
    if (!socket.destroyed) {
      wss.handleUpgrade(request, socket, head, (ws) => {
        accepted = true;
        deps.accept(ws, socket, info, open);
      });
    }
    deps.upgradeDone(socket);
    if (!accepted) {
      socket.destroy();
      // The app accepted a connection that never opened: it already saw `open`, so it gets its close callback.
      if (openDelivered) void deps.dispatcher.dispatch({ action: 'close', connId: info.connId, body: buildCloseBody(info, { code: CloseCode.abnormal, reason: '' }), cookie: info.cookie });
    }
  }

  /**
   * Accepted (with the app's inline reply, if any: the connection's first frame after `$hello`; or the channels its
   * answer subscribes the connection to), or the status to refuse with.
   */
  async function authorize(info: ConnectionInfo): Promise<{ kind: 'accepted'; reply?: OutboundFrame; subscribe?: readonly string[] } | { kind: 'refused'; status: number }> {
    const result = await deps.dispatcher.dispatch(
      { action: 'open', connId: info.connId, body: buildOpenBody(info), cookie: info.cookie },
      { retryBudgetMs: config.callbackTimeoutMs, nonSuccessIsAnswer: true },
    );
    if (result.kind !== 'delivered') return { kind: 'refused', status: 503 };
    if (result.status >= 200 && result.status < 300) {
      if (result.reply?.kind === 'frame') return { kind: 'accepted', reply: result.reply.frame };
      return result.subscribe && result.subscribe.channels.length > 0 ? { kind: 'accepted', subscribe: result.subscribe.channels } : { kind: 'accepted' };
    }
    return { kind: 'refused', status: result.status >= 300 && result.status <= 599 ? result.status : 502 };
  }

  function refuse(socket: Duplex, refusal: { status: number; message: string; headers?: UpgradeRejection['headers'] }): void {
    const { status, message } = refusal;
    deps.metrics.upgradesRejected.inc({ status: String(status) });
    log.debug({ status, reason: message }, 'upgrade refused');
    deps.upgradeDone(socket);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ code: status, message });
    const extra = Object.entries(refusal.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n${extra}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  return (request, socket, head) => {
    // A client that resets during the handshake must not crash the process.
    socket.on('error', (error) => log.debug({ error: error.message }, 'client socket error during upgrade'));
    handle(request, socket, head).catch((error: unknown) => {
      log.error({ err: error, code: 'GW_ERR_UPGRADE' }, 'upgrade failed');
      refuse(socket, { status: 500, message: 'internal error' });
    });
  };
}
