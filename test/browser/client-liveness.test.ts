// Keep-alive in a real browser against the real gateway: the client's pings alone keep a socket open when the gateway
// sends none; a frozen gateway (SIGSTOP) is detected within ping + pong timeout; a background tab (hidden, timers
// throttled) keeps its connection, and on becoming visible notices a silence longer than ping + pong at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { startBrowserStack, stateNames } from './browser-stack.ts';

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser.close(); });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Headless Chromium never hides a tab, so the page is made to look like a background tab: `document.visibilityState`
 * says hidden (with the event) and every timer wakes only at the next multiple of `alignMs`, as Chrome's throttling of
 * hidden pages aligns wake-ups (to 1 s, and to 1 min after five minutes hidden).
 */
async function hideTab(page: Page, alignMs: number): Promise<void> {
  await page.evaluate((alignMs) => {
    const w = globalThis as unknown as { setTimeout: typeof setTimeout; realSetTimeout?: typeof setTimeout; document: EventTarget & Record<string, unknown> };
    const real = (w.realSetTimeout ??= w.setTimeout);
    w.setTimeout = ((handler: () => void, delay = 0) => {
      const due = Date.now() + delay;
      return real(handler, Math.ceil(due / alignMs) * alignMs - Date.now());
    }) as typeof setTimeout;
    Object.defineProperty(w.document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    w.document.dispatchEvent(new Event('visibilitychange'));
  }, alignMs);
}

async function showTab(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { setTimeout: typeof setTimeout; realSetTimeout?: typeof setTimeout; document: EventTarget & Record<string, unknown> };
    if (w.realSetTimeout) w.setTimeout = w.realSetTimeout;
    Object.defineProperty(w.document, 'visibilityState', { configurable: true, get: () => 'visible' });
    w.document.dispatchEvent(new Event('visibilitychange'));
  });
}

test('with WS_SERVER_PING_MS=0 the client\'s pings (every ping_interval_ms from $hello) keep an idle socket open', async (t) => {
  const stack = await startBrowserStack(t, browser, { WS_PING_TIMEOUT_MS: '3000', WS_SERVER_PING_MS: '0' });
  await stack.startGateway();
  await stack.createClient('a');
  await stack.waitFor('a', 'open', (r) => (r.state === 'open' ? true : undefined));
  await sleep(10_000);
  const recording = await stack.recording('a');
  assert.deepEqual(stateNames(recording), ['open'], 'no reconnect in 10 s, over three idle timeouts');
  assert.equal(stack.app.callbacks.filter((c) => c.body.action === 'close').length, 0, 'the gateway never closed it');
});

test('a frozen gateway (SIGSTOP) is detected within ping + pong timeout, and the client reconnects once it thaws', async (t) => {
  const stack = await startBrowserStack(t, browser, { WS_PING_TIMEOUT_MS: '30000', WS_SERVER_PING_MS: '0' });
  const gw = await stack.startGateway();
  t.after(() => { gw.child.kill('SIGCONT'); });
  await stack.createClient('a', { pingIntervalMs: 1000, pongTimeoutMs: 1000, minDelayMs: 200, maxDelayMs: 400 });
  await stack.waitFor('a', 'open', (r) => (r.state === 'open' ? true : undefined));
  await sleep(1_500);
  const frozenAt = Date.now();
  gw.child.kill('SIGSTOP');
  const seen = await stack.waitFor('a', 'the dead socket noticed', (r) => r.states.find((s) => s.state === 'reconnecting'), 5_000);
  const detectedAfter = seen.at - frozenAt;
  t.diagnostic(`detected ${detectedAfter} ms after SIGSTOP (ping 1000 + pong 1000)`);
  assert.ok(detectedAfter <= 2_000 + 500, `detected after ${detectedAfter} ms`);
  assert.equal(seen.detail.reason, 'no pong');
  gw.child.kill('SIGCONT');
  await stack.waitFor('a', 'open again', (r) => (r.states.at(-1)?.state === 'open' && r.states.length >= 3 ? true : undefined), 10_000);
});

test('a background tab (hidden, timers aligned to 3 s) keeps its connection over several idle timeouts', async (t) => {
  // $hello says ping_interval_ms 2000 (a third of 6000): even a ping woken 3 s late arrives before the idle timeout.
  const stack = await startBrowserStack(t, browser, { WS_PING_TIMEOUT_MS: '6000', WS_SERVER_PING_MS: '0' });
  await stack.startGateway();
  await stack.createClient('a');
  await stack.waitFor('a', 'open', (r) => (r.state === 'open' ? true : undefined));
  await hideTab(stack.page, 3_000);
  await sleep(20_000);
  await showTab(stack.page);
  await sleep(300);
  assert.deepEqual(stateNames(await stack.recording('a')), ['open'], 'no reconnect while hidden for 20 s');
  assert.equal(stack.app.callbacks.filter((c) => c.body.action === 'close').length, 0, 'the gateway never closed it');
});

test('becoming visible after a silence longer than ping + pong drops the dead socket at once, without waiting for a timer', async (t) => {
  const stack = await startBrowserStack(t, browser, { WS_PING_TIMEOUT_MS: '30000', WS_SERVER_PING_MS: '0' });
  const gw = await stack.startGateway();
  t.after(() => { gw.child.kill('SIGCONT'); });
  await stack.createClient('a', { pingIntervalMs: 1000, pongTimeoutMs: 1000 });
  await stack.waitFor('a', 'open', (r) => (r.state === 'open' ? true : undefined));
  // Hidden with wake-ups a minute apart: neither the next ping nor its pong timeout fires during this test.
  await hideTab(stack.page, 60_000);
  gw.child.kill('SIGSTOP');
  await sleep(3_000);
  assert.deepEqual(stateNames(await stack.recording('a')), ['open'], 'nothing noticed while the timers sleep');
  const shownAt = Date.now();
  await showTab(stack.page);
  const seen = await stack.waitFor('a', 'the dead socket noticed', (r) => r.states.find((s) => s.state === 'reconnecting'), 2_000);
  t.diagnostic(`dropped ${seen.at - shownAt} ms after becoming visible`);
  assert.equal(seen.detail.reason, 'silent past ping + pong timeout');
  gw.child.kill('SIGCONT');
});
