// F3 (gateway part): the body of the app's answer to a callback is never buffered; a huge one is cut off, and the
// gateway's memory (RSS from its own /metrics) does not follow it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startGateway } from '../support/gateway-process.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { CALLBACK_PATH, FAST_ENV, stopGatewayHard } from '../support/stack.ts';
import { connect } from '../support/ws-client.ts';
import { waitUntil } from '../support/wait.ts';

const MiB = 1024 * 1024;
const answerBytes = 100 * MiB;

/** Streams `answerBytes` to the gateway (chunked, or with a Content-Length) and records how much the socket took. */
function streamHugeAnswer(res: ServerResponse, withLength: boolean, written: number[]): void {
  res.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(answerBytes) } : {}) });
  const chunk = Buffer.alloc(MiB, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < answerBytes && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return;
    }
    if (sent >= answerBytes) res.end();
  };
  res.on('drain', pump);
  res.on('close', () => written.push(sent));
  pump();
}

for (const withLength of [false, true]) {
  test(`an app answering every message with a 100 MiB body (${withLength ? 'Content-Length' : 'chunked'}): cut off, RSS stays flat, callbacks go on`, async (t) => {
    const written: number[] = [];
    const messages: string[] = [];
    const app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { action: string; data: unknown };
        if (body.action !== 'message') return void res.end('{}');
        messages.push(JSON.stringify(body.data));
        streamHugeAnswer(res, withLength, written);
      });
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    t.after(() => { app.closeAllConnections(); app.close(); });
    const gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: String((app.address() as AddressInfo).port), WS_URL: CALLBACK_PATH, WS_LOG_LEVEL: 'info', WS_CALLBACK_TIMEOUT_MS: '5000' } });
    t.after(() => stopGatewayHard(gw));
    const client = await connect(gw.wsUrl, { headers: { 'X-Bfl-User': 'alice' } });
    t.after(() => client.socket.terminate());

    const rss = async () => (await scrapeMetrics(gw.baseUrl)).value('ws_gateway_process_resident_memory_bytes');
    const before = await rss();
    let peak = before;
    const count = 8;
    for (let i = 0; i < count; i++) {
      client.send(`{"i":${i}}`);
      await waitUntil(() => written.length > i, { timeoutMs: 20000, what: `answer ${i} cut off` });
      peak = Math.max(peak, await rss());
    }
    await waitUntil(() => messages.length === count, { timeoutMs: 10000, what: `${count} message callbacks` });
    assert.deepEqual(messages, Array.from({ length: count }, (_, i) => JSON.stringify({ i })), 'every callback delivered, in order');
    const maxWritten = Math.max(...written);
    t.diagnostic(`RSS ${Math.round(before / MiB)} → peak ${Math.round(peak / MiB)} MiB over ${count} answers of 100 MiB; the app got at most ${(maxWritten / MiB).toFixed(1)} MiB into the socket`);
    assert.ok(maxWritten < 32 * MiB, `the gateway stopped reading the answer early (${maxWritten} bytes written by the app)`);
    assert.ok(peak - before < 40 * MiB, `RSS grew ${Math.round((peak - before) / MiB)} MiB, not with the 100 MiB bodies`);
    const metrics = await scrapeMetrics(gw.baseUrl);
    assert.equal(metrics.value('ws_gateway_callback_failures_total'), 0, 'an oversized answer is not a failed callback (the status was 200)');
  });
}

test('an app whose answer body trickles in (one byte every 300 ms) holds the next callback for at most WS_CALLBACK_TIMEOUT_MS', async (t) => {
  const arrivals: number[] = [];
  const app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { action: string };
      if (body.action !== 'message') return void res.end('{}');
      arrivals.push(performance.now());
      res.writeHead(200, { 'content-type': 'application/json' });
      // Each byte comes well within the per-chunk body timeout, forever.
      const timer = setInterval(() => res.write(' '), 300);
      res.on('close', () => clearInterval(timer));
    });
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  t.after(() => { app.closeAllConnections(); app.close(); });
  const gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: String((app.address() as AddressInfo).port), WS_URL: CALLBACK_PATH, WS_CALLBACK_TIMEOUT_MS: '1000' } });
  t.after(() => stopGatewayHard(gw));
  const client = await connect(gw.wsUrl, { headers: { 'X-Bfl-User': 'alice' } });
  t.after(() => client.socket.terminate());
  client.send('{"i":0}');
  client.send('{"i":1}');
  await waitUntil(() => arrivals.length === 2, { timeoutMs: 10000, what: 'the second message callback' });
  const gapMs = arrivals[1]! - arrivals[0]!;
  t.diagnostic(`second callback ${Math.round(gapMs)} ms after the first`);
  assert.ok(gapMs >= 900 && gapMs < 2500, `the trickling answer was cut after about the callback timeout (${Math.round(gapMs)} ms)`);
});
