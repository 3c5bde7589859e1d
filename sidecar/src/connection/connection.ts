// One live client socket: inbound frames to ordered callbacks, outbound frames with a buffer limit, exactly one close callback. I/O.
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { CallbackQueue, type CallbackQueueOwner } from '../callbacks/callback-queue.ts';
import type { CallbackDispatcher, CallbackJob } from '../callbacks/callback-dispatcher.ts';
import { buildCloseBody, buildMessageBody, buildOpenBody, type ConnectionIdentity } from '../protocol/callback-body.ts';
import { parseClientFrame, pongFrame } from '../protocol/client-frame.ts';
import { CloseCode, closeCauses, type CloseCause } from '../protocol/close-codes.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { OutboundFrame } from './outbound-frame.ts';

export interface ConnectionInfo extends ConnectionIdentity {
  /** The client's Cookie header, forwarded on every callback. */
  cookie: string | undefined;
  userAgent: string;
  /** Epoch milliseconds (a number, not a Date: one object less per connection). */
  connectedAt: number;
}

export interface ConnectionDeps {
  dispatcher: CallbackDispatcher;
  metrics: GatewayMetrics;
  log: Logger;
  callbackQueue: number;
  maxBufferedBytes: number;
  /** Called once, after the socket closed and its close callback was queued. */
  onClosed: (connection: Connection) => void;
}

// ws reports protocol violations as errors and closes with these codes itself.
const receiverErrorCodes: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.messageTooBig,
  WS_ERR_INVALID_UTF8: 1007,
};

// The socket's listeners are shared functions that find their Connection through this key,
// instead of five closures per connection.
const owner = Symbol('connection');
type OwnedSocket = WebSocket & { [owner]: Connection };

export class Connection implements CallbackQueueOwner {
  readonly info: ConnectionInfo;
  /** Time of the last inbound frame of any kind (Date.now()). */
  lastActivity = Date.now();
  readonly #ws: WebSocket;
  readonly #deps: ConnectionDeps;
  readonly #callbacks: CallbackQueue;
  #gatewayCloseCause: CloseCause | undefined;
  #paused = false;

  constructor(ws: WebSocket, info: ConnectionInfo, deps: ConnectionDeps) {
    this.#ws = ws;
    this.info = info;
    this.#deps = deps;
    this.#callbacks = new CallbackQueue(this, deps.callbackQueue);
  }

  /** Wires the socket's events; queues the open callback unless it was already delivered (authorize mode). */
  start(options: { openDelivered: boolean }): void {
    const ws = this.#ws as OwnedSocket;
    ws[owner] = this;
    if (!options.openDelivered) this.#queueCallback('open', buildOpenBody(this.info));
    ws.on('message', Connection.#onSocketMessage);
    ws.on('ping', Connection.#onSocketActivity);
    ws.on('pong', Connection.#onSocketActivity);
    ws.on('error', Connection.#onSocketError);
    ws.on('close', Connection.#onSocketClose);
  }

  static #onSocketMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    (this as OwnedSocket)[owner].#onMessage(data, isBinary);
  }

  static #onSocketActivity(this: WebSocket): void {
    (this as OwnedSocket)[owner].#touch();
  }

  static #onSocketError(this: WebSocket, error: Error & { code?: string }): void {
    (this as OwnedSocket)[owner].#onError(error);
  }

  static #onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
    (this as OwnedSocket)[owner].#onClose(code, reason);
  }

  deliverCallback(job: CallbackJob): Promise<unknown> {
    return this.#deps.dispatcher.dispatch(job);
  }

  onCallbackPressure(full: boolean): void {
    this.#setPaused(full);
  }

  get isClosing(): boolean {
    return this.#gatewayCloseCause !== undefined || this.#ws.readyState !== WebSocket.OPEN;
  }

  /** Paused sockets are not read (callback backpressure) and therefore not closed as idle. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Queues a frame; false when closing or when the client is a slow consumer (then it is being closed with 1013). The hub counts what was sent. */
  send(frame: OutboundFrame): boolean {
    if (this.isClosing) return false;
    const buffered = this.#ws.bufferedAmount;
    // A frame larger than the limit may still go to a client that has nothing queued.
    if (buffered > 0 && buffered + frame.data.length > this.#deps.maxBufferedBytes) {
      this.#deps.metrics.slowConsumers.inc();
      this.#deps.log.info({ conn_id: this.info.connId, buffered }, 'slow consumer, closing');
      this.close(closeCauses.slowConsumer);
      return false;
    }
    this.#ws.send(frame.data, { binary: frame.binary });
    return true;
  }

  /** Starts the closing handshake; ws destroys the socket if the client does not finish it in time. */
  close(cause: CloseCause): void {
    // A socket the client is already closing keeps the client's code and reason for the close callback.
    if (this.isClosing) return;
    this.#gatewayCloseCause = cause;
    this.#ws.close(cause.code, cause.reason);
  }

  /** Ends the socket now (shutdown deadline); the close callback keeps the cause already chosen. */
  terminate(): void {
    this.#ws.terminate();
  }

  /** Sends a protocol-level ping (keeps proxies and the client's own liveness checks happy). */
  ping(): void {
    if (!this.isClosing) this.#ws.ping();
  }

  /** Resolves once every callback queued so far (including the close callback, once closed) was attempted. */
  whenCallbacksDone(): Promise<void> {
    return this.#callbacks.whenIdle();
  }

  #touch(): void {
    this.lastActivity = Date.now();
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    this.#touch();
    const frame = parseClientFrame(data, isBinary);
    if (frame.kind === 'ping') {
      if (!this.isClosing) this.#ws.send(pongFrame);
      return;
    }
    this.#deps.metrics.messagesIn.inc();
    this.#deps.metrics.bytesIn.inc(data.length);
    this.#queueCallback('message', buildMessageBody(this.info, frame));
  }

  #onError(error: Error & { code?: string }): void {
    const code = error.code === undefined ? undefined : receiverErrorCodes[error.code] ?? (error.code.startsWith('WS_ERR_') ? 1002 : undefined);
    if (code !== undefined && this.#gatewayCloseCause === undefined) {
      this.#gatewayCloseCause = code === CloseCode.messageTooBig ? closeCauses.messageTooBig : { code, reason: '' };
    }
    this.#deps.log.debug({ conn_id: this.info.connId, error: error.code ?? error.message }, 'client socket error');
  }

  #onClose(code: number, reason: Buffer): void {
    this.#setPaused(false);
    const cause = this.#gatewayCloseCause ?? { code, reason: reason.toString('utf8') };
    this.#deps.metrics.closes.inc({ code: String(cause.code) });
    this.#queueCallback('close', buildCloseBody(this.info, cause));
    this.#deps.log.debug({ conn_id: this.info.connId, code: cause.code }, 'connection closed');
    this.#deps.onClosed(this);
  }

  #queueCallback(action: 'open' | 'message' | 'close', body: string): void {
    this.#callbacks.push({ action, connId: this.info.connId, body, cookie: this.info.cookie });
  }

  #setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    this.#deps.metrics.pausedSockets.inc(paused ? 1 : -1);
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    if (paused) {
      this.#ws.pause();
    } else {
      this.#ws.resume();
      // Time spent paused was the gateway's doing, not the client's silence.
      this.#touch();
    }
  }
}
