// A6: SIGTERM drains — /readyz 503 and no new upgrades while draining, every client gets 1001, every close callback
// is delivered before the process exits 0, within WS_SHUTDOWN_TIMEOUT_MS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { closeCallbackOf, startStack } from '../support/stack.ts';
import { connect } from '../support/ws-client.ts';

/** Tries an upgrade; resolves with the HTTP status of a refusal, 'refused' for a connection error, or 101. */
async function tryUpgrade(url: string): Promise<number | 'refused'> {
  try {
    const client = await connect(url, { headers: { 'X-Bfl-User': 'late' } });
    client.socket.terminate();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? 'refused';
  }
}

test('SIGTERM: 1001 to every client, every close callback delivered, readyz 503 and no upgrades while draining, exit 0', async (t) => {
  const stack = await startStack(t, { env: { WS_SHUTDOWN_TIMEOUT_MS: '5000', WS_CALLBACK_TIMEOUT_MS: '4000' } });
  const clients = await Promise.all(['alice', 'alice', 'bob', 'carol', ''].map((user) => stack.connect(user ? { user } : {})));
  // Slow close callbacks keep the gateway draining long enough to observe it.
  stack.app.respondWith((c) => (c.body.action === 'close' ? { delayMs: 1000 } : undefined));

  const exited = once(stack.gw.child, 'exit') as Promise<[number | null, string | null]>;
  const started = performance.now();
  stack.gw.child.kill('SIGTERM');

  await Promise.all(clients.map((c) => stack.app.waitFor((cb) => cb.body.action === 'close' && cb.body.conn_id === c.connId, 5000)));
  const readyz = await fetch(`${stack.gw.baseUrl}/readyz`).then((r) => r.status, () => 'refused');
  const upgrade = await tryUpgrade(stack.gw.wsUrl);

  const [code] = await exited;
  const elapsed = performance.now() - started;
  assert.equal(code, 0, `exit code; stderr: ${stack.gw.stderr()}`);
  assert.ok(elapsed < 5000 + 1000, `exited within the shutdown budget (${Math.round(elapsed)} ms)`);
  assert.ok(elapsed >= 900, 'the gateway waited for the (slow) close callbacks before exiting');
  assert.ok(readyz === 503 || readyz === 'refused', `readyz while draining: ${readyz}`);
  assert.notEqual(readyz, 200);
  assert.notEqual(upgrade, 101, 'no new upgrade accepted while draining');

  for (const client of clients) {
    assert.deepEqual(await client.closed, { code: 1001, reason: 'gateway shutting down' });
    const closes = stack.callbacksOf(client.connId).filter((c) => c.body.action === 'close');
    assert.equal(closes.length, 1, 'exactly one close callback per connection');
    assert.equal(closes[0]!.body.code, 1001);
    assert.equal(closes[0]!.body.reason, 'gateway shutting down');
  }
  assert.equal(stack.app.callbacks.filter((c) => c.body.user_name === 'late').length, 0, 'the refused upgrade never reached the app');
});

test('SIGTERM: /readyz turns 503 as soon as draining starts', async (t) => {
  const stack = await startStack(t, { env: { WS_SHUTDOWN_TIMEOUT_MS: '4000', WS_CALLBACK_TIMEOUT_MS: '3000' } });
  await stack.connect({ user: 'alice' });
  stack.app.respondWith((c) => (c.body.action === 'close' ? { delayMs: 1500 } : undefined));
  assert.equal((await fetch(`${stack.gw.baseUrl}/readyz`)).status, 200);
  const exited = once(stack.gw.child, 'exit');
  stack.gw.child.kill('SIGTERM');
  await stack.app.waitFor((c) => c.body.action === 'close', 3000);
  assert.equal((await fetch(`${stack.gw.baseUrl}/readyz`)).status, 503);
  assert.equal((await fetch(`${stack.gw.baseUrl}/healthz`)).status, 200, 'still alive while draining');
  await exited;
});

test('SIGTERM with an app that never answers: the process still exits 0 within WS_SHUTDOWN_TIMEOUT_MS', async (t) => {
  const stack = await startStack(t, { env: { WS_SHUTDOWN_TIMEOUT_MS: '1500', WS_CALLBACK_TIMEOUT_MS: '10000' } });
  const clients = await Promise.all([stack.connect({ user: 'a' }), stack.connect({ user: 'b' })]);
  stack.app.respondWith((c) => (c.body.action === 'close' ? { delayMs: 4000 } : undefined));
  const started = performance.now();
  const exited = once(stack.gw.child, 'exit') as Promise<[number | null, string | null]>;
  stack.gw.child.kill('SIGTERM');
  const [code] = await exited;
  const elapsed = performance.now() - started;
  assert.equal(code, 0);
  assert.ok(elapsed < 1500 + 1500, `exited within the budget (${Math.round(elapsed)} ms)`);
  for (const client of clients) {
    assert.equal((await client.closed).code, 1001);
    assert.equal(stack.callbacksOf(client.connId).filter((c) => c.body.action === 'close').length, 1, 'the close callback was attempted');
  }
});

test('SIGTERM while a client is closing: its close callback keeps the client\'s own code and reason', async (t) => {
  const stack = await startStack(t, { env: { WS_SHUTDOWN_TIMEOUT_MS: '6000' } });
  const leaving = await stack.connect({ user: 'alice' });
  // The client sends its close frame, then stops reading: the gateway answers but cannot finish
  // the closing handshake, so the connection is still registered (closing) when SIGTERM arrives.
  leaving.socket.close(4000, 'bye');
  (leaving.socket as unknown as { _socket: Socket })._socket.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await stack.app.waitFor(() => true)).body.action, 'open');
  assert.equal(stack.callbacksOf(leaving.connId).filter((c) => c.body.action === 'close').length, 0, 'not closed yet');

  const exited = once(stack.gw.child, 'exit');
  stack.gw.child.kill('SIGTERM');
  const callback = await closeCallbackOf(stack.app, leaving.connId, { timeoutMs: 6000 });
  assert.equal(callback.count, 1);
  assert.equal(callback.body.code, 4000, 'the client initiated the close, not the shutdown');
  assert.equal(callback.body.reason, 'bye');
  await exited;
});

test('SIGTERM with a slow app: at the deadline the gateway logs how many close callbacks never reached the app, then exits 0 in budget', async (t) => {
  const budgetMs = 3000;
  const clientCount = 200;
  const stack = await startStack(t, { env: { WS_SHUTDOWN_TIMEOUT_MS: String(budgetMs), WS_CALLBACK_TIMEOUT_MS: '10000', WS_LOG_LEVEL: 'info', WS_PING_TIMEOUT_MS: '0', WS_SERVER_PING_MS: '0' } });
  const clients = [];
  for (let i = 0; i < clientCount; i += 50) {
    clients.push(...await Promise.all(Array.from({ length: 50 }, (_, j) => stack.connect({ user: `u${i + j}` }))));
  }
  // 2 s per close callback with 64 in flight: about two rounds fit in the budget, the rest cannot.
  stack.app.respondWith((c) => (c.body.action === 'close' ? { delayMs: 2000 } : undefined));
  const exited = once(stack.gw.child, 'exit') as Promise<[number | null, string | null]>;
  const started = performance.now();
  stack.gw.child.kill('SIGTERM');
  const [code] = await exited;
  const elapsed = performance.now() - started;
  assert.equal(code, 0, `exit code; stderr: ${stack.gw.stderr()}`);
  assert.ok(elapsed < budgetMs + 700, `exited within the budget (${Math.round(elapsed)} ms)`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const received = new Set(stack.app.callbacks.filter((c) => c.body.action === 'close').map((c) => c.body.conn_id)).size;
  const line = stack.gw.logs.find((entry) => entry.code === 'GW_ERR_SHUTDOWN_CALLBACKS');
  assert.ok(line, `a GW_ERR_SHUTDOWN_CALLBACKS line; logs: ${JSON.stringify(stack.gw.logs.slice(-5))}`);
  assert.equal(line.level, 'error');
  t.diagnostic(`exit after ${Math.round(elapsed)} ms; the app received ${received} close callbacks; logged ${JSON.stringify({ undelivered: line.undeliveredCallbacks, unanswered: line.unansweredCallbacks })}`);
  assert.ok(received > 0 && received < clientCount, `some close callbacks reached the app, not all (${received})`);
  assert.equal(line.undeliveredCallbacks, clientCount - received, `undelivered = connections - close callbacks the app received (${received})`);
  assert.equal(typeof line.unansweredCallbacks, 'number');
  assert.equal(stack.gw.logs.some((entry) => entry.code === 'GW_ERR_SHUTDOWN_TIMEOUT'), false, 'the drain finished before the hard exit timer');
  for (const client of clients) assert.equal((await client.closed).code, 1001);
});
