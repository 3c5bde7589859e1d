// Reads a request body as text up to a byte limit, from a node:http request or a fetch Request; over it is 'too-large'
// (413), decided from Content-Length when there is one, else counted while reading. I/O.
import type { IncomingMessage } from 'node:http';

export type BodyRead = { kind: 'text'; text: string } | { kind: 'too-large' };

function declaredTooLarge(contentLength: string | null | undefined, limit: number): boolean {
  return contentLength != null && contentLength !== '' && Number(contentLength) > limit;
}

export async function readNodeBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  if (declaredTooLarge(req.headers['content-length'], limit)) return { kind: 'too-large' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Stop reading: what is left of an oversized body is not worth the memory.
    if (size > limit) return { kind: 'too-large' };
    chunks.push(chunk);
  }
  return { kind: 'text', text: Buffer.concat(chunks).toString('utf8') };
}

export async function readFetchBody(request: Request, limit: number): Promise<BodyRead> {
  if (declaredTooLarge(request.headers.get('content-length'), limit)) return { kind: 'too-large' };
  if (request.body === null) return { kind: 'text', text: '' };
  const reader = request.body.getReader();
  // TextDecoder rather than Buffer: fetch-style servers are not all Node (Bun, Deno, workers).
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        return { kind: 'too-large' };
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return { kind: 'text', text: text + decoder.decode() };
}
