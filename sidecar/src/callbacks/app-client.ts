// HTTP client for callbacks to the app: one keep-alive pool, and a result that tells delivered from never delivered. I/O.
// node:http, not undici: the server side already loads Node's HTTP parser, while undici brings its own (llhttp as
// WebAssembly) and ~6 MiB of RSS per idle gateway for the same keep-alive pool.
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { readBody } from '../http/read-body.ts';
import { decideInlineReply, type InlineReply } from './inline-reply.ts';
import { parseOpenAnswer, type OpenSubscription } from './open-answer.ts';

export type DeliveryResult =
  /**
   * `reply` only when the callback could carry one (open, message) and the app sent `X-Tapr-Ws-Reply: 1` (SPEC A9);
   * `subscribe` only for a 2xx answer to an open callback whose JSON body names channels (SPEC A10).
   */
  | { kind: 'delivered'; status: number; reply?: InlineReply; subscribe?: OpenSubscription }
  /** The request was sent but no answer came in time: the app may have acted on it, so it is not retried. */
  | { kind: 'timeout' }
  /** The connection was never established: safe to retry. */
  | { kind: 'unreachable'; error: string }
  /** The connection broke after the request may have been sent: not retried, for the same reason as a timeout. */
  | { kind: 'failed'; error: string }
  /** Node refused to build the request (e.g. a path or header it does not accept): a configuration error, never sent. */
  | { kind: 'invalid'; error: string };

export interface PostOptions {
  /** Set for open and message callbacks (WS_MAX_BUFFERED_BYTES): the answer may be an inline reply up to this size. */
  replyLimitBytes?: number;
  /** Set for open callbacks: a 2xx answer without the reply header may subscribe the connection (SPEC A10). */
  readSubscribe?: boolean;
}

export interface AppClient {
  post(body: string, cookie: string | undefined, options?: PostOptions): Promise<DeliveryResult>;
  close(): Promise<void>;
  /** Aborts whatever is in flight at once (the shutdown deadline); `close` would wait for it. */
  destroy(): Promise<void>;
}

export interface AppClientOptions {
  host: string;
  port: number;
  path: string;
  timeoutMs: number;
  /** Upper bound of sockets to the app; callbacks in flight never exceed it anyway. */
  connections: number;
}

// Errors raised before a single byte reached the app.
const neverDeliveredCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export function createAppClient(options: AppClientOptions): AppClient {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, scheduling: 'lifo' });
  // Requests in flight, so that close() can wait for them and destroy() can abort them.
  const inFlight = new Map<ClientRequest, Promise<DeliveryResult>>();
  // After close() or destroy() nothing new is sent: an Agent would open fresh sockets for callbacks queued behind the
  // aborted ones, and at the shutdown deadline those would reach the app after the report counted them undelivered.
  let closed = false;

  function attempt(body: string, cookie: string | undefined, postOptions: PostOptions): { req?: ClientRequest; settled: Promise<DeliveryResult> } {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (cookie !== undefined) headers.cookie = cookie;
    let req: ClientRequest | undefined;
    const settled = new Promise<DeliveryResult>((resolve) => {
      // One timer bounds the attempt: connect and headers, then (reset) the body, which gets the timeout in total so
      // that a trickling one cannot hold the socket. A plain timer, cleared when done: an AbortSignal.timeout here
      // could not be cancelled, and at 2k callbacks/s thousands of them pile up and stall the GC.
      let timer: NodeJS.Timeout | undefined;
      let connected = false;
      let answered = false;
      const finish = (result: DeliveryResult): void => {
        clearTimeout(timer);
        resolve(result);
      };
      try {
        req = request({ host: options.host, port: options.port, path: options.path, method: 'POST', agent, headers });
      } catch (error) {
        finish({ kind: 'invalid', error: error instanceof Error ? error.message : String(error) });
        return;
      }
      const sent = req;
      timer = setTimeout(() => {
        sent.destroy();
        // Never connected within the timeout: nothing was sent, so it is safe to retry.
        if (!answered) finish(connected ? { kind: 'timeout' } : { kind: 'unreachable', error: 'ETIMEDOUT' });
      }, options.timeoutMs);
      sent.once('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => { connected = true; });
      });
      sent.once('error', (error: NodeJS.ErrnoException) => {
        if (answered) return;
        const code = error.code ?? error.message;
        finish(!connected || neverDeliveredCodes.has(code) ? { kind: 'unreachable', error: code } : { kind: 'failed', error: code });
      });
      sent.once('response', (response) => {
        answered = true;
        clearTimeout(timer);
        // A body that trickles in gets the attempt's timeout in total, then its socket is closed (the status is
        // already known, so the callback counts as delivered).
        timer = setTimeout(() => response.destroy(), options.timeoutMs);
        readAnswer(response, postOptions).then(finish, () => finish({ kind: 'delivered', status: response.statusCode ?? 0 }));
      });
      sent.end(body);
    });
    return req === undefined ? { settled } : { req, settled };
  }

  return {
    async post(body, cookie, postOptions = {}) {
      if (closed) return { kind: 'failed', error: 'ERR_CLIENT_CLOSED' };
      const { req, settled } = attempt(body, cookie, postOptions);
      if (req === undefined) return settled;
      inFlight.set(req, settled);
      try {
        return await settled;
      } finally {
        inFlight.delete(req);
      }
    },
    async close() {
      closed = true;
      await Promise.allSettled(inFlight.values());
      agent.destroy();
    },
    async destroy() {
      closed = true;
      for (const req of inFlight.keys()) req.destroy();
      agent.destroy();
      await Promise.allSettled(inFlight.values());
    },
  };
}

/** What the answer means: an inline reply (SPEC A9), an open answer's subscription (A10), or only its status. */
async function readAnswer(response: IncomingMessage, postOptions: PostOptions): Promise<DeliveryResult> {
  const status = response.statusCode ?? 0;
  const limit = postOptions.replyLimitBytes;
  const wanted = limit === undefined ? undefined : decideInlineReply(status, response.headers);
  if (limit !== undefined && wanted?.kind === 'reply') {
    const reply = await readReply(response, limit, wanted.binary);
    return reply === undefined ? { kind: 'delivered', status } : { kind: 'delivered', status, reply };
  }
  if (postOptions.readSubscribe && status >= 200 && status <= 299) {
    const text = await readSmallBody(response, responseDrainLimitBytes);
    const subscribe = text === undefined ? undefined : parseOpenAnswer(text);
    return subscribe === undefined ? { kind: 'delivered', status } : { kind: 'delivered', status, subscribe };
  }
  // Any other answer's body is ignored (SPEC A3) but must be consumed so the socket returns to the pool; past the
  // limit the socket is closed instead of read on (F3).
  await readBody(response, { limitBytes: responseDrainLimitBytes, keep: false });
  return { kind: 'delivered', status };
}

/** An inline reply's body, never more than `limitBytes` (larger: its socket is closed). undefined for an empty body (nothing is sent). */
async function readReply(response: IncomingMessage, limitBytes: number, binary: boolean): Promise<InlineReply | undefined> {
  const body = await readBody(response, { limitBytes });
  if (body.kind !== 'whole') return body;
  if (body.data.length === 0) return undefined;
  return { kind: 'frame', frame: { data: body.data, binary } };
}

/** The whole body as text, or undefined when it is larger than `limitBytes` (then its socket is closed) or broke off. */
async function readSmallBody(response: IncomingMessage, limitBytes: number): Promise<string | undefined> {
  const body = await readBody(response, { limitBytes });
  return body.kind === 'whole' ? body.data.toString('utf8') : undefined;
}

/** Past this many bytes of an answer's body, the socket is closed rather than read to the end. */
export const responseDrainLimitBytes = 64 * 1024;
