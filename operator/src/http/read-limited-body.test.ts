// Body reading limits over a real loopback socket: chunked bodies counted while read, the declared length, the
// deadline, and the budget shared by the bodies read at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBodyBudget, readLimitedBody, type BodyLimits, type BodyRead } from './read-limited-body.ts';

async function readOne(limits: BodyLimits, send: (outgoing: ReturnType<typeof request>) => void, headers: Record<string, string> = {}): Promise<BodyRead> {
  let result: BodyRead | undefined;
  const server = createServer((incoming: IncomingMessage, res) => {
    void readLimitedBody(incoming, limits).then((read) => {
      result = read;
      res.writeHead(200, { Connection: 'close' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await new Promise<void>((resolve) => {
      const outgoing = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', headers, agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      outgoing.on('error', () => resolve());
      send(outgoing);
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return result!;
}

test('a chunked body is counted while read: refused past the limit, read whole below it', async () => {
  const big = await readOne({ limitBytes: 1000, timeoutMs: 5000 }, (outgoing) => {
    outgoing.write('x'.repeat(600));
    outgoing.write('x'.repeat(600));
  });
  assert.deepEqual(big, { kind: 'too-large', limitBytes: 1000 });
  const small = await readOne({ limitBytes: 1000, timeoutMs: 5000 }, (outgoing) => outgoing.end('{"a":1}'));
  assert.deepEqual(small, { kind: 'ok', text: '{"a":1}' });
});

test('a declared length above the limit is refused before reading; a body that stalls hits the deadline', async () => {
  assert.deepEqual(await readOne({ limitBytes: 10, timeoutMs: 5000 }, (outgoing) => outgoing.flushHeaders(), { 'Content-Length': '11' }), { kind: 'too-large', limitBytes: 10 });
  assert.deepEqual(await readOne({ limitBytes: 100, timeoutMs: 200 }, (outgoing) => outgoing.write('{'), { 'Content-Length': '50' }), { kind: 'timeout', timeoutMs: 200 });
});

test('the shared budget: a body that would exceed it is refused as busy; bytes are given back when a read ends', async () => {
  const budget = createBodyBudget(1000);
  assert.equal(budget.take(800), true);
  assert.deepEqual(await readOne({ limitBytes: 5000, timeoutMs: 5000, budget }, (outgoing) => outgoing.end('x'.repeat(300))), { kind: 'busy', budgetBytes: 1000 });
  assert.equal(budget.inUse, 800);
  budget.give(800);
  assert.deepEqual(await readOne({ limitBytes: 5000, timeoutMs: 5000, budget }, (outgoing) => outgoing.end('x'.repeat(300))), { kind: 'ok', text: 'x'.repeat(300) });
  assert.equal(budget.inUse, 0);
});
