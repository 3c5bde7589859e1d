// A3 callbacks: exact body shapes, Cookie on every callback, exactly one close callback per connection with the
// right code/reason, in-order delivery per connection, concurrency across connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, closeCallbackOf, CALLBACK_PATH } from '../support/stack.ts';
import { controlPost } from '../support/control-api.ts';
import type { RecordedCallback } from '../support/app-server.ts';
import { UUID_V4 } from '../support/wait.ts';

// SPEC A3's keys plus A11's path and query.
const BASE_KEYS = ['access_public', 'action', 'conn_id', 'data', 'path', 'query', 'token', 'user_name'];

function keysOf(c: RecordedCallback): string[] {
  return Object.keys(c.body).sort();
}

test('open/message/close bodies have exactly the documented keys and types; Cookie is on every callback', async (t) => {
  const stack = await startStack(t);
  const cookie = 'auth_token=tok-shape; theme=dark';
  const client = await stack.connect({ user: 'alice', cookie });
  client.send('{"hello":"world"}');
  await stack.app.waitFor((c) => c.body.action === 'message' && c.body.conn_id === client.connId);
  client.socket.close(4001, 'done');
  await closeCallbackOf(stack.app, client.connId);
  const [open, message, close] = stack.callbacksOf(client.connId);

  for (const c of [open!, message!, close!]) {
    assert.equal(c.method, 'POST');
    assert.equal(c.path, CALLBACK_PATH);
    assert.match(String(c.headers['content-type']), /^application\/json/);
    assert.equal(c.headers.cookie, `tag=${client.tag}; ${cookie}`, `Cookie forwarded unchanged on ${c.body.action}`);
    assert.match(c.body.conn_id, UUID_V4);
    assert.equal(c.body.user_name, 'alice');
    assert.equal(c.body.token, 'tok-shape');
    assert.equal(c.body.access_public, false);
    assert.equal(c.body.path, '/ws');
    assert.equal(c.body.query, '');
  }
  assert.equal(open!.body.action, 'open');
  assert.deepEqual(keysOf(open!), BASE_KEYS);
  assert.deepEqual(open!.body.data, {});

  assert.equal(message!.body.action, 'message');
  assert.deepEqual(keysOf(message!).filter((k) => k !== 'raw' && k !== 'binary'), BASE_KEYS);
  assert.deepEqual(message!.body.data, { hello: 'world' });

  assert.equal(close!.body.action, 'close');
  assert.deepEqual(keysOf(close!), [...BASE_KEYS, 'channels', 'code', 'reason'].sort());
  assert.deepEqual(close!.body.data, {});
  assert.deepEqual(close!.body.channels, [], 'SPEC A10: the channels it was in, none here');
  assert.equal(close!.body.code, 4001);
  assert.equal(close!.body.reason, 'done');
});

test('a client close without a code gives the app exactly one close callback with 1005 and ""', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  client.socket.close();
  const callback = await closeCallbackOf(stack.app, client.connId);
  assert.equal(callback.body.code, 1005);
  assert.equal(callback.body.reason, '');
  assert.equal(callback.count, 1);
});

test('a client that drops the TCP connection without a close frame gives exactly one close callback (1006)', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  client.socket.terminate();
  const callback = await closeCallbackOf(stack.app, client.connId);
  assert.equal(callback.body.code, 1006);
  assert.equal(callback.count, 1);
});

test('a control API close gives the client 1000 "closed by app" and the app exactly one close callback with the same', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  const answer = await controlPost(stack.gw.baseUrl, 'close', { conns: [client.connId] });
  assert.equal(answer.status, 200);
  assert.deepEqual(await client.closed, { code: 1000, reason: 'closed by app' });
  const callback = await closeCallbackOf(stack.app, client.connId);
  assert.equal(callback.body.code, 1000);
  assert.equal(callback.body.reason, 'closed by app');
  assert.equal(callback.count, 1);
});

test('callbacks of one connection arrive in order: open, every message, close (even when closed with messages queued)', async (t) => {
  const stack = await startStack(t);
  stack.app.respondWith((c) => (c.body.action === 'message' ? { delayMs: Math.floor(Math.random() * 15) } : undefined));
  const client = await stack.connect({ user: 'alice' });
  for (let i = 0; i < 30; i++) client.send(JSON.stringify({ i }));
  client.socket.close(1000, 'bye');
  const close = await closeCallbackOf(stack.app, client.connId);
  assert.equal(close.count, 1);
  assert.equal(close.body.code, 1000);
  assert.equal(close.body.reason, 'bye');
  const actions = stack.callbacksOf(client.connId).map((c) => (c.body.action === 'message' ? (c.body.data as { i: number }).i : c.body.action));
  assert.deepEqual(actions, ['open', ...Array.from({ length: 30 }, (_, i) => i), 'close']);
});

test('a client close racing a control API close still gives exactly one close callback', async (t) => {
  const stack = await startStack(t);
  const clients = await Promise.all(Array.from({ length: 5 }, () => stack.connect({ user: 'racer' })));
  for (const c of clients) c.socket.close(4000, 'client side');
  const answer = await controlPost(stack.gw.baseUrl, 'close', { users: ['racer'] });
  assert.equal(answer.status, 200);
  for (const c of clients) {
    const callback = await closeCallbackOf(stack.app, c.connId, { settleMs: 0 });
    assert.ok(callback.body.code === 4000 || callback.body.code === 1000, `code ${callback.body.code}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const c of clients) assert.equal(stack.callbacksOf(c.connId).filter((cb) => cb.body.action === 'close').length, 1);
});

test('one connection has at most one callback in flight; different connections overlap', async (t) => {
  const stack = await startStack(t);
  const inFlight = new Map<string, number>();
  let maxPerConn = 0;
  let maxTotal = 0;
  const delayMs = 400;
  stack.app.respondWith((c) => {
    if (c.body.action !== 'message') return undefined;
    const n = (inFlight.get(c.body.conn_id) ?? 0) + 1;
    inFlight.set(c.body.conn_id, n);
    maxPerConn = Math.max(maxPerConn, n);
    maxTotal = Math.max(maxTotal, [...inFlight.values()].reduce((a, b) => a + b, 0));
    // Scheduled before the app's reply timer with the same delay, so it runs first.
    setTimeout(() => inFlight.set(c.body.conn_id, (inFlight.get(c.body.conn_id) ?? 1) - 1), delayMs);
    return { delayMs };
  });
  const a = await stack.connect({ user: 'alice' });
  const b = await stack.connect({ user: 'bob' });
  for (let i = 0; i < 3; i++) {
    a.send(JSON.stringify({ a: i }));
    b.send(JSON.stringify({ b: i }));
  }
  const isMessage = (c: RecordedCallback) => c.body.action === 'message';
  await stack.app.waitForCount((c) => isMessage(c) && (c.body.conn_id === a.connId || c.body.conn_id === b.connId), 6, 15000);
  assert.equal(maxPerConn, 1, 'never two callbacks of the same connection in flight');
  assert.equal(maxTotal, 2, 'the two connections had callbacks in flight at the same time');
  const aTimes = stack.callbacksOf(a.connId).filter(isMessage).map((c) => c.receivedAt);
  for (let i = 1; i < aTimes.length; i++) {
    assert.ok(aTimes[i]! - aTimes[i - 1]! >= delayMs - 20, `message ${i} of one connection waited for the previous answer`);
  }
});

test('WS_CALLBACK_CONCURRENCY caps the callbacks in flight across all connections', async (t) => {
  const stack = await startStack(t, { env: { WS_CALLBACK_CONCURRENCY: '2' } });
  let inFlight = 0;
  let maxInFlight = 0;
  const delayMs = 300;
  const clients = await Promise.all(Array.from({ length: 5 }, (_, i) => stack.connect({ user: `u${i}` })));
  stack.app.respondWith((c) => {
    if (c.body.action !== 'message') return undefined;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => { inFlight--; }, delayMs);
    return { delayMs };
  });
  for (const c of clients) c.send('"go"');
  await stack.app.waitForCount((c) => c.body.action === 'message', clients.length, 15000);
  assert.equal(maxInFlight, 2);
});

test('callbacks reuse keep-alive connections to the app instead of one TCP connection each', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  for (let i = 0; i < 50; i++) client.send(JSON.stringify({ i }));
  const messages = await stack.app.waitForCount((c) => c.body.action === 'message' && c.body.conn_id === client.connId, 50);
  // One connection's callbacks go one at a time, so a pool that keeps sockets alive needs just one.
  const sockets = new Set(messages.map((c) => c.remotePort));
  assert.ok(sockets.size <= 2, `50 callbacks used ${sockets.size} TCP connections`);
});
