// The browser client against the real gateway and a real app: typed events, connId from $hello, requests answered by
// inline replies (SPEC A9) and their timeout, and the offline queue (once, in order, volatile dropped, keys coalesced).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { controlPost } from '../support/control-api.ts';
import type { RecordedCallback } from '../support/app-server.ts';
import { startBrowserStack, stateNames } from './browser-stack.ts';

const ENV = { WS_PING_TIMEOUT_MS: '30000', WS_SERVER_PING_MS: '0' };
let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser.close(); });

const messages = (callbacks: RecordedCallback[]) => callbacks.filter((c) => c.body.action === 'message').map((c) => c.body.data);

test('connects, learns its connId from $hello, and receives the app\'s frames as typed events', async (t) => {
  const stack = await startBrowserStack(t, browser, ENV, { events: ['chat', 'notice'] });
  await stack.startGateway();
  await stack.createClient('a');
  const connId = await stack.waitFor('a', 'the connId', (r) => r.connId);
  const open = await stack.app.waitFor((c) => c.body.action === 'open');
  assert.equal(connId, open.body.conn_id);
  assert.equal((await stack.recording('a')).state, 'open');

  await controlPost(stack.gw!.baseUrl, 'send', { conn_id: connId, payload: { event: 'chat', data: { text: 'hi' } } });
  await controlPost(stack.gw!.baseUrl, 'send', { conn_id: connId, payload: { event: 'notice', data: 'maintenance at 5' } });
  await controlPost(stack.gw!.baseUrl, 'send', { conn_id: connId, payload: 'not an event' });
  const events = await stack.waitFor('a', 'two events', (r) => (r.events.length >= 2 ? r.events : undefined));
  assert.deepEqual(events, [{ event: 'chat', data: { text: 'hi' } }, { event: 'notice', data: 'maintenance at 5' }]);
  const frames = await stack.waitFor('a', 'the plain frame', (r) => (r.frames.includes('not an event') ? r.frames : undefined));
  assert.equal((frames[0] as { event: string }).event, '$hello', 'every frame reaches $frame, $hello first');

  assert.deepEqual(await stack.call('a', 'send', 'chat', { text: 'from the page' }), { value: 'sent' });
  await stack.app.waitFor((c) => c.body.action === 'message');
  assert.deepEqual(messages(stack.app.callbacks), [{ event: 'chat', data: { text: 'from the page' } }]);
});

test('request() resolves with the data of the inline $reply carrying its $id, and rejects on timeout', async (t) => {
  const stack = await startBrowserStack(t, browser, ENV);
  stack.app.respondWith((c) => {
    const frame = c.body.data as { event?: string; data?: { $id?: string; a?: number; b?: number } };
    if (c.body.action !== 'message' || frame.event !== 'add') return undefined;
    const { $id, a = 0, b = 0 } = frame.data ?? {};
    return { headers: { 'X-Tapr-Ws-Reply': '1' }, body: JSON.stringify({ event: '$reply', data: { $id, sum: a + b } }) };
  });
  await stack.startGateway();
  await stack.createClient('a');
  await stack.waitFor('a', 'open', (r) => (r.state === 'open' ? true : undefined));
  const results = await stack.page.evaluate(async () => {
    const { client } = (globalThis as unknown as { clients: Record<string, { client: { request(e: string, d: unknown, o?: unknown): Promise<unknown> } }> }).clients.a!;
    return Promise.all([client.request('add', { a: 1, b: 2 }), client.request('add', { a: 40, b: 2 }), client.request('add', { a: -1, b: 1 })]);
  });
  assert.deepEqual(results.map((r) => (r as { sum: number }).sum), [3, 42, 0]);
  const ids = results.map((r) => (r as { $id: string }).$id);
  assert.equal(new Set(ids).size, 3, 'each request has its own $id');

  const started = Date.now();
  assert.deepEqual(await stack.call('a', 'request', 'unanswered', {}, { timeoutMs: 500 }), { error: 'request "unanswered" got no $reply within 500 ms' });
  assert.ok(Date.now() - started < 3_000);
});

test('the offline queue: sent once and in order after connecting, volatile messages dropped, keyed messages coalesced', async (t) => {
  const stack = await startBrowserStack(t, browser, ENV);
  // No gateway yet: the client retries while the page queues.
  await stack.createClient('a', { minDelayMs: 100, maxDelayMs: 300 });
  const results = [];
  results.push(await stack.call('a', 'send', 'chat', 1));
  results.push(await stack.call('a', 'send', 'cursor', { x: 1 }, { key: 'cursor' }));
  results.push(await stack.call('a', 'send', 'chat', 2));
  results.push(await stack.call('a', 'send', 'typing', true, { volatile: true }));
  results.push(await stack.call('a', 'send', 'cursor', { x: 2 }, { key: 'cursor' }));
  results.push(await stack.call('a', 'send', 'chat', 3));
  assert.deepEqual(results.map((r) => (r as { value: string }).value), ['queued', 'queued', 'queued', 'dropped', 'queued', 'queued']);
  await stack.waitFor('a', 'a failed attempt', (r) => (stateNames(r).includes('reconnecting') ? true : undefined));

  await stack.startGateway();
  await stack.app.waitForCount((c) => c.body.action === 'message', 4);
  assert.deepEqual(messages(stack.app.callbacks), [
    { event: 'chat', data: 1 }, { event: 'chat', data: 2 }, { event: 'cursor', data: { x: 2 } }, { event: 'chat', data: 3 },
  ]);

  // A new socket after the gateway restarts sends nothing again: the queue was emptied when it was delivered.
  await stack.gw!.stop('SIGKILL');
  await stack.waitFor('a', 'reconnecting after the kill', (r) => (r.state === 'reconnecting' ? true : undefined));
  await stack.startGateway();
  await stack.waitFor('a', 'open again', (r) => (r.state === 'open' ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(messages(stack.app.callbacks).length, 4, 'nothing queued is sent twice');
});
