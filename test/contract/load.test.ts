// A3 under load: 100 connections × 100 messages with an app answering after 0–20 ms: none lost, in order per connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type StackClient } from '../support/stack.ts';

const CONNECTIONS = 100;
const MESSAGES = 100;

test(`${CONNECTIONS} connections × ${MESSAGES} messages: every message arrives once, in order per connection`, async (t) => {
  const stack = await startStack(t, { env: { WS_LOG_LEVEL: 'info', WS_CALLBACK_TIMEOUT_MS: '10000', WS_PING_TIMEOUT_MS: '0' } });
  stack.app.respondWith(() => ({ delayMs: Math.floor(Math.random() * 21) }));
  const clients: StackClient[] = await Promise.all(
    Array.from({ length: CONNECTIONS }, (_, c) => stack.connect({ user: `user-${c % 10}`, cookie: c % 2 === 0 ? `auth_token=load-${c}` : '' })),
  );
  assert.equal(new Set(clients.map((c) => c.connId)).size, CONNECTIONS);

  clients.forEach((client, c) => {
    for (let i = 0; i < MESSAGES; i++) client.send(JSON.stringify({ c, i }));
  });
  await stack.app.waitForCount((cb) => cb.body.action === 'message', CONNECTIONS * MESSAGES, 90000);

  const byConn = new Map<string, number[]>();
  for (const cb of stack.app.callbacks) {
    if (cb.body.action !== 'message') continue;
    const list = byConn.get(cb.body.conn_id) ?? [];
    list.push((cb.body.data as { i: number }).i);
    byConn.set(cb.body.conn_id, list);
  }
  const expected = Array.from({ length: MESSAGES }, (_, i) => i);
  clients.forEach((client, c) => {
    const seen = byConn.get(client.connId) ?? [];
    assert.deepEqual(seen, expected, `connection ${c} got every message exactly once, in order`);
    assert.ok(stack.callbacksOf(client.connId).every((cb) => cb.body.action !== 'message' || (cb.body.data as { c: number }).c === c), 'no message crossed connections');
  });

  for (const client of clients) client.socket.close(1000, 'done');
  await stack.app.waitForCount((cb) => cb.body.action === 'close', CONNECTIONS, 30000);
  for (const client of clients) {
    const actions = stack.callbacksOf(client.connId).map((cb) => cb.body.action);
    assert.equal(actions[0], 'open');
    assert.equal(actions.at(-1), 'close');
    assert.equal(actions.filter((a) => a === 'close').length, 1);
  }
});
