// A9: a 2xx answer with X-Tapr-Ws-Reply: 1 to a message or open callback is one frame to that connection (text, or
// binary for application/octet-stream), in the order of the messages it answers; oversize replies are dropped and
// counted, the connection stays open; in authorize mode the reply to the open is the first frame (after $hello).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { controlPost } from '../support/control-api.ts';
import { startGateway } from '../support/gateway-process.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { CALLBACK_PATH, FAST_ENV, startStack, stopGatewayHard } from '../support/stack.ts';
import { connect } from '../support/ws-client.ts';
import { sleep, waitUntil } from '../support/wait.ts';

const REPLY = { 'x-tapr-ws-reply': '1' };

/** The client's message as the callback carried it (the test sends JSON strings). */
const dataOf = (body: { data: unknown }) => String(body.data);

test('a message answered with X-Tapr-Ws-Reply: 1 sends the body verbatim as one text frame', async (t) => {
  const stack = await startStack(t);
  stack.app.respondWith((c) => (c.body.action === 'message' ? { headers: { ...REPLY, 'content-type': 'application/json' }, body: `{"echo":${JSON.stringify(c.body.data)}, "n": 12345678901234567890}` } : undefined));
  const client = await stack.connect({ user: 'alice' });
  client.send('"hello"');
  const [frame] = await client.waitForMessages(1);
  assert.equal(frame, '{"echo":"hello", "n": 12345678901234567890}', 'byte for byte, not re-serialised');
  const metrics = await scrapeMetrics(stack.gw.baseUrl);
  assert.equal(metrics.value('ws_gateway_inline_replies_total'), 1);
});

test('application/octet-stream makes a binary frame; text/plain a text frame', async (t) => {
  const stack = await startStack(t);
  const bytes = Buffer.from([0, 1, 2, 255, 254]);
  stack.app.respondWith((c) => {
    if (c.body.action !== 'message') return undefined;
    return dataOf(c.body) === 'bin'
      ? { headers: { ...REPLY, 'content-type': 'application/octet-stream' }, body: bytes }
      : { headers: { ...REPLY, 'content-type': 'text/plain; charset=utf-8' }, body: 'plain text, not JSON' };
  });
  const client = await stack.connect();
  client.send('"bin"');
  client.send('"text"');
  const [binary, text] = await client.waitForMessages(2);
  assert.ok(Buffer.isBuffer(binary), 'binary frame');
  assert.deepEqual(binary, bytes);
  assert.equal(text, 'plain text, not JSON');
});

test('without the header, with an empty body, or with a non-2xx status nothing is sent; a subscribe key is just bytes', async (t) => {
  const stack = await startStack(t);
  stack.app.respondWith((c) => {
    if (c.body.action !== 'message') return undefined;
    switch (dataOf(c.body)) {
      case 'olares': return { body: '{"code":0,"message":"success"}' };
      case 'empty': return { headers: REPLY, body: '' };
      case 'error': return { status: 500, headers: REPLY, body: '"must not arrive"' };
      case 'subscribe': return { headers: REPLY, body: '{"subscribe":["room:1"]}' };
      default: return { headers: REPLY, body: `"last"` };
    }
  });
  const client = await stack.connect();
  for (const m of ['olares', 'empty', 'error', 'subscribe', 'last']) client.send(JSON.stringify(m));
  const frames = await client.waitForMessages(2);
  await sleep(300);
  assert.deepEqual(client.received, ['{"subscribe":["room:1"]}', '"last"']);
  assert.deepEqual(frames, client.received);
});

test('replies keep the order of the messages under a slow app, several messages in flight on several connections', async (t) => {
  const stack = await startStack(t, { env: { WS_CALLBACK_TIMEOUT_MS: '5000' } });
  // Earlier messages take longer: a gateway that did not wait for each reply would reorder them.
  stack.app.respondWith((c) => {
    if (c.body.action !== 'message') return undefined;
    const n = Number((c.body.data as { n: number }).n);
    return { delayMs: Math.max(0, 150 - n * 15), headers: REPLY, body: JSON.stringify({ reply: n, to: c.body.conn_id }) };
  });
  const clients = await Promise.all([1, 2, 3].map(() => stack.connect()));
  const count = 10;
  for (const client of clients) for (let n = 0; n < count; n++) client.send(JSON.stringify({ n }));
  // The app also sends through the control API meanwhile; those frames may interleave, the replies stay ordered.
  for (const client of clients) assert.equal((await controlPost(stack.gw.baseUrl, 'send', { conn_id: client.connId, payload: 'broadcast' })).status, 200);
  for (const client of clients) {
    await client.waitForMessages(count + 1, 15000);
    const replies = client.received.filter((f) => f !== '"broadcast"').map((f) => JSON.parse(String(f)) as { reply: number; to: string });
    assert.deepEqual(replies.map((r) => r.reply), [...Array(count).keys()], 'in message order');
    assert.ok(replies.every((r) => r.to === client.connId), 'each reply reached the connection it answers');
  }
});

test('a reply is queued to the socket before the next callback of that connection is sent', async (t) => {
  const stack = await startStack(t);
  let clientReceived: (string | Buffer)[] = [];
  const seenAtCallback: number[] = [];
  stack.app.respondWith((c) => {
    if (c.body.action !== 'message') return undefined;
    seenAtCallback.push(clientReceived.length);
    return { headers: REPLY, body: `"r${dataOf(c.body)}"` };
  });
  const client = await stack.connect();
  clientReceived = client.received;
  for (const n of ['1', '2', '3']) client.send(JSON.stringify(n));
  await client.waitForMessages(3);
  // The client and app share this process: when callback k arrives, replies 1..k-1 are already on the wire.
  await waitUntil(() => seenAtCallback.length === 3, { what: 'three callbacks' });
  assert.deepEqual(client.received, ['"r1"', '"r2"', '"r3"']);
});

for (const withLength of [true, false]) {
  test(`a reply larger than WS_MAX_BUFFERED_BYTES (${withLength ? 'Content-Length' : 'chunked'}) is dropped, logged and counted; the connection stays open`, async (t) => {
    const limit = 64 * 1024;
    const stack = await startStack(t, { env: { WS_MAX_BUFFERED_BYTES: String(limit), WS_LOG_LEVEL: 'info' } });
    const big = Buffer.alloc(limit + 1, 0x61);
    stack.app.respondWith((c) => {
      if (c.body.action !== 'message') return undefined;
      if (dataOf(c.body) === 'big') return { headers: { ...REPLY, ...(withLength ? {} : { 'transfer-encoding': 'chunked' }) }, body: big };
      if (dataOf(c.body) === 'exact') return { headers: REPLY, body: Buffer.alloc(limit, 0x62) };
      return { headers: REPLY, body: '"small"' };
    });
    const client = await stack.connect();
    client.send('"big"');
    client.send('"big"');
    client.send('"after"');
    client.send('"exact"');
    const frames = await client.waitForMessages(2);
    assert.equal(frames[0], '"small"');
    assert.equal(String(frames[1]).length, limit, 'a reply of exactly the limit is sent');
    client.send('{"event":"ping"}');
    assert.equal((await client.waitForMessages(3))[2], '{"event":"pong"}', 'the connection is still open');
    const metrics = await scrapeMetrics(stack.gw.baseUrl);
    assert.equal(metrics.value('ws_gateway_inline_replies_dropped_total', { reason: 'too_large' }), 2);
    assert.equal(metrics.value('ws_gateway_inline_replies_total'), 2);
    assert.equal(metrics.value('ws_gateway_slow_consumers_total'), 0);
    const lines = stack.gw.logs.filter((l) => l.code === 'GW_ERR_REPLY_TOO_LARGE');
    assert.equal(lines.length, 1, 'aggregated: the second drop is counted in the next line, not logged at once');
    assert.equal(lines[0]!.level, 'warn');
    assert.equal(lines[0]!.limit, limit);
    assert.ok(!JSON.stringify(stack.gw.logs).includes('aaaa'), 'the body is never logged');
  });
}

test('a reply whose body breaks off or trickles past the callback timeout is dropped and counted, never sent in part', async (t) => {
  // A hand-written app: Content-Length 1000, 3 bytes, then its socket is destroyed; or a byte every 150 ms, forever.
  const app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { action: string; data: unknown };
      if (body.action !== 'message') return void res.end('{}');
      if (body.data === 'ok') return void res.writeHead(200, REPLY).end('"whole"');
      if (body.data === 'trickle') {
        res.writeHead(200, REPLY);
        const timer = setInterval(() => res.write('a'), 150);
        res.on('close', () => clearInterval(timer));
        return;
      }
      res.writeHead(200, { ...REPLY, 'content-length': '1000' });
      res.write('"ab', () => setTimeout(() => res.socket?.destroy(), 50));
    });
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  t.after(() => { app.closeAllConnections(); app.close(); });
  const gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: String((app.address() as AddressInfo).port), WS_URL: CALLBACK_PATH, WS_CALLBACK_TIMEOUT_MS: '800' } });
  t.after(() => stopGatewayHard(gw));
  const client = await connect(gw.wsUrl);
  t.after(() => client.socket.terminate());
  client.send('"broken"');
  client.send('"trickle"');
  client.send('"ok"');
  assert.deepEqual(await client.waitForMessages(1, 5000), ['"whole"']);
  await sleep(200);
  assert.deepEqual(client.received, ['"whole"']);
  const metrics = await scrapeMetrics(gw.baseUrl);
  assert.equal(metrics.value('ws_gateway_inline_replies_dropped_total', { reason: 'incomplete' }), 2);
  assert.ok(gw.logs.some((l) => l.code === 'GW_ERR_REPLY_INCOMPLETE'));
});

test('a reply to the open callback (notify mode) is sent to the new connection', async (t) => {
  const stack = await startStack(t);
  stack.app.respondWith((c) => (c.body.action === 'open' ? { headers: REPLY, body: JSON.stringify({ welcome: c.body.conn_id }) } : undefined));
  const client = await stack.connect({ user: 'alice' });
  assert.deepEqual(JSON.parse(String((await client.waitForMessages(1))[0])), { welcome: client.connId });
});

test('authorize mode: the reply to an accepting open is the first frame, right after $hello for tapr-ws.v1 clients', async (t) => {
  const stack = await startStack(t, { env: { WS_OPEN_MODE: 'authorize' } });
  stack.app.respondWith((c) => {
    if (c.body.action === 'open') {
      // Sent through the control API before accepting: the connection does not exist yet, so nothing can precede the reply.
      return { status: 200, headers: REPLY, body: JSON.stringify({ welcome: c.body.user_name }) };
    }
    return c.body.action === 'message' ? { headers: REPLY, body: '"second"' } : undefined;
  });
  const plain = await stack.connect({ user: 'alice' });
  plain.send('"x"');
  assert.deepEqual(await plain.waitForMessages(2), ['{"welcome":"alice"}', '"second"']);
  const v1 = await stack.connect({ user: 'bob', protocols: 'tapr-ws.v1' });
  const [hello, welcome] = await v1.waitForMessages(2);
  assert.equal((JSON.parse(String(hello)) as { event: string }).event, '$hello');
  assert.equal(welcome, '{"welcome":"bob"}');
  // A refusal's body is never a frame (there is no connection).
  stack.app.respondWith((c) => (c.body.action === 'open' ? { status: 403, headers: REPLY, body: '"no"' } : undefined));
  await assert.rejects(stack.connect({ user: 'mallory', waitOpen: false }), { status: 403 });
});

test('the answer to a close callback is never read as a reply', async (t) => {
  const stack = await startStack(t);
  stack.app.respondWith((c) => (c.body.action === 'close' ? { headers: REPLY, body: '"too late"' } : undefined));
  const client = await stack.connect();
  client.socket.close(1000);
  await stack.app.waitFor((c) => c.body.action === 'close' && c.body.conn_id === client.connId);
  await sleep(200);
  const metrics = await scrapeMetrics(stack.gw.baseUrl);
  assert.equal(metrics.value('ws_gateway_inline_replies_total'), 0);
  assert.equal(metrics.value('ws_gateway_inline_replies_dropped_total'), 0);
});

test('figures: echo round trip, inline reply vs control API send', async (t) => {
  const stack = await startStack(t, { env: { WS_MAX_INBOUND_FRAMES_PER_SEC: '0' } });
  const rounds = 200;
  async function measure(inline: boolean): Promise<number[]> {
    stack.app.respondWith((c) => {
      if (c.body.action !== 'message') return undefined;
      if (inline) return { headers: REPLY, body: JSON.stringify(c.body.data) };
      void controlPost(stack.gw.baseUrl, 'send', { conn_id: c.body.conn_id, payload: c.body.data });
      return undefined;
    });
    const client = await stack.connect();
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      client.send(JSON.stringify(i));
      await client.waitForMessages(i + 1);
      times.push(performance.now() - started);
    }
    client.socket.close();
    return times.sort((a, b) => a - b);
  }
  const control = await measure(false);
  const inline = await measure(true);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!.toFixed(2);
  t.diagnostic(`echo round trip over ${rounds} sequential messages: inline p50 ${pct(inline, 0.5)} ms p99 ${pct(inline, 0.99)} ms; control API p50 ${pct(control, 0.5)} ms p99 ${pct(control, 0.99)} ms`);
  assert.ok(Number(pct(inline, 0.5)) <= Number(pct(control, 0.5)) * 1.5, 'inline is not slower than the control API round trip');
});
