// Unit tests of the HTTP edges over real loopback sockets: node:http `(req, res)` and the fetch-style variant answer
// the same, refuse other methods (405), and bodies over the limit (413, by Content-Length or counted).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createCallbackHandler, type CallbackHandler } from './callback-handler.ts';

const open = JSON.stringify({ action: 'open', conn_id: 'c1', user_name: 'alice', data: {}, token: 't', access_public: false, path: '/ws', query: '' });

async function serveNode(t: TestContext, handler: CallbackHandler): Promise<string> {
  const server = createServer((req, res) => void handler(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ws/message`;
}

function handler(maxBodyBytes = 1024): CallbackHandler {
  return createCallbackHandler<object, { welcome: { user: string } }>({ maxBodyBytes, control: 'http://127.0.0.1:1', onOpen(ctx) { ctx.reply('welcome', { user: ctx.user }); } });
}

test('node:http and fetch answer a callback alike, with the inline reply header', async (t) => {
  const url = await serveNode(t, handler());
  for (const response of [await fetch(url, { method: 'POST', body: open }), await handler().fetch(new Request(url, { method: 'POST', body: open }))]) {
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-tapr-ws-reply'), '1');
    assert.deepEqual(await response.json(), { event: 'welcome', data: { user: 'alice' } });
  }
});

test('other methods are 405; bodies over the limit are 413, declared or streamed', async (t) => {
  const url = await serveNode(t, handler(100));
  assert.equal((await fetch(url)).status, 405);
  const big = open.padEnd(200, ' ');
  const declared = await fetch(url, { method: 'POST', body: big });
  assert.deepEqual([declared.status, await declared.json()], [413, { error: 'body: larger than 100 bytes' }]);
  const streamed = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
  assert.equal((await fetch(url, { method: 'POST', body: streamed, duplex: 'half' } as RequestInit)).status, 413);
  assert.equal((await handler(100).fetch(new Request(url, { method: 'POST', body: big }))).status, 413);
  const chunked = new Request(url, { method: 'POST', body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } }), duplex: 'half' } as RequestInit);
  assert.equal((await handler(100).fetch(chunked)).status, 413);
});

test('the fetch variant decodes UTF-8 split across chunks', async () => {
  const bytes = new TextEncoder().encode(open.replace('"alice"', '"zoë €"'));
  const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of €
  const body = new ReadableStream({ start(c) { c.enqueue(bytes.slice(0, cut)); c.enqueue(bytes.slice(cut)); c.close(); } });
  const response = await handler().fetch(new Request('http://app/ws/message', { method: 'POST', body, duplex: 'half' } as RequestInit));
  assert.deepEqual(await response.json(), { event: 'welcome', data: { user: 'zoë €' } });
});
