// createClient (SPEC D): one logical connection over successive sockets — keep-alive from pong to ping, jittered
// reconnects chosen by close code, the offline queue and requests answered by `$reply`. I/O; decisions in the pure files.
import { backoffDelay } from './backoff.ts';
import { decideNextStep, type NextStep } from './close-policy.ts';
import { OfflineQueue } from './offline-queue.ts';
import { probeRefusal } from './probe.ts';
import type { Client, ClientOptions, ClientState, FrameHandler, RequestOptions, SendOptions, SendResult, StateDetail } from './types.ts';

export const HELLO_PROTOCOL = 'tapr-ws.v1';

type AnyHandler = (data: unknown, raw?: string | ArrayBuffer) => void;
type StateHandler = (state: ClientState, detail: StateDetail) => void;

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Frame {
  event?: unknown;
  data?: unknown;
}

/** What the client uses of a browser page; in Node neither exists and both are skipped. */
interface Listenable {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}
const page = globalThis as unknown as Listenable & { document?: Listenable & { visibilityState?: string } };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function createClient<ServerEvents extends object = Record<string, unknown>, ClientEvents extends object = Record<string, unknown>>(
  url: string,
  options: ClientOptions = {},
): Client<ServerEvents, ClientEvents> {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
  const backoff = { minDelayMs: options.minDelayMs ?? 500, maxDelayMs: options.maxDelayMs ?? 20_000 };
  const busyDelayMs = options.busyDelayMs ?? 5_000;
  const queue = new OfflineQueue({
    maxMessages: options.queue?.maxMessages ?? 100,
    maxBytes: options.queue?.maxBytes ?? 1024 * 1024,
    maxAgeMs: options.queue?.maxAgeMs ?? 60_000,
  });
  const handlers = new Map<string, Set<AnyHandler>>();
  const stateHandlers = new Set<StateHandler>();
  const pending = new Map<string, Pending>();

  let state: ClientState = 'connecting';
  let socket: WebSocket | undefined;
  let connId: string | undefined;
  let pingIntervalMs = options.pingIntervalMs ?? 30_000;
  let drainWindowMs: number | undefined;
  let attempt = 0;
  let opened = false;
  let answeredPing = false;
  let lastHeardAt = 0;
  let pingTimer: ReturnType<typeof setTimeout> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let nextRequestId = 0;

  /** A function, not a flag: the state may change while a probe is awaited. */
  const isClosed = (): boolean => state === 'closed';

  const setState = (next: ClientState, detail: StateDetail = {}): void => {
    state = next;
    for (const handler of [...stateHandlers]) handler(next, detail);
  };

  const emit = (event: string, data: unknown, raw?: string | ArrayBuffer): void => {
    for (const handler of [...(handlers.get(event) ?? [])]) handler(data, raw);
  };

  const clearTimers = (): void => {
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    clearTimeout(reconnectTimer);
    pingTimer = pongTimer = reconnectTimer = undefined;
  };

  // --- keep-alive: each ping is scheduled from the previous pong; a missing pong or a clock gap means a dead socket.

  const sendPing = (): void => {
    if (socket?.readyState !== 1 || pongTimer !== undefined) return;
    clearTimeout(pingTimer);
    socket.send('{"event":"ping","data":{}}');
    pongTimer = setTimeout(() => drop('no pong'), pongTimeoutMs);
  };

  const schedulePing = (): void => {
    clearTimeout(pingTimer);
    pingTimer = setTimeout(sendPing, pingIntervalMs);
  };

  /** After a sleep, a hidden tab or a network change: a silence longer than a ping and its pong means the socket is gone. */
  const checkAlive = (): void => {
    if (state !== 'open') return;
    if (Date.now() - lastHeardAt > pingIntervalMs + pongTimeoutMs) drop('silent past ping + pong timeout');
    else sendPing();
  };
  const onVisibility = (): void => {
    if (page.document?.visibilityState !== 'hidden') checkAlive();
  };
  const listenToEnvironment = (add: boolean): void => {
    const method = add ? 'addEventListener' : 'removeEventListener';
    page.document?.[method]?.('visibilitychange', onVisibility);
    page[method]?.('online', checkAlive);
  };

  // --- sockets

  const connect = (): void => {
    reconnectTimer = undefined;
    opened = false;
    answeredPing = false;
    connId = undefined;
    const current = new Socket(url, [HELLO_PROTOCOL, ...(options.protocols ?? [])]);
    current.binaryType = 'arraybuffer';
    socket = current;
    current.onopen = () => {
      opened = true;
      lastHeardAt = Date.now();
      setState('open');
      for (const text of queue.drain(Date.now())) current.send(text);
      schedulePing();
    };
    current.onmessage = (message: { data: unknown }) => onFrame(message.data as string | ArrayBuffer);
    current.onclose = (event: CloseEvent) => {
      if (socket === current) void onSocketEnd(event.code, event.reason);
    };
  };

  /** Forgets a socket that stopped answering (closing it may wait for a TCP timeout) and replaces it. */
  const drop = (why: string): void => {
    const dead = socket;
    if (dead === undefined) return;
    socket = undefined;
    detach(dead);
    void onSocketEnd(1006, why);
  };

  /** Silences a socket and closes it (1000 when the user ends the client, else the browser's default). */
  const detach = (old: WebSocket, code?: number): void => {
    old.onopen = old.onmessage = old.onclose = null;
    try {
      old.close(code);
    } catch {
      // Already closing: nothing to undo.
    }
  };

  const onSocketEnd = async (code: number, reason: string): Promise<void> => {
    const wasOpened = opened;
    socket = undefined;
    clearTimers();
    if (isClosed()) return;
    const probeStatus = !wasOpened && code === 1006 && options.probe !== false ? await probeRefusal(url, 5_000) : undefined;
    if (isClosed()) return;
    const step: NextStep = decideNextStep({ code, reason, opened: wasOpened, probeStatus });
    if (step.kind === 'final') {
      finish({ code, reason, ...(probeStatus === undefined ? {} : { status: probeStatus }), error: step.why });
      return;
    }
    const delayMs = step.kind === 'now' ? 0
      : step.kind === 'drain' && drainWindowMs !== undefined ? Math.round(Math.random() * drainWindowMs)
      : backoffDelay(attempt, backoff, step.kind === 'busy' ? busyDelayMs : 0);
    drainWindowMs = undefined;
    setState('reconnecting', { code, reason, ...(probeStatus === undefined ? {} : { status: probeStatus }), attempt, delayMs });
    attempt += 1;
    reconnectTimer = setTimeout(connect, delayMs);
  };

  // --- frames

  const onFrame = (raw: string | ArrayBuffer): void => {
    lastHeardAt = Date.now();
    let parsed: unknown = raw;
    if (typeof raw === 'string') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        // Not JSON: handed to '$frame' as the text itself.
      }
    }
    const frame: Frame = isObject(parsed) ? parsed : {};
    if (frame.event === 'pong') {
      clearTimeout(pongTimer);
      pongTimer = undefined;
      // Only a socket that stayed open and answered a ping proves the server healthy enough to reset the backoff.
      if (!answeredPing) attempt = 0;
      answeredPing = true;
      schedulePing();
      return;
    }
    emit('$frame', parsed, raw);
    const data = isObject(frame.data) ? frame.data : {};
    if (frame.event === '$hello') {
      if (typeof data.conn_id === 'string') connId = data.conn_id;
      const suggested = data.ping_interval_ms;
      if (typeof suggested === 'number' && suggested > 0 && (options.pingIntervalMs === undefined || suggested < options.pingIntervalMs)) {
        pingIntervalMs = suggested;
        if (pongTimer === undefined) schedulePing();
      }
    } else if (frame.event === '$drain') {
      if (typeof data.reconnect_within_ms === 'number') drainWindowMs = data.reconnect_within_ms;
    } else if (frame.event === '$reply') {
      const request = typeof data.$id === 'string' ? pending.get(data.$id) : undefined;
      if (request) request.resolve(frame.data);
    } else if (typeof frame.event === 'string') {
      emit(frame.event, frame.data);
    }
  };

  // --- ending for good

  const finish = (detail: StateDetail): void => {
    clearTimers();
    listenToEnvironment(false);
    queue.clear();
    for (const request of pending.values()) request.reject(new Error(`connection closed${detail.error ? `: ${detail.error}` : ''}`));
    setState('closed', detail);
  };

  const send = (event: string, data: unknown, sendOptions: SendOptions = {}): SendResult => {
    const text = JSON.stringify({ event, data });
    if (state === 'open' && socket?.readyState === 1) {
      socket.send(text);
      return 'sent';
    }
    if (isClosed() || sendOptions.volatile) return 'dropped';
    return queue.push(text, sendOptions.key, Date.now()) ? 'queued' : 'dropped';
  };

  listenToEnvironment(true);
  connect();

  return {
    get state() {
      return state;
    },
    get connId() {
      return connId;
    },
    on(event: string, handler: AnyHandler | FrameHandler) {
      const set = handlers.get(event) ?? new Set<AnyHandler>();
      handlers.set(event, set);
      set.add(handler as AnyHandler);
      return () => set.delete(handler as AnyHandler);
    },
    onState(handler) {
      stateHandlers.add(handler);
      return () => stateHandlers.delete(handler);
    },
    send,
    request(event: string, data: unknown, requestOptions: RequestOptions = {}) {
      const id = `${Date.now().toString(36)}.${(nextRequestId++).toString(36)}`;
      return new Promise((resolve, reject) => {
        const settle = (): void => {
          clearTimeout(entry.timer);
          pending.delete(id);
        };
        const timeoutMs = requestOptions.timeoutMs ?? 10_000;
        const entry: Pending = {
          resolve: (value) => (settle(), (resolve as (value: unknown) => void)(value)),
          reject: (error) => (settle(), reject(error)),
          timer: setTimeout(() => entry.reject(new Error(`request "${event}" got no $reply within ${timeoutMs} ms`)), timeoutMs),
        };
        pending.set(id, entry);
        if (send(event, { ...(isObject(data) ? data : { value: data }), $id: id }) === 'dropped') entry.reject(new Error(`request "${event}" could not be sent or queued`));
      });
    },
    close() {
      if (isClosed()) return;
      if (socket) detach(socket, 1000);
      socket = undefined;
      finish({});
    },
  } as Client<ServerEvents, ClientEvents>;
}
