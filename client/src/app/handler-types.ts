// The callback handler's public types: its options, the typed event maps and the context each handler gets. Types only.
import type { ControlClient } from './control-client.ts';
import type { SendResult } from './control-types.ts';

/** Who a callback is about (SPEC A3, A11). */
export interface Connection {
  connId: string;
  /** `user_name`: the auth proxy's user header, `""` for anonymous connections. */
  user: string;
  /** The `auth_token` cookie, or a random UUID when `accessPublic`. */
  token: string;
  accessPublic: boolean;
  /** The endpoint under `/ws`, e.g. `/ws/chat`. */
  path: string;
  /** The raw query string without `?`. */
  query: string;
}

type EventOf<M> = keyof M & string;

/** What open and message handlers may do for their connection. */
export interface CallbackContext<ServerEvents extends object> extends Connection {
  /**
   * The frame `{"event","data"}` as the answer to this callback (SPEC A9): it reaches the connection before the reply
   * to its next message, without a control API call. At most one per callback.
   */
  reply<E extends EventOf<ServerEvents>>(event: E, data: ServerEvents[E]): void;
  /** `{"event","data"}` to this connection through the control API, at once (not ordered with the inline reply). */
  send<E extends EventOf<ServerEvents>>(event: E, data: ServerEvents[E]): Promise<SendResult>;
  /**
   * Joins channels (SPEC A10). In `onOpen`, before it returns: carried by the open answer, no control API call (unless
   * the open also replies inline: then through the control API before the answer). Otherwise through the control API.
   */
  subscribe(channels: readonly string[]): Promise<void>;
  /** Leaves channels through the control API. */
  unsubscribe(channels: readonly string[]): Promise<void>;
  /** The control API client, for calls about other connections. */
  readonly control: ControlClient;
}

export interface MessageContext<ServerEvents extends object> extends CallbackContext<ServerEvents> {
  /** The `$id` of a client `request()`, when this message is one. */
  readonly requestId: string | undefined;
  /** Answers a `request()` inline: `{"event":"$reply","data":{"$id":…, …result}}`. Throws when the message is no request. */
  replyTo(result: object): void;
}

export interface CloseInfo extends Connection {
  code: number;
  reason: string;
  /** The channels the connection was in; it has left them already. */
  channels: string[];
  readonly control: ControlClient;
}

/** A message that is not an `{"event","data"}` frame: other JSON, text (`raw`) or binary as base64 (`binary`). */
export interface RawMessage {
  data: unknown;
  raw: boolean;
  binary: boolean;
}

type Awaitable<T> = T | Promise<T>;

export type EventHandlers<ClientEvents extends object, ServerEvents extends object> = {
  [E in EventOf<ClientEvents>]?: (ctx: MessageContext<ServerEvents>, data: ClientEvents[E]) => Awaitable<void>;
};

export interface CallbackHandlerOptions<ClientEvents extends object, ServerEvents extends object> {
  onOpen?: (ctx: CallbackContext<ServerEvents>) => Awaitable<void>;
  /** One handler per client event; the data is as the client sent it (validate what you rely on). */
  events?: EventHandlers<ClientEvents, ServerEvents>;
  /** Frames that are no `{"event"}` frame, and events without a handler (`event` is set then). */
  onMessage?: (ctx: MessageContext<ServerEvents>, message: RawMessage & { event?: string }) => Awaitable<void>;
  onClose?: (info: CloseInfo) => Awaitable<void>;
  /** The control API (default `http://127.0.0.1:40010`, the Olares port). */
  control?: ControlClient | string;
  /** Largest callback body read, else 413 (default 4 MiB: WS_MAX_PAYLOAD_BYTES is 1 MiB by default, binary grows by a third as base64). */
  maxBodyBytes?: number;
  /** A handler that threw; the gateway gets a 500 (default: console.error). */
  onError?: (error: unknown, connection: Connection | undefined) => void;
}
