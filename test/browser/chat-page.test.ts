// The chat page in a real browser (Debian's chromium through playwright-core) against `npm run demo -- --no-cluster`:
// the module loads the client library from the proxy, two users chat in a room, a kick is final.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';

const demoMain = fileURLToPath(new URL('../../examples/chat/demo.ts', import.meta.url));

let demo: { child: ChildProcess; url: string; exited: Promise<unknown> } | undefined;
let browser: Browser | undefined;

before(async () => {
  const child = spawn(process.execPath, [demoMain, '--no-cluster', '--port', '0'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no "demo ready" line within 60 s')), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const ready = /^demo ready: open (http:\/\/127\.0\.0\.1:\d+\/) /.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
  });
  demo = { child, url, exited };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (demo && demo.child.exitCode === null) {
    demo.child.kill('SIGTERM');
    await demo.exited;
  }
});

async function logIn(name: string): Promise<Page> {
  const page = await (await browser!.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${demo!.url}login`);
  await page.fill('input[name=name]', name);
  await page.click('button');
  await page.waitForSelector('#status.open', { timeout: 15_000 }).catch((error: unknown) => {
    throw new Error(`${name}'s page never connected; page errors: ${errors.join('; ')}`, { cause: error });
  });
  return page;
}

const logText = (page: Page) => page.locator('#log').innerText();

test('two pages chat in the lobby through the client library, and a kick is final', async () => {
  const alice = await logIn('b-alice');
  const bob = await logIn('b-bob');
  for (const page of [alice, bob]) await page.locator('#room-name', { hasText: '#lobby' }).waitFor();
  await alice.fill('#text', 'hello from the browser');
  await alice.press('#text', 'Enter');
  await bob.locator('#log li.said', { hasText: 'hello from the browser' }).waitFor();
  assert.match(await logText(alice), /b-alice:\s*hello from the browser/);

  // alice joined first, so she owns the lobby and may kick bob: his page stops with the reason and a Reconnect button.
  await alice.locator('#members li', { hasText: 'b-bob' }).locator('button.kick').click();
  await bob.waitForSelector('#status.closed');
  assert.equal(await bob.locator('#status').innerText(), 'kicked');
  assert.match(await logText(bob), /kicked by b-alice/);
  assert.equal(await bob.locator('#reconnect').isVisible(), true);
  await bob.click('#reconnect');
  await bob.waitForSelector('#status.open');
});
