// Writes an HttpReply to a node:http response (no body for HEAD). I/O.
import type { ServerResponse } from 'node:http';
import type { HttpReply } from './http-reply.ts';

export function writeReply(res: ServerResponse, reply: HttpReply, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(head ? undefined : reply.body);
}
