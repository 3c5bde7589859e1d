// One live client socket: inbound frames to ordered callbacks, outbound frames with a buffer limit, exactly one close callback. I/O.
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { CallbackQueue, type CallbackQueueLimits, type CallbackQueueOwner } from '../callbacks/callback-queue.ts';
import type { CallbackDispatcher, CallbackJob } from '../callbacks/callback-dispatcher.ts';
import { buildCloseBody, buildMessageBody, buildOpenBody, type ConnectionIdentity } from '../protocol/callback-body.ts';
import { parseClientFrame, pongFrame } from '../protocol/client-frame.ts';
import { CloseCode, closeCauses, type CloseCause } from '../protocol/close-codes.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { buildHelloFrame, type HelloTimers } from '../protocol/hello-frames.ts';
import { helloProtocol } from '../upgrade/subprotocol.ts';
import { HeldFrames } from './held-frames.ts';
import { refillTokens, type InboundRateLimit } from './inbound-rate-limit.ts';
import type { OutboundFrame } from './outbound-frame.ts';
import { encodeWireFrame } from './wire-frame.ts';

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
  /** WS_CALLBACK_QUEUE and WS_CALLBACK_QUEUE_BYTES, one object shared by every connection. */
  callbackLimits: CallbackQueueLimits;
  inboundRateLimit: InboundRateLimit;
  maxBufferedBytes: number;
  /** What `$hello` tells `tapr-ws.v1` clients (SPEC A12), from WS_PING_TIMEOUT_MS. */
  helloTimers: HelloTimers;
  /** Called once, after the socket closed and its close callback was queued (behind any frames still held). */
  onClosed: (connection: Connection) => void;
  /** The app's answer to the open callback named channels to join (SPEC A10). */
  subscribe: (connection: Connection, channels: readonly string[]) => void;
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
let nextSerial = 0;

export class Connection implements CallbackQueueOwner {
  readonly info: ConnectionInfo;
  /** Order of creation in this process (a small integer): which slice of the ping sweep it is in. */
  readonly serial = nextSerial++;
  /** Time of the last inbound frame of any kind (Date.now()). */
  lastActivity = Date.now();
  /** The channels it is in (SPEC A10), written by the registry's channel index only; undefined until its first. */
  channels: Set<string> | undefined = undefined;
  readonly #ws: WebSocket;
  /** The upgraded TCP socket, which ws writes its own frames to as well. */
  readonly #socket: Duplex;
  readonly #deps: ConnectionDeps;
  readonly #callbacks: CallbackQueue;
  #gatewayCloseCause: CloseCause | undefined;
  #paused = false;
  /** Frames parsed while the callback queue had no room; created on first need (most connections never need it). */
  #held: HeldFrames | undefined;
  /** The close callback, waiting for the held frames ahead of it. */
  #closeAfterHeld: CloseCause | undefined;
  #closed = false;
  /** The channels it was in when its socket closed, for the close callback (SPEC A10). */
  #channelsAtClose: string[] | undefined;
  /** Over the inbound rate limit: being closed with 1008; what it still sends is not accepted. */
  #rateLimited = false;
  #tokens: number;
  #tokensAt = Date.now();
  /** A pong was queued and neither reported written nor seen gone with an empty outbound buffer. */
  #pongQueued = false;
  /** Created on the first pong (most connections never send a JSON ping). */
  #pongWritten: (() => void) | undefined;

  constructor(ws: WebSocket, socket: Duplex, info: ConnectionInfo, deps: ConnectionDeps) {
    this.#ws = ws;
    this.#socket = socket;
    this.info = info;
    this.#deps = deps;
    this.#callbacks = new CallbackQueue(this, deps.callbackLimits);
    this.#tokens = deps.inboundRateLimit.burst;
  }

  /**
   * Wires the socket's events; sends `$hello` to `tapr-ws.v1` clients, then the app's inline reply to an open it
   * already accepted (authorize mode), so nothing reaches the client before them; queues the open callback unless it
   * was already delivered.
   */
  start(options: { openDelivered: boolean; openReply?: OutboundFrame; subscribe?: readonly string[] }): void {
    const ws = this.#ws as OwnedSocket;
    ws[owner] = this;
    if (options.subscribe) this.#deps.subscribe(this, options.subscribe);
    if (this.speaksHello) this.send(buildHelloFrame(this.info.connId, this.#deps.helloTimers));
    if (options.openReply) this.#sendReply(options.openReply);
    if (!options.openDelivered) this.#queueCallback('open', buildOpenBody(this.info));
    ws.on('message', Connection.#onSocketMessage);
    ws.on('ping', Connection.#onSocketPing);
    ws.on('pong', Connection.#onSocketActivity);
    ws.on('error', Connection.#onSocketError);
    ws.on('close', Connection.#onSocketClose);
  }

  static #onSocketMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    (this as OwnedSocket)[owner].#onMessage(data, isBinary);
  }

  static #onSocketPing(this: WebSocket): void {
    (this as OwnedSocket)[owner].#onPing();
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

  /** The queue waits for this before the next callback: an inline reply is queued to the socket first (SPEC A9 order). */
  async deliverCallback(job: CallbackJob): Promise<unknown> {
    const result = await this.#deps.dispatcher.dispatch(job);
    if (result.kind !== 'delivered') return result;
    if (result.reply?.kind === 'frame') this.#sendReply(result.reply.frame);
    if (result.subscribe && result.subscribe.channels.length > 0 && !this.#closed) this.#deps.subscribe(this, result.subscribe.channels);
    return result;
  }

  /** Whether the client offered `tapr-ws.v1` (SPEC A12): it gets `$hello` and `$drain`. */
  get speaksHello(): boolean {
    return this.#ws.protocol === helloProtocol;
  }

  /**
   * `$drain` before the shutdown close, to `tapr-ws.v1` clients only; skipped (not a slow-consumer close) when it
   * would overflow WS_MAX_BUFFERED_BYTES, so the client still gets 1001. `wire`: the frame encoded once for all.
   */
  sendDrainNotice(frame: OutboundFrame, wire: Buffer): void {
    if (!this.speaksHello || this.isClosing) return;
    const buffered = this.#ws.bufferedAmount;
    if (buffered > 0 && buffered + frame.data.length > this.#deps.maxBufferedBytes) return;
    this.#write(wire);
  }

  onCallbackPressure(full: boolean): void {
    if (!full) this.#releaseHeld();
    if (!this.#closed) this.#setPaused(this.#callbacks.isFull || this.#held !== undefined && this.#held.count > 0);
  }

  /** Callbacks waiting or in flight, and their size (WS_CALLBACK_QUEUE, WS_CALLBACK_QUEUE_BYTES). */
  get pendingCallbacks(): number {
    return this.#callbacks.pending;
  }

  get pendingCallbackBytes(): number {
    return this.#callbacks.bytes;
  }

  /** Raw bytes of frames parsed beyond the callback queue's capacity, not yet turned into callbacks. */
  get heldBytes(): number {
    return this.#held?.bytes ?? 0;
  }

  get isClosing(): boolean {
    return this.#gatewayCloseCause !== undefined || this.#ws.readyState !== WebSocket.OPEN;
  }

  /** Paused sockets are not read (callback backpressure) and therefore not closed as idle. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /**
   * Queues a frame; false when closing or when the client is a slow consumer (then it is being closed with 1013).
   * The hub counts what was sent. `wire`: the frame already encoded (encodeWireFrame), so a send to thousands of
   * connections encodes it once.
   */
  send(frame: OutboundFrame, wire?: Buffer): boolean {
    if (this.isClosing || !this.#fitsOutbound(frame.data.length)) return false;
    this.#write(wire ?? encodeWireFrame(frame));
    return true;
  }

  /**
   * An app frame goes to the socket ready-made, past ws's sender: one write per socket and no framing per socket,
   * which is what makes a broadcast faster than a plain ws server's loop of ws.send. Correct because, with
   * permessage-deflate off (upgrade-edge.ts), ws never holds a frame back: it writes its own pings, pongs and close
   * frames at once and whole, so frames cannot interleave, and its bufferedAmount counts the socket's queue either way.
   * Only while the connection is open (isClosing): nothing follows ws's close frame.
   */
  #write(wire: Buffer): void {
    this.#socket.write(wire);
  }

  /** An inline reply goes through the same buffer limit as a control API send. */
  #sendReply(frame: OutboundFrame): void {
    const { metrics } = this.#deps;
    if (!this.send(frame)) {
      metrics.inlineRepliesDropped.inc({ reason: 'closed' });
      return;
    }
    metrics.inlineReplies.inc();
    metrics.messagesOut.inc();
    metrics.bytesOut.inc(frame.data.length);
  }

  /** WS_MAX_BUFFERED_BYTES, for app frames and pongs alike: false (and closing with 1013) when `length` more would overflow. */
  #fitsOutbound(length: number): boolean {
    const buffered = this.#ws.bufferedAmount;
    // A frame larger than the limit may still go to a client that has nothing queued.
    if (buffered > 0 && buffered + length > this.#deps.maxBufferedBytes) {
      this.#deps.metrics.slowConsumers.inc();
      this.#deps.log.info({ conn_id: this.info.connId, buffered }, 'slow consumer, closing');
      this.close(closeCauses.slowConsumer);
      return false;
    }
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
    if (!this.#withinRateLimit()) return;
    // ws parses a whole socket read at once, so frames keep coming after the pause: keep them as raw bytes, in order.
    if (this.#held !== undefined && this.#held.count > 0 || !this.#callbacks.hasRoom) {
      (this.#held ??= new HeldFrames()).push(data, isBinary);
      return;
    }
    this.#accept(data, isBinary);
  }

  #onPing(): void {
    this.#touch();
    this.#withinRateLimit();
  }

  /** Takes one token for an inbound frame; over the limit, closes with 1008 and accepts nothing more. */
  #withinRateLimit(): boolean {
    if (this.#rateLimited) return false;
    const limit = this.#deps.inboundRateLimit;
    if (limit.perSec === 0) return true;
    this.#tokens = refillTokens(this.#tokens, this.lastActivity - this.#tokensAt, limit);
    this.#tokensAt = this.lastActivity;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    this.#rateLimited = true;
    this.#deps.metrics.rateLimited.inc();
    this.#deps.log.info({ conn_id: this.info.connId, code: 'GW_ERR_RATE_LIMITED' }, 'inbound rate limit exceeded, closing');
    this.close(closeCauses.rateLimited);
    // Nothing it sends is accepted any more, so stop reading (and parsing) it; ws ends the socket after closeTimeout.
    this.#ws.pause();
    return false;
  }

  /** Turns one inbound message into a pong or a message callback. */
  #accept(data: Buffer, isBinary: boolean): void {
    const frame = parseClientFrame(data, isBinary);
    if (frame.kind === 'ping') {
      this.#pong();
      return;
    }
    this.#deps.metrics.messagesIn.inc();
    this.#deps.metrics.bytesIn.inc(data.length);
    this.#queueCallback('message', buildMessageBody(this.info, frame));
  }

  #pong(): void {
    if (this.isClosing) return;
    // One pong at a time (F1): while a queued pong may still wait in the outbound buffer, a client that pings
    // without reading gets no other. It left once ws reports it written, or once the buffer is seen empty
    // (the report comes a tick later, and several pings may arrive in one read).
    if (this.#ws.bufferedAmount === 0) this.#pongQueued = false;
    if (this.#pongQueued || !this.#fitsOutbound(pongFrame.length)) return;
    this.#pongQueued = true;
    this.#ws.send(pongFrame, this.#pongWritten ??= () => { this.#pongQueued = false; });
  }

  /** Turns held frames into callbacks while the queue has room; the close callback follows the last of them. */
  #releaseHeld(): void {
    const held = this.#held;
    if (held === undefined) return;
    while (held.count > 0 && this.#callbacks.hasRoom) {
      const frame = held.shift()!;
      this.#accept(frame.data, frame.isBinary);
    }
    if (held.count === 0 && this.#closeAfterHeld !== undefined) {
      const cause = this.#closeAfterHeld;
      this.#closeAfterHeld = undefined;
      this.#queueCallback('close', buildCloseBody(this.info, cause, this.#channelsAtClose ?? []));
    }
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
    this.#closed = true;
    const cause = this.#gatewayCloseCause ?? { code, reason: reason.toString('utf8') };
    this.#deps.metrics.closes.inc({ code: String(cause.code) });
    // The registry removes it from its channels next (onClosed): the close callback says which they were.
    if (this.channels !== undefined) this.#channelsAtClose = [...this.channels].sort();
    if (this.#held !== undefined && this.#held.count > 0) this.#closeAfterHeld = cause;
    else this.#queueCallback('close', buildCloseBody(this.info, cause, this.#channelsAtClose ?? []));
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
    } else if (!this.#rateLimited) {
      this.#ws.resume();
      // Time spent paused was the gateway's doing, not the client's silence.
      this.#touch();
    }
  }
}
