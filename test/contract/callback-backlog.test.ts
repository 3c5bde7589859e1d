// F2: with a slow app, what one connection holds is bounded by WS_CALLBACK_QUEUE and WS_CALLBACK_QUEUE_BYTES even
// though ws parses a whole socket read at once: frames beyond capacity are kept as raw bytes, not callbacks, and
// every accepted message is delivered, in order, once the app catches up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startStack } from '../support/stack.ts';
import { clientCloseFrame, clientFrame, openRawWebSocket } from '../support/raw-socket.ts';
import { gatewayMemory, INSPECT_ENV } from '../support/gateway-memory.ts';
import { scrapeMetrics, type MetricsSnapshot } from '../support/metrics.ts';
import { sleep, waitUntil } from '../support/wait.ts';

const CLIENTS = 40;
const FRAMES = 3000;
const QUEUE = 64;
const QUEUE_BYTES = 8192;

test(`slow app (2 s per callback), ${CLIENTS} clients × ${FRAMES} tiny frames at once: bounded per connection, then all delivered in order`, async (t) => {
  const stack = await startStack(t, {
    env: {
      ...INSPECT_ENV,
      WS_LOG_LEVEL: 'info',
      WS_PING_TIMEOUT_MS: '0',
      WS_SERVER_PING_MS: '0',
      WS_MAX_INBOUND_FRAMES_PER_SEC: '0',
      WS_CALLBACK_QUEUE: String(QUEUE),
      WS_CALLBACK_QUEUE_BYTES: String(QUEUE_BYTES),
      WS_CALLBACK_TIMEOUT_MS: '10000',
    },
  });
  let slow = true;
  stack.app.respondWith(() => (slow ? { delayMs: 2000 } : undefined));
  const before = await gatewayMemory(stack.gw);

  const sockets: Socket[] = [];
  t.after(() => { for (const s of sockets) s.destroy(); });
  for (let c = 0; c < CLIENTS; c++) {
    const socket = await openRawWebSocket(stack.gw.port, { Cookie: `client=${c}` });
    socket.resume();
    sockets.push(socket);
  }
  await stack.app.waitForCount((cb) => cb.body.action === 'open', CLIENTS, 15000);
  // Each client's frames in one write, so the gateway reads thousands of them at once (the report's overshoot).
  for (const socket of sockets) socket.write(Buffer.concat(Array.from({ length: FRAMES }, (_, i) => clientFrame(1, String(i)))));

  const samples: MetricsSnapshot[] = [];
  await waitUntil(async () => {
    const m = await scrapeMetrics(stack.gw.baseUrl);
    samples.push(m);
    return m.value('ws_gateway_paused_sockets') === CLIENTS ? m : undefined;
  }, { what: 'every socket paused', timeoutMs: 15000, intervalMs: 200 });
  for (let i = 0; i < 5; i++) {
    await sleep(400);
    samples.push(await scrapeMetrics(stack.gw.baseUrl));
  }
  const during = await gatewayMemory(stack.gw);
  const largest = Math.max(...samples.map((m) => m.value('ws_gateway_callbacks_pending_max')));
  const largestBytes = Math.max(...samples.map((m) => m.value('ws_gateway_callbacks_pending_bytes_max')));
  const total = Math.max(...samples.map((m) => m.value('ws_gateway_callbacks_pending')));
  const held = Math.max(...samples.map((m) => m.value('ws_gateway_inbound_held_bytes')));
  const delivered = stack.app.callbacks.filter((cb) => cb.body.action === 'message').length;
  t.diagnostic(`F2: pending max/conn ${largest} (${largestBytes} B), total ${total}, held ${held} B, delivered so far ${delivered}; heap ${before.heapUsedMiB.toFixed(1)} → ${during.heapUsedMiB.toFixed(1)} MiB, rss ${before.rssMiB.toFixed(0)} → ${during.rssMiB.toFixed(0)} MiB`);
  assert.ok(during.heapUsedMiB - before.heapUsedMiB < 12, `heap ${before.heapUsedMiB.toFixed(1)} → ${during.heapUsedMiB.toFixed(1)} MiB with ${CLIENTS * FRAMES} messages accepted`);
  assert.ok(samples[0]!.has('ws_gateway_callbacks_pending_max'), 'the gateway reports its callback backlog');
  assert.ok(largest > 0 && largest <= QUEUE, `callbacks pending on one connection: ${largest} (WS_CALLBACK_QUEUE ${QUEUE})`);
  // One callback may overshoot the byte limit (a message larger than it must still fit an empty queue).
  assert.ok(largestBytes <= QUEUE_BYTES + 512, `callback bytes pending on one connection: ${largestBytes} (WS_CALLBACK_QUEUE_BYTES ${QUEUE_BYTES})`);
  assert.ok(total <= CLIENTS * QUEUE, `callbacks pending in all: ${total}`);
  assert.ok(held > 0 && held <= CLIENTS * FRAMES * 8, `raw bytes held: ${held}`);

  // The app catches up; each client then closes, and its close callback must come after all of its messages.
  slow = false;
  for (const socket of sockets) socket.write(clientCloseFrame(1000));
  // Polled: waitForCount would filter every recorded callback on each of the tens of thousands that arrive.
  await waitUntil(() => stack.app.callbacks.filter((cb) => cb.body.action === 'close').length === CLIENTS, { what: 'every close callback', timeoutMs: 60000, intervalMs: 250 });
  const byClient = new Map<string, { data: unknown[]; actions: string[] }>();
  for (const cb of stack.app.callbacks) {
    const client = /client=(\d+)/.exec(cb.headers.cookie ?? '')?.[1] ?? '?';
    const entry = byClient.get(client) ?? { data: [], actions: [] };
    entry.actions.push(cb.body.action);
    if (cb.body.action === 'message') entry.data.push(cb.body.data);
    byClient.set(client, entry);
  }
  const expected = Array.from({ length: FRAMES }, (_, i) => i);
  for (let c = 0; c < CLIENTS; c++) {
    const entry = byClient.get(String(c));
    assert.ok(entry, `client ${c} has callbacks`);
    assert.deepEqual(entry.data, expected, `client ${c}: every message once, in order`);
    assert.equal(entry.actions[0], 'open');
    assert.equal(entry.actions.at(-1), 'close');
    assert.equal(entry.actions.filter((a) => a === 'close').length, 1);
  }
  const closes = stack.app.callbacks.filter((cb) => cb.body.action === 'close');
  assert.ok(closes.every((cb) => cb.body.code === 1000), `close codes ${JSON.stringify([...new Set(closes.map((cb) => cb.body.code))])}`);
});
