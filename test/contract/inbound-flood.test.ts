// F1: a client that floods {"event":"ping"} without ever reading cannot grow the gateway's memory: pongs go through
// the outbound limit one at a time, and WS_MAX_INBOUND_FRAMES_PER_SEC closes a flooder with 1008 (+ close callback),
// while a bystander keeps getting pongs and a client under the limit is untouched.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startStack, closeCallbackOf, type Stack } from '../support/stack.ts';
import { clientFrame, openRawWebSocket } from '../support/raw-socket.ts';
import { gatewayMemory, INSPECT_ENV } from '../support/gateway-memory.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { sleep } from '../support/wait.ts';

const QUIET = { WS_LOG_LEVEL: 'info', WS_PING_TIMEOUT_MS: '0', WS_SERVER_PING_MS: '0' };
const PING = clientFrame(1, `{"event":"ping","pad":"${'x'.repeat(100)}"}`);
const BATCH = Buffer.concat(Array.from({ length: 1000 }, () => PING));

interface Flood {
  socket: Socket;
  connId: string;
  /** Resolves once the flood stopped (deadline or socket gone) with how many frames were written. */
  done: Promise<number>;
}

/** The report's reproduction: a raw socket that never reads writes ping frames as fast as it can until `durationMs`. */
async function startFlood(stack: Stack, durationMs: number): Promise<Flood> {
  const socket = await openRawWebSocket(stack.gw.port, { Cookie: 'tag=flood' });
  socket.pause();
  const open = await stack.app.waitFor((c) => c.body.action === 'open' && (c.headers.cookie ?? '').includes('tag=flood'));
  // One close listener for the whole flood (one per wait piled up past Node's limit of 10 and warned).
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const done = (async () => {
    const until = Date.now() + durationMs;
    let frames = 0;
    while (Date.now() < until && !socket.destroyed) {
      frames += 1000;
      if (!socket.write(BATCH)) {
        // Not events.once: it would reject on the ECONNRESET the gateway's close causes.
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed, sleep(Math.max(0, until - Date.now()))]);
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return frames;
  })();
  return { socket, connId: open.body.conn_id, done };
}

/** A well-behaved client pinging every 100 ms; returns the pong round trips (ms) once stopped. */
async function startBystander(t: TestContext, stack: Stack): Promise<{ stop(): Promise<number[]>; sent(): number }> {
  const client = await stack.connect({ user: 'bystander' });
  const rtts: number[] = [];
  const outstanding: number[] = [];
  let sent = 0;
  client.socket.on('message', (data: Buffer) => {
    if (data.toString() === '{"event":"pong"}') rtts.push(performance.now() - outstanding.shift()!);
  });
  const timer = setInterval(() => {
    outstanding.push(performance.now());
    sent++;
    client.send('{"event":"ping"}');
  }, 100);
  // A failed assertion must not leave the interval keeping the test process alive.
  t.after(() => clearInterval(timer));
  return {
    sent: () => sent,
    async stop() {
      clearInterval(timer);
      await sleep(1500);
      return rtts;
    },
  };
}

test('default rate limit: the ping flooder is closed with 1008 and one close callback; memory stays flat; a bystander gets prompt pongs', async (t) => {
  const stack = await startStack(t, { env: { ...QUIET, ...INSPECT_ENV } });
  const before = await gatewayMemory(stack.gw);
  const bystander = await startBystander(t, stack);
  const flood = await startFlood(stack, 10000);
  t.after(() => flood.socket.destroy());
  const close = await closeCallbackOf(stack.app, flood.connId, { timeoutMs: 15000 });
  assert.equal(close.body.code, 1008);
  assert.equal(close.body.reason, 'inbound rate limit');
  assert.equal(close.count, 1);
  const frames = await flood.done;
  const after = await gatewayMemory(stack.gw);
  const rtts = (await bystander.stop()).sort((a, b) => a - b);
  const metrics = await scrapeMetrics(stack.gw.baseUrl);
  assert.equal(metrics.value('ws_gateway_rate_limited_total'), 1);
  assert.equal(rtts.length, bystander.sent(), 'the bystander got a pong for every ping');
  assert.ok(rtts.at(-1)! < 500, `bystander max RTT ${rtts.at(-1)!.toFixed(0)} ms, median ${rtts[Math.floor(rtts.length / 2)]!.toFixed(0)} ms`);
  assert.ok(after.heapUsedMiB - before.heapUsedMiB < 16, `heap ${before.heapUsedMiB.toFixed(1)} → ${after.heapUsedMiB.toFixed(1)} MiB after ${frames} ping frames`);
  t.diagnostic(`F1 limited: ${frames} frames written; heap ${before.heapUsedMiB.toFixed(1)} → ${after.heapUsedMiB.toFixed(1)} MiB, rss ${before.rssMiB.toFixed(0)} → ${after.rssMiB.toFixed(0)} MiB; bystander max RTT ${rtts.at(-1)!.toFixed(0)} ms`);
});

test('no rate limit (0): a ping flooder that never reads gets at most one pong queued; heap stays bounded; a bystander gets prompt pongs', async (t) => {
  const stack = await startStack(t, { env: { ...QUIET, ...INSPECT_ENV, WS_MAX_INBOUND_FRAMES_PER_SEC: '0' } });
  const before = await gatewayMemory(stack.gw);
  const bystander = await startBystander(t, stack);
  const flood = await startFlood(stack, 8000);
  t.after(() => flood.socket.destroy());
  await sleep(6000);
  const during = await gatewayMemory(stack.gw);
  const metrics = await scrapeMetrics(stack.gw.baseUrl);
  const frames = await flood.done;
  const rtts = await bystander.stop();
  flood.socket.destroy();

  t.diagnostic(`F1 unlimited: ${frames} frames written; heap ${before.heapUsedMiB.toFixed(1)} → ${during.heapUsedMiB.toFixed(1)} MiB, rss ${before.rssMiB.toFixed(0)} → ${during.rssMiB.toFixed(0)} MiB; bystander max RTT ${Math.max(...rtts).toFixed(0)} ms`);
  assert.ok(frames > 100_000, `the flood really flooded (${frames} frames)`);
  assert.ok(during.heapUsedMiB - before.heapUsedMiB < 32, `heap ${before.heapUsedMiB.toFixed(1)} → ${during.heapUsedMiB.toFixed(1)} MiB during the flood`);
  assert.ok(during.rssMiB < 400, `rss ${during.rssMiB.toFixed(0)} MiB during the flood`);
  assert.equal(metrics.value('ws_gateway_slow_consumers_total'), 0, 'one pending pong never overflows the outbound buffer');
  // An unlimited flood competes with everyone for the one event loop: the bystander is slower, never starved.
  assert.equal(rtts.length, bystander.sent(), 'the bystander got a pong for every ping');
  assert.ok(Math.max(...rtts) < 3000, `bystander max RTT ${Math.max(...rtts).toFixed(0)} ms`);
});

test('a client under the limit (a burst of 150, then 50 messages/s with pings) is untouched', async (t) => {
  const stack = await startStack(t, { env: QUIET });
  const client = await stack.connect({ user: 'alice' });
  let n = 0;
  for (; n < 150; n++) client.send(JSON.stringify({ n }));
  const started = Date.now();
  while (Date.now() - started < 3000) {
    await sleep(20);
    client.send(JSON.stringify({ n: n++ }));
    if (n % 25 === 0) client.send('{"event":"ping"}');
  }
  const messages = await stack.app.waitForCount((c) => c.body.action === 'message' && c.body.conn_id === client.connId, n, 15000);
  assert.deepEqual(messages.map((c) => (c.body.data as { n: number }).n), Array.from({ length: n }, (_, i) => i));
  assert.ok(client.received.filter((f) => f === '{"event":"pong"}').length > 0, 'pings were answered');
  assert.equal(client.socket.readyState, client.socket.OPEN);
  assert.equal((await scrapeMetrics(stack.gw.baseUrl)).value('ws_gateway_rate_limited_total'), 0);
});
