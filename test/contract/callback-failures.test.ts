// A3 failures and backpressure: an app that starts late still gets every callback (retry on connect errors),
// non-2xx and timeouts are not retried but counted, a full callback queue pauses the socket without loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer } from '../support/app-server.ts';
import { startGateway } from '../support/gateway-process.ts';
import { startStack, stopGatewayHard, CALLBACK_PATH, FAST_ENV } from '../support/stack.ts';
import { connect } from '../support/ws-client.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { reserveFreePort, sleep, waitUntil } from '../support/wait.ts';

const FAILURES = 'ws_gateway_callback_failures_total';

test('an app that starts 2 s after the gateway still receives the open and message callbacks, in order', async (t) => {
  const port = await reserveFreePort();
  const gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: String(port), WS_URL: CALLBACK_PATH, WS_CALLBACK_RETRY_MS: '10000' } });
  t.after(() => stopGatewayHard(gw));
  const client = await connect(gw.wsUrl, { headers: { 'X-Bfl-User': 'early' } });
  t.after(() => client.socket.terminate());
  client.send('{"seq":1}');
  client.send('{"seq":2}');
  await sleep(2000);
  const app = await startAppServer({ port });
  t.after(() => app.close());
  const open = await app.waitFor((c) => c.body.action === 'open' && c.body.user_name === 'early', 15000);
  const messages = await app.waitForCount((c) => c.body.action === 'message' && c.body.conn_id === open.body.conn_id, 2, 15000);
  assert.deepEqual(messages.map((m) => m.body.data), [{ seq: 1 }, { seq: 2 }]);
  assert.ok(app.callbacks.indexOf(open) < app.callbacks.indexOf(messages[0]!), 'open came before the messages');
  assert.equal(app.callbacks.filter((c) => c.body.action === 'open').length, 1, 'the open callback was delivered once');
});

test('a non-2xx answer is not retried (the app sees it once) and is counted as http_status', async (t) => {
  const stack = await startStack(t);
  stack.app.respondWith((c) => (c.body.action === 'message' && (c.body.data as { fail?: boolean }).fail ? { status: 500 } : undefined));
  const before = (await scrapeMetrics(stack.gw.baseUrl)).value(FAILURES, { reason: 'http_status' });
  const client = await stack.connect({ user: 'alice' });
  client.send('{"fail":true}');
  client.send('{"after":1}');
  await stack.app.waitFor((c) => c.body.conn_id === client.connId && (c.body.data as { after?: number }).after === 1);
  await sleep(1000);
  const failed = stack.callbacksOf(client.connId).filter((c) => (c.body.data as { fail?: boolean }).fail);
  assert.equal(failed.length, 1, 'the failed callback was delivered exactly once');
  const after = (await scrapeMetrics(stack.gw.baseUrl)).value(FAILURES, { reason: 'http_status' });
  assert.equal(after - before, 1);
  assert.equal(client.socket.readyState, client.socket.OPEN, 'the connection survives an app error');
});

test('a callback that times out is not retried and is counted as timeout; later messages still flow', async (t) => {
  const stack = await startStack(t, { env: { WS_CALLBACK_TIMEOUT_MS: '400' } });
  stack.app.respondWith((c) => (c.body.action === 'message' && (c.body.data as { slow?: boolean }).slow ? { delayMs: 1500 } : undefined));
  const client = await stack.connect({ user: 'alice' });
  client.send('{"slow":true}');
  client.send('{"after":1}');
  await stack.app.waitFor((c) => c.body.conn_id === client.connId && (c.body.data as { after?: number }).after === 1);
  await sleep(1500);
  assert.equal(stack.callbacksOf(client.connId).filter((c) => (c.body.data as { slow?: boolean }).slow).length, 1);
  assert.ok((await scrapeMetrics(stack.gw.baseUrl)).value(FAILURES, { reason: 'timeout' }) >= 1);
});

test('an app that never comes up: the callback is given up after WS_CALLBACK_RETRY_MS and counted as unreachable', async (t) => {
  const port = await reserveFreePort();
  const gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: String(port), WS_URL: CALLBACK_PATH, WS_CALLBACK_RETRY_MS: '600' } });
  t.after(() => stopGatewayHard(gw));
  const client = await connect(gw.wsUrl, { headers: { 'X-Bfl-User': 'alice' } });
  t.after(() => client.socket.terminate());
  await waitUntil(async () => (await scrapeMetrics(gw.baseUrl)).value(FAILURES, { reason: 'unreachable' }) >= 1, { timeoutMs: 8000, what: 'an unreachable callback failure' });
  assert.equal(client.socket.readyState, client.socket.OPEN);
});

test('a full callback queue pauses reading (paused_sockets > 0), then every message arrives in order', async (t) => {
  const stack = await startStack(t, { env: { WS_CALLBACK_QUEUE: '2', WS_PING_TIMEOUT_MS: '1000', WS_SERVER_PING_MS: '0' } });
  const client = await stack.connect({ user: 'alice' });
  stack.app.respondWith((c) => (c.body.action === 'message' ? { delayMs: 150 } : undefined));
  const count = 20;
  let maxPaused = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      maxPaused = Math.max(maxPaused, (await scrapeMetrics(stack.gw.baseUrl)).value('ws_gateway_paused_sockets'));
      await sleep(50);
    }
  })();
  try {
    for (let i = 0; i < count; i++) {
      client.send(JSON.stringify({ i, pad: 'x'.repeat(200) }));
      await sleep(15);
    }
    const messages = await stack.app.waitForCount((c) => c.body.action === 'message' && c.body.conn_id === client.connId, count, 20000);
    assert.deepEqual(messages.map((m) => (m.body.data as { i: number }).i), Array.from({ length: count }, (_, i) => i));
    const closes = stack.callbacksOf(client.connId).filter((c) => c.body.action === 'close');
    assert.equal(closes.length, 0, 'a paused socket was not closed as idle while its messages were still queued');
  } finally {
    polling = false;
    await poller;
  }
  assert.ok(maxPaused > 0, 'ws_gateway_paused_sockets was above 0 while the queue was full');
  await waitUntil(async () => (await scrapeMetrics(stack.gw.baseUrl)).value('ws_gateway_paused_sockets') === 0, { timeoutMs: 3000, what: 'ws_gateway_paused_sockets back to 0' });
});

test('an app answering 500 to 200 clients x 50 messages: a handful of GW_ERR_CALLBACK_STATUS lines whose counts add up (F9)', async (t) => {
  const clientCount = 200;
  const perClient = 50;
  const stack = await startStack(t, { env: { WS_LOG_LEVEL: 'info', WS_PING_TIMEOUT_MS: '0', WS_SERVER_PING_MS: '0', WS_SHUTDOWN_TIMEOUT_MS: '5000' } });
  stack.app.respondWith((c) => (c.body.action === 'message' ? { status: 500 } : undefined));
  const clients = [];
  for (let i = 0; i < clientCount; i += 50) {
    clients.push(...await Promise.all(Array.from({ length: 50 }, (_, j) => stack.connect({ user: `u${i + j}` }))));
  }
  for (const client of clients) for (let m = 0; m < perClient; m++) client.send(`{"m":${m}}`);
  await stack.app.waitForCount((c) => c.body.action === 'message', clientCount * perClient, 60000);
  const total = clientCount * perClient;
  await waitUntil(async () => (await scrapeMetrics(stack.gw.baseUrl)).value(FAILURES, { reason: 'http_status' }) === total, { timeoutMs: 10000, what: `${total} http_status failures counted` });
  const whileRunning = stack.gw.logs.filter((entry) => entry.code === 'GW_ERR_CALLBACK_STATUS');
  assert.equal(whileRunning[0]?.count, 1, 'the first occurrence is logged at once, alone');
  // The shutdown writes what is still being counted, so every occurrence is accounted for.
  assert.equal(await stack.stopGateway(), 0);
  const lines = stack.gw.logs.filter((entry) => entry.code === 'GW_ERR_CALLBACK_STATUS');
  t.diagnostic(`${total} failures → ${lines.length} lines: ${JSON.stringify(lines.map((l) => l.count))}`);
  assert.ok(lines.length <= 5, `a handful of lines, not one per failure: ${lines.length}`);
  assert.equal(lines.reduce((sum, l) => sum + Number(l.count), 0), total, 'the counts add up to every failure');
  for (const line of lines) {
    assert.equal(line.level, 'warn');
    assert.equal(line.status, 500);
  }
});
