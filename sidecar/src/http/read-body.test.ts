import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { readBody, type BodyRead, type ReadBodyOptions } from './read-body.ts';

/** Sends `raw` (a whole HTTP request) to a loopback server that reads the body with `options`; resolves with what it read and the status the client saw (0: the connection was closed). */
async function exchange(raw: (port: number) => Promise<number>, options: ReadBodyOptions): Promise<{ read: BodyRead; status: number }> {
  let read: BodyRead | undefined;
  const server = createServer((req: IncomingMessage, res) => {
    void readBody(req, options).then((result) => {
      read = result;
      if (!res.destroyed) res.writeHead(result.kind === 'whole' ? 200 : 413).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  try {
    const status = await raw(port);
    for (let i = 0; read === undefined && i < 100; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return { read: read!, status };
  } finally {
    server.close();
  }
}

function post(body: Buffer, chunked: boolean): (port: number) => Promise<number> {
  return (port) => new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', headers: chunked ? {} : { 'content-length': body.length } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    if (chunked) for (let i = 0; i < body.length; i += 1000) req.write(body.subarray(i, i + 1000));
    req.end(chunked ? undefined : body);
  });
}

test('a body within the limit is read whole, declared or chunked', async () => {
  const body = Buffer.from('x'.repeat(5000));
  for (const chunked of [false, true]) {
    const { read, status } = await exchange(post(body, chunked), { limitBytes: 5000 });
    assert.equal(status, 200);
    assert.equal(read.kind, 'whole');
    assert.equal(read.kind === 'whole' && read.data.toString(), body.toString());
  }
});

test('keep: false counts the body without holding it', async () => {
  const { read } = await exchange(post(Buffer.alloc(3000, 1), true), { limitBytes: 5000, keep: false });
  assert.deepEqual(read, { kind: 'whole', data: Buffer.alloc(0) });
});

test('over the limit: drained for the answer up to drainUpToBytes, else the connection is closed', async () => {
  const body = Buffer.alloc(20_000, 1);
  const drained = await exchange(post(body, true), { limitBytes: 5000, drainUpToBytes: 50_000 });
  assert.deepEqual([drained.read, drained.status], [{ kind: 'too-large', bytes: 20_000 }, 413]);
  const closed = await exchange(post(body, true), { limitBytes: 5000 });
  assert.equal(closed.read.kind, 'too-large');
  assert.equal(closed.status, 0, 'no answer: the connection was closed rather than read on');
  const declared = await exchange(post(body, false), { limitBytes: 5000 });
  assert.deepEqual([declared.read, declared.status], [{ kind: 'too-large', bytes: 20_000 }, 0]);
});

test('a body that breaks off is incomplete, never whole', async () => {
  const { read } = await exchange(async (port) => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    return 0;
  }, { limitBytes: 5000 });
  assert.deepEqual(read, { kind: 'incomplete' });
});
