// Reads a control API request body up to a limit; an oversized body is read to the end and discarded so the caller gets the 413 instead of a reset connection. I/O.
import type { IncomingMessage } from 'node:http';

export type BodyRead = { kind: 'ok'; text: string } | { kind: 'too-large' };

/** Past this much, an oversized body is no longer drained; the connection is closed after the 413. */
const maxDiscardBytes = 64 * 1024 * 1024;

/**
 * Plain 'data'/'end' listeners rather than `for await` (a promise per chunk and an end-of-stream watcher on every
 * control API call, the echo path). Rejects when the request breaks off before its body ended.
 */
export function readLimitedBody(incoming: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const declared = Number(incoming.headers['content-length'] ?? Number.NaN);
    let tooLarge = declared > limitBytes;
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (outcome: { read: BodyRead } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      if ('read' in outcome) resolve(outcome.read);
      else reject(outcome.error);
    };
    incoming.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > limitBytes) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (total > maxDiscardBytes) {
          settle({ read: { kind: 'too-large' } });
          incoming.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    incoming.on('end', () => settle({ read: tooLarge ? { kind: 'too-large' } : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') } }));
    incoming.on('error', (error) => settle({ error }));
    incoming.on('close', () => settle({ error: new Error('request closed before its body ended') }));
  });
}
