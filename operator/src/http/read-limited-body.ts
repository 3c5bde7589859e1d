// Reads one HTTP request body with a byte limit and a deadline, whatever its framing (Content-Length or chunked). I/O.
// At the limit or the deadline it stops reading at once (the stream is paused, nothing more is buffered); the caller
// answers 413/408 with `Connection: close` so the rest of the body is never read.
import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'ok'; text: string }
  | { kind: 'too-large'; limitBytes: number }
  | { kind: 'timeout'; timeoutMs: number }
  /** Every request being read at the same time holds, together, as many bytes as the shared budget allows. */
  | { kind: 'busy'; budgetBytes: number }
  /** The client went away or the stream failed before the end. */
  | { kind: 'aborted' };

export interface BodyLimits {
  limitBytes: number;
  timeoutMs: number;
  /** Shared by the requests of one server: bounds the bytes buffered by all bodies being read at once. */
  budget?: BodyBudget;
}

export interface BodyBudget {
  readonly totalBytes: number;
  /** Reserves `bytes`; false (and nothing reserved) when that would exceed the total. */
  take(bytes: number): boolean;
  give(bytes: number): void;
  readonly inUse: number;
}

export function createBodyBudget(totalBytes: number): BodyBudget {
  let inUse = 0;
  return {
    totalBytes,
    get inUse() {
      return inUse;
    },
    take(bytes) {
      if (inUse + bytes > totalBytes) return false;
      inUse += bytes;
      return true;
    },
    give(bytes) {
      inUse = Math.max(0, inUse - bytes);
    },
  };
}

export async function readLimitedBody(incoming: IncomingMessage, limits: BodyLimits): Promise<BodyRead> {
  const declared = Number(incoming.headers['content-length'] ?? Number.NaN);
  if (declared > limits.limitBytes) {
    incoming.pause();
    return { kind: 'too-large', limitBytes: limits.limitBytes };
  }
  if (incoming.readableEnded) return { kind: 'ok', text: '' };
  return await new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let reserved = 0;
    const finish = (result: BodyRead): void => {
      clearTimeout(timer);
      limits.budget?.give(reserved);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onAbort);
      incoming.off('close', onAbort);
      if (result.kind !== 'ok') {
        incoming.pause();
        chunks.length = 0;
      }
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limits.limitBytes) {
        finish({ kind: 'too-large', limitBytes: limits.limitBytes });
        return;
      }
      if (limits.budget !== undefined) {
        if (!limits.budget.take(chunk.length)) {
          finish({ kind: 'busy', budgetBytes: limits.budget.totalBytes });
          return;
        }
        reserved += chunk.length;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') });
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout', timeoutMs: limits.timeoutMs }), limits.timeoutMs);
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onAbort);
    incoming.on('close', onAbort);
  });
}

/** The status and one-line message for a body that was not read whole; `Connection: close` goes with both. */
export function describeUnreadBody(read: Exclude<BodyRead, { kind: 'ok' }>): { status: 400 | 408 | 413 | 503; message: string } {
  switch (read.kind) {
    case 'busy': return { status: 503, message: `body: the bodies being read at once already hold ${read.budgetBytes} bytes; try again` };
    case 'too-large': return { status: 413, message: `body: larger than ${read.limitBytes} bytes` };
    case 'timeout': return { status: 408, message: `body: not received within ${read.timeoutMs} ms` };
    case 'aborted': return { status: 400, message: 'body: the request ended before its body' };
  }
}

/** Server-wide socket deadlines, so a client that trickles headers or a body cannot hold a socket for minutes. */
export const SERVER_TIMEOUTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 } as const;
