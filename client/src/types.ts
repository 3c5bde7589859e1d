// The client's public types: options, states, send outcomes and the typed event maps.

export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What came with a state change: why the socket closed, what happens next. */
export interface StateDetail {
  /** Close code of the socket that just ended (1006 when the browser hides it). */
  code?: number;
  reason?: string;
  /** HTTP status of the refused upgrade, learnt by a plain GET of the same URL (SPEC A11). */
  status?: number;
  /** Reconnect attempt number (0 for the first) and its delay, for 'reconnecting'. */
  attempt?: number;
  delayMs?: number;
  /** Set on 'closed': why the client gave up (absent after close()). */
  error?: string;
}

export type SendResult = 'sent' | 'queued' | 'dropped';

export interface SendOptions {
  /** Never queued: dropped unless the socket is open now (cursor positions, typing indicators). */
  volatile?: boolean;
  /** While offline, keeps only the latest queued message with this key. */
  key?: string;
}

export interface RequestOptions {
  /** Rejects when no `$reply` arrives within this many ms (default 10 000). */
  timeoutMs?: number;
}

export interface ClientOptions {
  /** Subprotocols offered after `tapr-ws.v1` (which asks the gateway for `$hello` and `$drain`, SPEC A12). */
  protocols?: string[];
  /** Ping period, from the previous pong (default 30 000, or the gateway's `ping_interval_ms` when lower). */
  pingIntervalMs?: number;
  /** A ping unanswered this long means the socket is dead (default 10 000). */
  pongTimeoutMs?: number;
  /** Backoff window of the first reconnect (default 500) and the cap of every window (default 20 000). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Least delay after 1013 or an HTTP 429/503 refusal (default 5 000). */
  busyDelayMs?: number;
  /** Offline queue bounds (defaults 100 messages, 1 MiB, 60 s). */
  queue?: { maxMessages?: number; maxBytes?: number; maxAgeMs?: number };
  /** After a refused upgrade, GET the URL over HTTP to learn the status the browser hides (default true). */
  probe?: boolean;
  /** The WebSocket constructor (default the global one: browsers and Node 22+). */
  WebSocket?: typeof WebSocket;
}

/** Events a map may not name: the client's own frames. */
export type ReservedEvent = '$frame' | '$hello' | '$drain' | '$reply' | 'pong';

type Handler<T> = (data: T) => void;
export type FrameHandler = (parsed: unknown, raw: string | ArrayBuffer) => void;

export interface Client<ServerEvents extends object = Record<string, unknown>, ClientEvents extends object = Record<string, unknown>> {
  readonly state: ClientState;
  /** This connection's id from `$hello` (SPEC A12); undefined before it, or when the gateway does not send it. */
  readonly connId: string | undefined;
  /** Frames `{"event":event,"data":…}`; returns a function that removes the handler. */
  on<E extends keyof ServerEvents & string>(event: E, handler: Handler<ServerEvents[E]>): () => void;
  /** Every frame: parsed when it is JSON, else the text or the binary data itself. */
  on(event: '$frame', handler: FrameHandler): () => void;
  onState(handler: (state: ClientState, detail: StateDetail) => void): () => void;
  send<E extends keyof ClientEvents & string>(event: E, data: ClientEvents[E], options?: SendOptions): SendResult;
  /** Sends with a `$id` added to `data`; resolves with the data of the `$reply` frame carrying that `$id`. */
  request<E extends keyof ClientEvents & string, R = unknown>(event: E, data: ClientEvents[E], options?: RequestOptions): Promise<R>;
  /** Final: closes with 1000, stops reconnecting, rejects pending requests, drops the queue. */
  close(): void;
}
