// F13: sockets that send their request too slowly are closed after WS_HEADERS_TIMEOUT_MS / WS_REQUEST_TIMEOUT_MS,
// and at most WS_MAX_PENDING_UPGRADES sockets may wait to upgrade (503 beyond); upgraded clients do not count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startStack } from '../support/stack.ts';
import { closedWithin, openSocket, readResponse } from '../support/raw-socket.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { waitUntil } from '../support/wait.ts';

function received(socket: Socket): () => string {
  let text = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => { text += chunk; });
  return () => text;
}

test('WS_HEADERS_TIMEOUT_MS: a socket with partial headers is answered 408 and closed after the timeout, even when it trickles', async (t) => {
  const stack = await startStack(t, { env: { WS_HEADERS_TIMEOUT_MS: '1000', WS_REQUEST_TIMEOUT_MS: '3000' } });
  const silent = await openSocket(stack.gw.port);
  silent.write('GET /ws HTTP/1.1\r\nHost: gw\r\n');
  const trickling = await openSocket(stack.gw.port);
  const trickled = received(trickling);
  trickling.write('GET /ws HTTP/1.1\r\nHost: gw\r\n');
  const drip = setInterval(() => { if (!trickling.destroyed) trickling.write('X'); }, 200);
  t.after(() => clearInterval(drip));
  const [silentMs, tricklingMs] = await Promise.all([closedWithin(silent, 8000), closedWithin(trickling, 8000)]);
  clearInterval(drip);
  assert.ok(silentMs !== undefined && silentMs >= 800 && silentMs < 6000, `silent socket closed after ${silentMs} ms`);
  assert.ok(tricklingMs !== undefined && tricklingMs >= 800 && tricklingMs < 6000, `trickling socket closed after ${tricklingMs} ms`);
  assert.match(trickled(), /^HTTP\/1\.1 408/);
  const client = await stack.connect({ user: 'alice' });
  assert.equal(client.socket.readyState, client.socket.OPEN, 'a prompt client is not affected');
});

test('WS_REQUEST_TIMEOUT_MS: a request whose body never arrives is closed after the timeout', async (t) => {
  const stack = await startStack(t, { env: { WS_HEADERS_TIMEOUT_MS: '1000', WS_REQUEST_TIMEOUT_MS: '2000' } });
  const socket = await openSocket(stack.gw.port);
  // A declared length within the control API's limit (a larger one is refused at once with 413), then silence.
  socket.write('POST /tapr/ws/conn/send HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"users"');
  const closedMs = await closedWithin(socket, 10000);
  assert.ok(closedMs !== undefined && closedMs >= 1500 && closedMs < 8000, `closed after ${closedMs} ms`);
});

test('WS_MAX_PENDING_UPGRADES: past the cap new sockets get 503 and are closed; upgraded clients do not count', async (t) => {
  const stack = await startStack(t, { env: { WS_MAX_PENDING_UPGRADES: '4', WS_HEADERS_TIMEOUT_MS: '20000', WS_REQUEST_TIMEOUT_MS: '20000' } });
  // Upgraded connections leave the count: more of them than the cap is fine.
  const clients = [];
  for (let i = 0; i < 6; i++) clients.push(await stack.connect({ user: `u${i}` }));

  const waiting: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const socket = await openSocket(stack.gw.port);
    socket.write('GET /ws HTTP/1.1\r\n');
    waiting.push(socket);
  }
  const extra = await openSocket(stack.gw.port);
  const refused = await readResponse(extra);
  assert.equal(refused.status, 503);
  assert.equal((JSON.parse(refused.body) as { code: number }).code, 503);
  assert.ok((await closedWithin(extra, 5000)) !== undefined, 'the refused socket is closed');

  // One waiting socket leaves: its slot is free again for a real client.
  waiting.shift()!.destroy();
  await waitUntil(async () => {
    try {
      return await stack.connect({ user: 'late' });
    } catch {
      return undefined;
    }
  }, { what: 'an upgrade once a slot was freed', timeoutMs: 5000 });
  for (const socket of waiting) socket.destroy();
  const metrics = await waitUntil(async () => {
    const m = await scrapeMetrics(stack.gw.baseUrl).catch(() => undefined);
    return m && m.value('ws_gateway_pending_sockets_refused_total') >= 1 ? m : undefined;
  }, { what: 'the refusal to be counted', timeoutMs: 5000 });
  assert.ok(metrics.value('ws_gateway_pending_sockets') <= 4);
  for (const client of clients) assert.equal(client.socket.readyState, client.socket.OPEN);
});
