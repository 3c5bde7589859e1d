// A2/A3 slow consumer: a client that stops reading during a ~32 MB broadcast is closed with 1013 (and the app gets
// close 1013 once), while another connection of the same user receives every message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startStack, closeCallbackOf } from '../support/stack.ts';
import { controlPost } from '../support/control-api.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { sleep } from '../support/wait.ts';

const SENDS = 64;
const PAD = 'x'.repeat(512 * 1024);

test('a client that stops reading is closed with 1013; the same user\'s other client gets everything', async (t) => {
  const stack = await startStack(t, { env: { WS_MAX_BUFFERED_BYTES: '4194304', WS_PING_TIMEOUT_MS: '0', WS_SERVER_PING_MS: '0' } });
  const stalled = await stack.connect({ user: 'alice', cookie: 'auth_token=stalled' });
  const healthy = await stack.connect({ user: 'alice', cookie: 'auth_token=healthy' });
  const tcp = (stalled.socket as unknown as { _socket: Socket })._socket;
  tcp.pause();
  const slowBefore = (await scrapeMetrics(stack.gw.baseUrl)).value('ws_gateway_slow_consumers_total');

  // Resume the stalled client ~1 s after the gateway flagged it, so it drains and reads the close frame.
  let resumed = false;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      if ((await scrapeMetrics(stack.gw.baseUrl)).value('ws_gateway_slow_consumers_total') > slowBefore) {
        await sleep(1000);
        tcp.resume();
        resumed = true;
        return;
      }
      await sleep(100);
    }
  })();

  const answers: { matched: number; sent: number }[] = [];
  try {
    for (let seq = 0; seq < SENDS; seq++) {
      const answer = await controlPost(stack.gw.baseUrl, 'send', { users: ['alice'], payload: { seq, pad: PAD } });
      assert.equal(answer.status, 200);
      answers.push(answer.body.data as { matched: number; sent: number });
    }
    const frames = await healthy.waitForMessages(SENDS, 60000);
    assert.deepEqual(frames.map((f) => (JSON.parse(f as string) as { seq: number }).seq), Array.from({ length: SENDS }, (_, i) => i), 'the healthy client got every message in order');
  } finally {
    watching = false;
    await watcher;
    if (!resumed) tcp.resume();
  }
  assert.ok(resumed, 'ws_gateway_slow_consumers_total incremented during the broadcast');
  assert.ok(answers.some((a) => a.sent < a.matched), `some sends skipped the slow consumer: ${JSON.stringify(answers.slice(-3))}`);
  assert.equal(answers.at(-1)!.sent, 1, 'the last send reached only the healthy client');

  const closed = await stalled.closed;
  assert.equal(closed.code, 1013);
  assert.equal(closed.reason, 'slow consumer');
  const callback = await closeCallbackOf(stack.app, stalled.connId, { timeoutMs: 15000 });
  assert.equal(callback.body.code, 1013);
  assert.equal(callback.count, 1);
  assert.ok(stalled.received.length < SENDS, 'the stalled client did not get the whole broadcast');

  assert.equal(healthy.socket.readyState, healthy.socket.OPEN);
  await controlPost(stack.gw.baseUrl, 'send', { users: ['alice'], payload: 'still here' });
  const last = await healthy.waitForMessages(SENDS + 1);
  assert.equal(last.at(-1), '"still here"');
  assert.equal((await scrapeMetrics(stack.gw.baseUrl)).value('ws_gateway_slow_consumers_total') - slowBefore, 1);
});
