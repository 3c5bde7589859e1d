// WS_OPEN_MODE=authorize: the open callback decides the handshake (2xx accepts, non-2xx refuses with that status,
// no answer within WS_CALLBACK_TIMEOUT_MS → 503); a refused handshake never gets a close callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, closeCallbackOf, stopGatewayHard, CALLBACK_PATH, FAST_ENV } from '../support/stack.ts';
import { startGateway } from '../support/gateway-process.ts';
import { upgradeStatus } from '../support/ws-client.ts';
import { reserveFreePort, sleep } from '../support/wait.ts';

const ENV = { WS_OPEN_MODE: 'authorize', WS_CALLBACK_TIMEOUT_MS: '700' };

test('a 2xx answer to the open callback accepts the upgrade; messages and close follow', async (t) => {
  const stack = await startStack(t, { env: ENV });
  stack.app.respondWith((c) => (c.body.action === 'open' ? { status: 204 } : undefined));
  const client = await stack.connect({ user: 'alice', cookie: 'auth_token=ok' });
  assert.deepEqual(client.open?.body.data, {});
  assert.equal(client.open?.body.token, 'ok');
  client.send('{"first":true}');
  await stack.app.waitFor((c) => c.body.action === 'message' && c.body.conn_id === client.connId);
  client.socket.close(1000, 'bye');
  const close = await closeCallbackOf(stack.app, client.connId);
  assert.equal(close.count, 1);
  assert.deepEqual(stack.callbacksOf(client.connId).map((c) => c.body.action), ['open', 'message', 'close']);
});

for (const status of [401, 403, 500]) {
  test(`a ${status} answer refuses the upgrade with ${status} and no close callback ever follows`, async (t) => {
    const stack = await startStack(t, { env: ENV });
    stack.app.respondWith((c) => (c.body.user_name === 'mallory' ? { status } : undefined));
    assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { 'X-Bfl-User': 'mallory' } }), status);
    const open = await stack.app.waitFor((c) => c.body.action === 'open' && c.body.user_name === 'mallory');
    await sleep(500);
    assert.deepEqual(stack.callbacksOf(open.body.conn_id).map((c) => c.body.action), ['open'], 'only the authorisation request');
    const alice = await stack.connect({ user: 'alice' });
    assert.equal(alice.socket.readyState, alice.socket.OPEN, 'other users are still accepted');
  });
}

test('an app slower than WS_CALLBACK_TIMEOUT_MS gets the upgrade refused with 503 and no close callback', async (t) => {
  const stack = await startStack(t, { env: ENV });
  stack.app.respondWith((c) => (c.body.user_name === 'slow' ? { delayMs: 1500 } : undefined));
  const started = performance.now();
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { 'X-Bfl-User': 'slow' } }), 503);
  assert.ok(performance.now() - started < 1400, 'refused at the callback timeout, not when the app finally answered');
  const open = await stack.app.waitFor((c) => c.body.action === 'open' && c.body.user_name === 'slow');
  await sleep(1500);
  assert.deepEqual(stack.callbacksOf(open.body.conn_id).map((c) => c.body.action), ['open']);
});

test('an unreachable app gets the upgrade refused with 503', async (t) => {
  const port = await reserveFreePort();
  const gw = await startGateway({ env: { ...FAST_ENV, ...ENV, WS_PORT: String(port), WS_URL: CALLBACK_PATH, WS_CALLBACK_RETRY_MS: '500' } });
  t.after(() => stopGatewayHard(gw));
  const started = performance.now();
  assert.equal(await upgradeStatus(gw.wsUrl, { headers: { 'X-Bfl-User': 'alice' } }), 503);
  assert.ok(performance.now() - started < 5000, 'refused within the retry/timeout budget');
});
