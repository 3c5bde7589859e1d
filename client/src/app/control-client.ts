// createControlClient: the gateway's control API (SPEC A4, A10) as typed calls, with timeouts and errors that name the
// endpoint, the HTTP status and the gateway's message. I/O.
import type {
  ChannelSummary, CloseResult, CloseTargets, ListedUser, Presence, SendRequest, SendResult, SendTargets, SubscribeRequest, SubscribeResult,
  UnsubscribeRequest, UnsubscribeResult,
} from './control-types.ts';

export interface ControlClientOptions {
  /** `WS_CONTROL_TOKEN`, for a caller that is not on loopback. */
  token?: string;
  /** Per call (default 5 000). */
  timeoutMs?: number;
  /** For tests and other runtimes (default the global fetch). */
  fetch?: typeof fetch;
}

export interface ControlClient {
  /** `POST /tapr/ws/conn/send`. */
  send(request: SendRequest): Promise<SendResult>;
  /** `send` with the client library's frame `{"event":event,"data":data}`. */
  sendEvent(targets: SendTargets, event: string, data: unknown): Promise<SendResult>;
  /** `POST /tapr/ws/conn/close`: each connection gets 1000 and the app its close callback. */
  close(targets: CloseTargets): Promise<CloseResult>;
  /** `GET /tapr/ws/conn/list`. */
  list(): Promise<ListedUser[]>;
  /** `POST /tapr/ws/channel/subscribe`. */
  subscribe(request: SubscribeRequest): Promise<SubscribeResult>;
  /** `POST /tapr/ws/channel/unsubscribe`. */
  unsubscribe(request: UnsubscribeRequest): Promise<UnsubscribeResult>;
  /** `GET /tapr/ws/channel/list`, sorted by name; `prefix` filters. */
  channels(prefix?: string): Promise<ChannelSummary[]>;
  /** `GET /tapr/ws/channel/presence?channel=…`. */
  presence(channel: string): Promise<Presence>;
}

/** A control API call that failed: `status` is the HTTP status (0 when there was no answer). */
export class ControlApiError extends Error {
  override readonly name = 'ControlApiError';
  readonly endpoint: string;
  readonly status: number;
  /** The gateway's `message`, or why there was no answer. */
  readonly detail: string;
  constructor(endpoint: string, status: number, detail: string, options?: ErrorOptions) {
    super(`control API ${endpoint}: ${status === 0 ? '' : `HTTP ${status}: `}${detail}`, options);
    this.endpoint = endpoint;
    this.status = status;
    this.detail = detail;
  }
}

/** `baseUrl`: the gateway's control port, e.g. `http://127.0.0.1:40010` (the Olares default). */
export function createControlClient(baseUrl: string, options: ControlClientOptions = {}): ControlClient {
  const root = baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? globalThis.fetch;

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const endpoint = `${method} ${path.split('?')[0]!}`;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(`${root}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const why = timedOut ? `no answer within ${timeoutMs} ms` : `gateway unreachable at ${root} (${describeCause(error)})`;
      throw new ControlApiError(endpoint, 0, why, { cause: error });
    }
    let answer: { code?: unknown; message?: unknown; data?: unknown } | undefined;
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      answer = undefined;
    }
    if (!response.ok || answer?.code !== 0) {
      const message = typeof answer?.message === 'string' ? answer.message : `unexpected answer ${JSON.stringify(text.slice(0, 200))}`;
      throw new ControlApiError(endpoint, response.status, message);
    }
    return answer.data as T;
  }

  return {
    send: (request) => call('POST', '/tapr/ws/conn/send', request),
    sendEvent: (targets, event, data) => call('POST', '/tapr/ws/conn/send', { ...targets, payload: { event, data } }),
    close: (targets) => call('POST', '/tapr/ws/conn/close', targets),
    list: () => call('GET', '/tapr/ws/conn/list'),
    subscribe: (request) => call('POST', '/tapr/ws/channel/subscribe', request),
    unsubscribe: (request) => call('POST', '/tapr/ws/channel/unsubscribe', request),
    channels: (prefix) => call('GET', `/tapr/ws/channel/list${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`),
    presence: (channel) => call('GET', `/tapr/ws/channel/presence?channel=${encodeURIComponent(channel)}`),
  };
}

/** fetch hides the socket error in `cause` ("fetch failed" says nothing). */
function describeCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return error instanceof Error ? error.message : String(error);
}
