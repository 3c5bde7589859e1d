// Reconnects in a real browser against the real gateway: a killed and restarted gateway is reconnected with jittered
// delays inside the backoff windows; `$drain` spreads reconnects over its window; 1000 from the app, 1008 and a 401 refusal
// (learnt by the A11 probe, since the browser only reports 1006) are final.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { controlPost } from '../support/control-api.ts';
import { startBrowserStack, stateNames, type SeenState } from './browser-stack.ts';

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser.close(); });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ENV = { WS_PING_TIMEOUT_MS: '3000', WS_SERVER_PING_MS: '0' };
const NAMES = ['a', 'b', 'c', 'd', 'e'];

test('a killed gateway: five clients retry with jittered delays inside doubling windows, and all reconnect to the new one', async (t) => {
  const stack = await startBrowserStack(t, browser, ENV);
  const first = await stack.startGateway();
  for (const name of NAMES) await stack.createClient(name, { minDelayMs: 500, maxDelayMs: 4_000 });
  for (const name of NAMES) await stack.waitFor(name, 'open', (r) => (r.state === 'open' ? true : undefined));
  await sleep(1_500); // each has answered a ping: the attempt counter starts from 0

  await first.stop('SIGKILL');
  await sleep(4_000);
  await stack.startGateway();
  const retries: SeenState[][] = [];
  for (const name of NAMES) {
    const recording = await stack.waitFor(name, 'open on the new gateway', (r) => (r.states.at(-1)?.state === 'open' && r.states.length > 2 ? r : undefined), 25_000);
    retries.push(recording.states.filter((s) => s.state === 'reconnecting'));
  }
  for (const attempts of retries) {
    assert.ok(attempts.length >= 2, `${attempts.length} attempts while the gateway was down`);
    attempts.forEach((s, i) => {
      assert.equal(s.detail.attempt, i);
      assert.ok(s.detail.delayMs! >= 0 && s.detail.delayMs! <= Math.min(4_000, 500 * 2 ** i), `attempt ${i}: ${s.detail.delayMs} ms`);
    });
  }
  const firstDelays = retries.map((attempts) => attempts[0]!.detail.delayMs);
  t.diagnostic(`first delays: ${firstDelays.join(', ')} ms`);
  assert.equal(new Set(firstDelays).size, NAMES.length, 'no two clients retry in lockstep');
  assert.equal(stack.app.callbacks.filter((c) => c.body.action === 'open').length, 2 * NAMES.length);
});

test('SIGTERM: $drain spreads the reconnects over its window instead of the backoff', async (t) => {
  const stack = await startBrowserStack(t, browser, { ...ENV, WS_SHUTDOWN_TIMEOUT_MS: '2000' });
  const first = await stack.startGateway();
  for (const name of NAMES) await stack.createClient(name, { minDelayMs: 60_000, maxDelayMs: 60_000 });
  for (const name of NAMES) await stack.waitFor(name, 'open', (r) => (r.state === 'open' ? true : undefined));
  // A rolling update: the new gateway is up and receives new sockets before the old one drains.
  await stack.startGateway();
  await first.stop('SIGTERM');
  const delays = [];
  for (const name of NAMES) {
    const seen = await stack.waitFor(name, 'reconnecting', (r) => r.states.find((s) => s.state === 'reconnecting'));
    assert.equal(seen.detail.code, 1001);
    delays.push(seen.detail.delayMs!);
  }
  t.diagnostic(`delays: ${delays.join(', ')} ms`);
  for (const delay of delays) assert.ok(delay <= 2_000, `${delay} ms is within the 2000 ms window, not the 60 s backoff`);
  for (const name of NAMES) await stack.waitFor(name, 'open again', (r) => (r.states.at(-1)?.state === 'open' && r.states.length > 2 ? true : undefined), 5_000);
});

test('closed by the app (1000) is final: no reconnect, the close code reported', async (t) => {
  const stack = await startBrowserStack(t, browser, ENV);
  await stack.startGateway();
  await stack.createClient('a', { minDelayMs: 50, maxDelayMs: 100 });
  const connId = await stack.waitFor('a', 'the connId', (r) => r.connId);
  assert.equal((await controlPost(stack.gw!.baseUrl, 'close', { conns: [connId] })).status, 200);
  const closed = await stack.waitFor('a', 'closed', (r) => r.states.find((s) => s.state === 'closed'));
  assert.equal(closed.detail.code, 1000);
  assert.equal(closed.detail.error, 'closed by app');
  const upgrades = stack.pages.upgrades;
  await sleep(1_500);
  assert.equal(stack.pages.upgrades, upgrades, 'no new upgrade after 1000');
  assert.deepEqual(stateNames(await stack.recording('a')), ['open', 'closed']);
  assert.deepEqual(await stack.call('a', 'send', 'chat', 'late'), { value: 'dropped' }, 'a closed client queues nothing');
});

test('an upgrade refused with 401 is final and reported with its status, though the browser only saw 1006', async (t) => {
  const stack = await startBrowserStack(t, browser, { ...ENV, WS_REQUIRE_USER: 'true' });
  await stack.startGateway();
  await stack.createClient('a', { minDelayMs: 50, maxDelayMs: 100 });
  const closed = await stack.waitFor('a', 'closed', (r) => r.states.find((s) => s.state === 'closed'));
  assert.equal(closed.detail.code, 1006);
  assert.equal(closed.detail.status, 401);
  assert.equal(closed.detail.error, 'upgrade refused with HTTP 401');
  await sleep(1_500);
  assert.equal(stack.pages.upgrades, 1, 'tried once');
  assert.deepEqual(stateNames(await stack.recording('a')), ['closed']);
});

test('closed with 1008 (a flood over WS_MAX_INBOUND_FRAMES_PER_SEC) is final: a retry would be refused the same way', async (t) => {
  const stack = await startBrowserStack(t, browser, { ...ENV, WS_MAX_INBOUND_FRAMES_PER_SEC: '5', WS_INBOUND_FRAMES_BURST: '10' });
  await stack.startGateway();
  await stack.createClient('a', { minDelayMs: 50, maxDelayMs: 100 });
  await stack.waitFor('a', 'open', (r) => (r.state === 'open' ? true : undefined));
  for (let i = 0; i < 30; i++) await stack.call('a', 'send', 'chat', i);
  const closed = await stack.waitFor('a', 'closed', (r) => r.states.find((s) => s.state === 'closed'));
  assert.equal(closed.detail.code, 1008);
  assert.match(closed.detail.error ?? '', /^closed with 1008/);
  const upgrades = stack.pages.upgrades;
  await sleep(1_000);
  assert.equal(stack.pages.upgrades, upgrades, 'no reconnect after 1008');
});
