// Reads a control API request body up to a limit; an oversized body is read to the end and discarded so the caller gets the 413 instead of a reset connection. I/O.
import type { IncomingMessage } from 'node:http';

export type BodyRead = { kind: 'ok'; text: string } | { kind: 'too-large' };

/** Past this much, an oversized body is no longer drained; the connection is closed after the 413. */
const maxDiscardBytes = 64 * 1024 * 1024;

export async function readLimitedBody(incoming: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  const declared = Number(incoming.headers['content-length'] ?? Number.NaN);
  let tooLarge = declared > limitBytes;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limitBytes) tooLarge = true;
    if (tooLarge) {
      chunks.length = 0;
      if (total > maxDiscardBytes) break;
      continue;
    }
    chunks.push(chunk);
  }
  return tooLarge ? { kind: 'too-large' } : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') };
}
