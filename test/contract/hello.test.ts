// A12: a client offering tapr-ws.v1 gets it selected, `$hello` as its first frame and `$drain` before the 1001 close;
// other clients see neither frame and keep the first-offered selection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { controlPost } from '../support/control-api.ts';
import { startStack } from '../support/stack.ts';
import { UUID_V4 } from '../support/wait.ts';

const ENV = { WS_PING_TIMEOUT_MS: '9000', WS_SERVER_PING_MS: '0' };

/** Parses a text frame (the frames under test are all JSON). */
const json = (frame: string | Buffer | undefined): unknown => JSON.parse(String(frame));

test('tapr-ws.v1 alone: selected, and the first frame is $hello with the conn_id and the timers', async (t) => {
  const stack = await startStack(t, { env: ENV });
  const client = await stack.connect({ user: 'alice', protocols: 'tapr-ws.v1' });
  assert.equal(client.socket.protocol, 'tapr-ws.v1');
  const [hello] = await client.waitForMessages(1);
  assert.match(client.connId, UUID_V4);
  assert.deepEqual(json(hello), { event: '$hello', data: { conn_id: client.connId, ping_interval_ms: 3000, idle_timeout_ms: 9000 } });
});

test('tapr-ws.v1 among other offered protocols is selected wherever it is in the list', async (t) => {
  const stack = await startStack(t, { env: ENV });
  for (const protocols of [['chat', 'tapr-ws.v1'], ['tapr-ws.v1', 'chat'], ['a', 'b', 'tapr-ws.v1']]) {
    const client = await stack.connect({ protocols });
    assert.equal(client.socket.protocol, 'tapr-ws.v1', protocols.join(','));
    assert.equal((json((await client.waitForMessages(1))[0]) as { event: string }).event, '$hello');
  }
});

test('clients that do not offer tapr-ws.v1 get no $hello; the first offered protocol stays selected', async (t) => {
  const stack = await startStack(t, { env: ENV });
  for (const protocols of [undefined, 'chat', ['chat', 'json'], ['TAPR-WS.V1']]) {
    const client = await stack.connect(protocols === undefined ? {} : { protocols });
    const expected = protocols === undefined ? '' : [protocols].flat()[0];
    assert.equal(client.socket.protocol, expected, String(protocols));
    // The app's first frame and the answer to a ping are the first frames such a client sees.
    await controlPost(stack.gw.baseUrl, 'send', { conn_id: client.connId, payload: { first: true } });
    client.send('{"event":"ping"}');
    assert.deepEqual((await client.waitForMessages(2)).map(json), [{ first: true }, { event: 'pong' }]);
  }
});

test('$hello comes before anything the app sends, even when it sends as soon as it learns the conn_id', async (t) => {
  const stack = await startStack(t, { env: ENV });
  stack.app.respondWith((c) => {
    if (c.body.action === 'open') void controlPost(stack.gw.baseUrl, 'send', { conn_id: c.body.conn_id, payload: 'welcome' });
    return undefined;
  });
  const client = await stack.connect({ protocols: ['tapr-ws.v1'] });
  const frames = (await client.waitForMessages(2)).map(json) as [{ event: string }, unknown];
  assert.equal(frames[0].event, '$hello');
  assert.equal(frames[1], 'welcome');
});

test('WS_PING_TIMEOUT_MS=0: $hello says idle_timeout_ms 0 (never closed) and ping_interval_ms 30000', async (t) => {
  const stack = await startStack(t, { env: { WS_PING_TIMEOUT_MS: '0' } });
  const client = await stack.connect({ protocols: 'tapr-ws.v1' });
  assert.deepEqual(json((await client.waitForMessages(1))[0]), { event: '$hello', data: { conn_id: client.connId, ping_interval_ms: 30000, idle_timeout_ms: 0 } });
});

test('SIGTERM: tapr-ws.v1 clients get $drain (reconnect_within_ms = WS_SHUTDOWN_TIMEOUT_MS) before 1001; others only 1001', async (t) => {
  const stack = await startStack(t, { env: { ...ENV, WS_SHUTDOWN_TIMEOUT_MS: '4000' } });
  const v1 = await stack.connect({ user: 'alice', protocols: ['chat', 'tapr-ws.v1'] });
  const plain = await stack.connect({ user: 'bob', protocols: 'chat' });
  const none = await stack.connect({ user: 'carol' });
  await v1.waitForMessages(1);
  const exited = once(stack.gw.child, 'exit');
  stack.gw.child.kill('SIGTERM');
  for (const client of [v1, plain, none]) assert.deepEqual(await client.closed, { code: 1001, reason: 'gateway shutting down' });
  await exited;
  assert.deepEqual(v1.received.map(json), [
    { event: '$hello', data: { conn_id: v1.connId, ping_interval_ms: 3000, idle_timeout_ms: 9000 } },
    { event: '$drain', data: { reconnect_within_ms: 4000 } },
  ]);
  assert.deepEqual(plain.received, []);
  assert.deepEqual(none.received, []);
});
