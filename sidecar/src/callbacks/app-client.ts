// HTTP client for callbacks to the app: one keep-alive pool, and a result that tells delivered from never delivered. I/O.
import { Pool, type Dispatcher } from 'undici';
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
  /** undici refused to build the request (e.g. a path or header it does not accept): a configuration error, never sent. */
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
const neverDeliveredCodes = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
]);

export function createAppClient(options: AppClientOptions): AppClient {
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const pool = new Pool(`http://${host}:${options.port}`, {
    connections: options.connections,
    pipelining: 1,
    connectTimeout: options.timeoutMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  return {
    async post(body, cookie, postOptions = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cookie !== undefined) headers.cookie = cookie;
      // The attempt is bounded by the pool's connect/headers/body timeouts. No AbortSignal.timeout here:
      // its timer cannot be cancelled, and at 2k callbacks/s thousands of them pile up and stall the GC.
      try {
        const response = await pool.request({ path: options.path, method: 'POST', headers, body });
        // bodyTimeout only bounds the gap between chunks: a body that trickles in gets the attempt's timeout in
        // total, then its socket is closed (the status is already known, so the callback counts as delivered).
        const trickling = setTimeout(() => response.body.destroy(), options.timeoutMs);
        try {
          const limit = postOptions.replyLimitBytes;
          const wanted = limit === undefined ? undefined : decideInlineReply(response.statusCode, response.headers);
          if (limit !== undefined && wanted?.kind === 'reply') {
            const reply = await readReply(response, limit, wanted.binary);
            return reply === undefined ? { kind: 'delivered', status: response.statusCode } : { kind: 'delivered', status: response.statusCode, reply };
          }
          if (postOptions.readSubscribe && response.statusCode >= 200 && response.statusCode <= 299) {
            const text = await readSmallBody(response, responseDrainLimitBytes);
            const subscribe = text === undefined ? undefined : parseOpenAnswer(text);
            return subscribe === undefined ? { kind: 'delivered', status: response.statusCode } : { kind: 'delivered', status: response.statusCode, subscribe };
          }
          // Any other answer's body is ignored (SPEC A3) but must be consumed so the socket returns to the pool. dump()
          // discards the chunks as they arrive and, past its limit, destroys the socket instead of reading on (F3).
          await response.body.dump({ limit: responseDrainLimitBytes });
        } finally {
          clearTimeout(trickling);
        }
        return { kind: 'delivered', status: response.statusCode };
      } catch (error) {
        return classifyFailure(error);
      }
    },
    async close() {
      await pool.close();
    },
    async destroy() {
      await pool.destroy();
    },
  };
}

/**
 * Reads an inline reply's body, never more than `limitBytes`: a larger one (declared, or counted while reading) is
 * not read on and its socket is closed. undefined for an empty body (nothing is sent).
 */
async function readReply(response: Dispatcher.ResponseData, limitBytes: number, binary: boolean): Promise<InlineReply | undefined> {
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > limitBytes) {
    response.body.destroy();
    return { kind: 'too-large', bytes: declared };
  }
  const body = await readBounded(response, limitBytes);
  if (body.kind !== 'whole') return body;
  if (body.data.length === 0) return undefined;
  return { kind: 'frame', frame: { data: body.data, binary } };
}

/** The whole body as text, or undefined when it is larger than `limitBytes` (then its socket is closed) or broke off. */
async function readSmallBody(response: Dispatcher.ResponseData, limitBytes: number): Promise<string | undefined> {
  const body = await readBounded(response, limitBytes);
  return body.kind === 'whole' ? body.data.toString('utf8') : undefined;
}

type BoundedBody = { kind: 'whole'; data: Buffer } | { kind: 'too-large'; bytes: number } | { kind: 'incomplete' };

/** Reads a body, never more than `limitBytes`: past it the socket is closed rather than read on. */
async function readBounded(response: Dispatcher.ResponseData, limitBytes: number): Promise<BoundedBody> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limitBytes) {
        response.body.destroy();
        return { kind: 'too-large', bytes: total };
      }
      chunks.push(chunk);
    }
  } catch {
    return { kind: 'incomplete' };
  }
  // Destroyed by the trickle timer: the iteration may end quietly, but the body is not whole.
  if (!response.body.readableEnded) return { kind: 'incomplete' };
  return { kind: 'whole', data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) };
}

/** Past this many bytes of an answer's body, the socket is closed rather than read to the end. */
export const responseDrainLimitBytes = 64 * 1024;

function classifyFailure(error: unknown): DeliveryResult {
  const codes = errorCodes(error);
  if (codes.includes('UND_ERR_INVALID_ARG')) return { kind: 'invalid', error: error instanceof Error ? error.message : 'UND_ERR_INVALID_ARG' };
  const neverDelivered = codes.find((code) => neverDeliveredCodes.has(code));
  if (neverDelivered !== undefined) return { kind: 'unreachable', error: neverDelivered };
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT') || codes.includes('UND_ERR_BODY_TIMEOUT')) return { kind: 'timeout' };
  return { kind: 'failed', error: codes[0] ?? (error instanceof Error ? error.message : String(error)) };
}

/** The `code` of the error and of its causes: undici wraps socket errors, so the system code may sit on a cause. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}
