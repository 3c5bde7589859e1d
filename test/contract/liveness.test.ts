// A2 keep-alive and limits: idle close 4408 (+ close callback), every inbound frame counts as activity,
// server pings keep auto-ponging clients alive, oversized frames close with 1009 (+ close callback).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, closeCallbackOf, type StackClient } from '../support/stack.ts';
import { sleep } from '../support/wait.ts';

const IDLE_ENV = { WS_PING_TIMEOUT_MS: '1500', WS_SERVER_PING_MS: '0' };

/** Runs `act` every 400 ms for `durationMs`, then checks the client is still open. */
async function keepBusy(client: StackClient, durationMs: number, act: () => void): Promise<void> {
  const timer = setInterval(act, 400);
  try {
    await sleep(durationMs);
  } finally {
    clearInterval(timer);
  }
  assert.equal(client.socket.readyState, client.socket.OPEN, 'still open past the idle timeout');
}

test('an idle client is closed with 4408 after WS_PING_TIMEOUT_MS and the app gets close 4408', async (t) => {
  const stack = await startStack(t, { env: IDLE_ENV });
  const started = performance.now();
  const client = await stack.connect({ user: 'alice' });
  const closed = await client.closed;
  const elapsed = performance.now() - started;
  assert.equal(closed.code, 4408);
  assert.equal(closed.reason, 'idle timeout');
  assert.ok(elapsed >= 1300 && elapsed < 6000, `closed after ${Math.round(elapsed)} ms`);
  const callback = await closeCallbackOf(stack.app, client.connId);
  assert.equal(callback.body.code, 4408);
  assert.equal(callback.count, 1);
});

describe('activity keeps a connection open', { concurrency: true }, () => {
  test('a client that only sends protocol pings stays open past the idle timeout', async (t) => {
    const stack = await startStack(t, { env: IDLE_ENV });
    const client = await stack.connect({ user: 'alice' });
    let pongs = 0;
    client.socket.on('pong', () => { pongs++; });
    await keepBusy(client, 3500, () => client.socket.ping());
    assert.ok(pongs > 0, 'the gateway answers protocol pings');
    assert.equal(stack.callbacksOf(client.connId).filter((c) => c.body.action === 'message').length, 0, 'protocol pings are not forwarded');
  });

  test('a client that sends app messages stays open past the idle timeout', async (t) => {
    const stack = await startStack(t, { env: IDLE_ENV });
    const client = await stack.connect({ user: 'alice' });
    let n = 0;
    await keepBusy(client, 3500, () => client.send(JSON.stringify({ n: n++ })));
    const messages = stack.callbacksOf(client.connId).filter((c) => c.body.action === 'message');
    assert.ok(messages.length >= n - 1, 'the messages were forwarded');
  });

  test('a client that sends {"event":"ping"} stays open past the idle timeout', async (t) => {
    const stack = await startStack(t, { env: IDLE_ENV });
    const client = await stack.connect({ user: 'alice' });
    await keepBusy(client, 3500, () => client.send('{"event":"ping"}'));
    assert.ok(client.received.length >= 5, 'pongs were received');
  });

  test('server pings (WS_SERVER_PING_MS) keep a silent but auto-ponging client alive', async (t) => {
    const stack = await startStack(t, { env: { WS_PING_TIMEOUT_MS: '1500', WS_SERVER_PING_MS: '300' } });
    const client = await stack.connect({ user: 'alice' });
    let pings = 0;
    client.socket.on('ping', () => { pings++; });
    await sleep(3500);
    assert.ok(pings >= 3, `the gateway sent protocol pings (${pings})`);
    assert.equal(client.socket.readyState, client.socket.OPEN, 'the automatic pong counts as activity');
  });

  test('WS_PING_TIMEOUT_MS=0 never closes an idle client', async (t) => {
    const stack = await startStack(t, { env: { WS_PING_TIMEOUT_MS: '0', WS_SERVER_PING_MS: '0' } });
    const client = await stack.connect({ user: 'alice' });
    await sleep(2500);
    assert.equal(client.socket.readyState, client.socket.OPEN);
  });
});

test('an inbound message larger than WS_MAX_PAYLOAD_BYTES closes with 1009 and is not forwarded', async (t) => {
  const stack = await startStack(t, { env: { WS_MAX_PAYLOAD_BYTES: '1024' } });
  const client = await stack.connect({ user: 'alice' });
  client.send('a'.repeat(1000));
  await stack.app.waitFor((c) => c.body.action === 'message' && c.body.conn_id === client.connId);
  client.send('b'.repeat(4096));
  const closed = await client.closed;
  assert.equal(closed.code, 1009);
  const callback = await closeCallbackOf(stack.app, client.connId);
  assert.equal(callback.body.code, 1009);
  assert.equal(callback.count, 1);
  const messages = stack.callbacksOf(client.connId).filter((c) => c.body.action === 'message');
  assert.equal(messages.length, 1, 'only the small message reached the app');
});
