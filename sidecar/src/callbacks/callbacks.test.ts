import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createAppClient } from './app-client.ts';
import { CallbackQueue, callbackSize } from './callback-queue.ts';
import { createConcurrencyLimit } from './concurrency-limit.ts';
import type { CallbackJob } from './callback-dispatcher.ts';

const job = (n: number): CallbackJob => ({ action: 'message', connId: 'c', body: String(n), cookie: undefined });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

test('delivers one at a time, in order', async () => {
  const delivered: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const queue = new CallbackQueue({
    deliverCallback: async (j) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      delivered.push(j.body);
      inFlight--;
    },
    onCallbackPressure: () => assert.fail('no pressure expected'),
  }, { count: 100, bytes: 1_000_000 });
  for (let i = 0; i < 20; i++) queue.push(job(i));
  await queue.whenIdle();
  assert.deepEqual(delivered, Array.from({ length: 20 }, (_, i) => String(i)));
  assert.equal(maxInFlight, 1);
});

test('signals pressure at capacity, never drops, and releases at half', async () => {
  const gate = deferred();
  const signals: boolean[] = [];
  const delivered: string[] = [];
  const queue = new CallbackQueue({
    deliverCallback: async (j) => { await gate.promise; delivered.push(j.body); },
    onCallbackPressure: (full) => { signals.push(full); },
  }, { count: 4, bytes: 1_000_000 });
  for (let i = 0; i < 6; i++) queue.push(job(i));
  assert.deepEqual(signals, [true]);
  assert.equal(queue.pending, 6, 'frames parsed after the pause are still kept');
  gate.resolve();
  await queue.whenIdle();
  assert.deepEqual(signals, [true, false]);
  assert.equal(delivered.length, 6);
});

test('WS_CALLBACK_QUEUE_BYTES: pressure once the bytes reach the limit; one callback larger than it fits an empty queue', async () => {
  const gate = deferred();
  const signals: boolean[] = [];
  const size = callbackSize(job(0));
  const queue = new CallbackQueue({
    deliverCallback: async () => { await gate.promise; },
    onCallbackPressure: (full) => { signals.push(full); },
  }, { count: 1000, bytes: size * 3 });
  queue.push(job(0));
  queue.push(job(1));
  assert.equal(queue.hasRoom, true);
  queue.push(job(2));
  assert.deepEqual(signals, [true]);
  assert.equal(queue.hasRoom, false);
  assert.equal(queue.bytes, size * 3);
  gate.resolve();
  await queue.whenIdle();
  assert.deepEqual(signals, [true, false]);
  assert.equal(queue.bytes, 0);

  const big: CallbackJob = { ...job(0), body: 'x'.repeat(size * 10) };
  const open = deferred();
  const alone = new CallbackQueue({ deliverCallback: async () => { await open.promise; }, onCallbackPressure: (full) => { signals.push(full); } }, { count: 1000, bytes: size * 3 });
  assert.equal(alone.hasRoom, true);
  alone.push(big);
  assert.equal(alone.hasRoom, false, 'accepted, then full');
  open.resolve();
  await alone.whenIdle();
});

test('concurrency limit hands slots over in arrival order', async () => {
  const limit = createConcurrencyLimit(2);
  const order: number[] = [];
  await limit.acquire();
  await limit.acquire();
  const waiters = [1, 2, 3].map((n) => limit.acquire().then(() => { order.push(n); }));
  assert.equal(limit.inFlight, 2);
  limit.release();
  limit.release();
  limit.release();
  await Promise.all(waiters);
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(limit.inFlight, 2);
  limit.release();
  limit.release();
  assert.equal(limit.inFlight, 0);
});

test('a request node:http refuses to build (a non-ASCII path) is a configuration error, not a lost connection', async (t) => {
  const server = createServer((_req, res) => res.end('{}'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const bad = createAppClient({ host: '127.0.0.1', port, path: '/cb/\u0447\u0430\u0442', timeoutMs: 2000, connections: 1 });
  t.after(() => bad.close());
  const result = await bad.post('{}', undefined);
  assert.equal(result.kind, 'invalid', JSON.stringify(result));
  const good = createAppClient({ host: '127.0.0.1', port, path: '/cb/%D1%87', timeoutMs: 2000, connections: 1 });
  t.after(() => good.close());
  assert.deepEqual(await good.post('{}', undefined), { kind: 'delivered', status: 200 });
});
