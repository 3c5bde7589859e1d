// Reads an HTTP message body (a callback's answer, a control API request) up to a limit, never holding more. I/O.
import type { IncomingMessage } from 'node:http';

export type BodyRead = { kind: 'whole'; data: Buffer } | { kind: 'too-large'; bytes: number } | { kind: 'incomplete' };

export interface ReadBodyOptions {
  limitBytes: number;
  /** false: count the bytes and drop them (the answer is ignored, but its socket must return to the pool). */
  keep?: boolean;
  /**
   * An oversized body is read on and discarded up to this many bytes in total, so that its sender still gets the
   * answer (413) on a clean connection; past it (or at once, when 0) the socket is closed instead.
   */
  drainUpToBytes?: number;
}

/**
 * Plain 'data'/'end' listeners rather than `for await`: the async iterator allocates a promise per chunk and its own
 * end-of-stream watcher, on every callback and every control API call (docs/performance.md, Gateway). The listeners
 * stay attached (an 'error' after the result must still be handled); the first outcome is the only one.
 */
export function readBody(message: IncomingMessage, options: ReadBodyOptions): Promise<BodyRead> {
  const { limitBytes, keep = true, drainUpToBytes = 0 } = options;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (read: BodyRead): void => {
      if (settled) return;
      settled = true;
      resolve(read);
    };
    const giveUp = (bytes: number): void => {
      settle({ kind: 'too-large', bytes });
      message.destroy();
    };
    const declared = Number(message.headers['content-length'] ?? Number.NaN);
    if (declared > Math.max(limitBytes, drainUpToBytes)) {
      giveUp(declared);
      return;
    }
    message.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total <= limitBytes) {
        if (keep) chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (total > drainUpToBytes) giveUp(total);
    });
    message.on('end', () => settle(total > limitBytes
      ? { kind: 'too-large', bytes: total }
      : { kind: 'whole', data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
    // Destroyed (a trickle timer, the peer gone) before the end: whatever arrived is not the body.
    message.on('error', () => settle({ kind: 'incomplete' }));
    message.on('close', () => settle({ kind: 'incomplete' }));
  });
}
