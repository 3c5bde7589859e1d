// Work queue: dedup, one worker per key, exponential backoff with a cap, the global retry bucket, requeueAfter, drain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, type Clock, type ReconcileResult } from './work-queue.ts';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (handle) => { timers.delete(handle as number); },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
  };
}

test('a key added twice while queued is processed once', () => {
  const queue = new WorkQueue({ clock: fakeClock() });
  queue.add('ns/a');
  queue.add('ns/b');
  queue.add('ns/a');
  assert.equal(queue.depth, 2);
  assert.equal(queue.next(), 'ns/a');
  assert.equal(queue.next(), 'ns/b');
  assert.equal(queue.next(), undefined);
});

test('a key added while being processed is not handed out again until done, then once', () => {
  const queue = new WorkQueue({ clock: fakeClock() });
  queue.add('k');
  assert.equal(queue.next(), 'k');
  queue.add('k');
  queue.add('k');
  assert.equal(queue.next(), undefined, 'never processed concurrently');
  queue.done('k');
  assert.equal(queue.next(), 'k');
  queue.done('k');
  assert.equal(queue.next(), undefined);
});

test('retries back off exponentially per key up to the cap; forget resets', () => {
  const queue = new WorkQueue({ clock: fakeClock(), baseDelayMs: 10, maxDelayMs: 100, retryBurst: 1000 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => queue.addRateLimited('k')), [10, 20, 40, 80, 100, 100]);
  assert.equal(queue.addRateLimited('other'), 10, 'backoff is per key');
  queue.forget('k');
  assert.equal(queue.addRateLimited('k'), 10);
});

test('a delayed key becomes ready only when its time comes; the earlier schedule wins', () => {
  const clock = fakeClock();
  const queue = new WorkQueue({ clock });
  queue.addAfter('k', 1000);
  queue.addAfter('k', 300);
  queue.addAfter('k', 5000);
  clock.advance(299);
  assert.equal(queue.next(), undefined);
  clock.advance(1);
  assert.equal(queue.next(), 'k');
  queue.done('k');
  clock.advance(10_000);
  assert.equal(queue.next(), undefined, 'the later schedules were merged into the earlier one');
});

test('the global bucket spaces retries once the burst is used up', () => {
  const queue = new WorkQueue({ clock: fakeClock(), baseDelayMs: 1, retriesPerSecond: 10, retryBurst: 3 });
  const delays = ['a', 'b', 'c', 'd', 'e'].map((key) => queue.addRateLimited(key));
  assert.deepEqual(delays, [1, 1, 1, 100, 200]);
});

test('start: results map to forget, requeueAfter, backoff; a thrown error is a retry; terminal is not retried', async () => {
  const clock = fakeClock();
  const results: Record<string, ReconcileResult[]> = {
    ok: [{ kind: 'ok' }],
    later: [{ kind: 'requeueAfter', ms: 500 }, { kind: 'ok' }],
    flaky: [{ kind: 'retry', error: new Error('x') }, { kind: 'ok' }],
    fatal: [{ kind: 'terminal', error: new Error('bad') }],
  };
  const seen: string[] = [];
  const queue = new WorkQueue({ clock, baseDelayMs: 50 });
  queue.start((key) => {
    seen.push(key);
    if (key === 'boom') return Promise.reject(new Error('thrown'));
    return Promise.resolve(results[key]!.shift() ?? { kind: 'ok' });
  });
  for (const key of ['ok', 'later', 'flaky', 'fatal', 'boom']) queue.add(key);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen.sort(), ['boom', 'fatal', 'flaky', 'later', 'ok']);
  assert.equal(queue.failuresOf('flaky'), 1);
  assert.equal(queue.failuresOf('boom'), 1);
  assert.equal(queue.failuresOf('fatal'), 0);
  seen.length = 0;
  clock.advance(50);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen.sort(), ['boom', 'flaky']);
  assert.equal(queue.failuresOf('flaky'), 0, 'a success forgets the failures');
  seen.length = 0;
  clock.advance(450);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen.sort(), ['boom', 'later'], 'boom failed twice: retried after 100 ms; later came back at 500 ms');
  assert.equal(queue.failuresOf('boom'), 3);
  await queue.shutDown();
});

test('never more than `concurrency` keys at once, and never the same key twice at once', async () => {
  const queue = new WorkQueue({ clock: fakeClock(), concurrency: 2 });
  let active = 0;
  let maxActive = 0;
  const activeKeys = new Set<string>();
  let processed = 0;
  queue.start(async (key) => {
    assert.ok(!activeKeys.has(key), `${key} processed concurrently`);
    activeKeys.add(key);
    active += 1;
    maxActive = Math.max(maxActive, active);
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (Math.random() < 0.5) queue.add(key);
    active -= 1;
    activeKeys.delete(key);
    processed += 1;
    return { kind: 'ok' };
  });
  for (let i = 0; i < 50; i += 1) queue.add(`k${i % 5}`);
  while (queue.depth > 0 || queue.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(maxActive, 2);
  assert.ok(processed >= 5);
});

test('shutDown waits for the keys in flight, drops the rest and ignores later adds', async () => {
  const clock = fakeClock();
  const queue = new WorkQueue({ clock, concurrency: 1 });
  let release: () => void = () => {};
  const started: string[] = [];
  queue.start(async (key) => {
    started.push(key);
    await new Promise<void>((resolve) => { release = resolve; });
    return { kind: 'retry', error: new Error('x') };
  });
  queue.add('a');
  queue.add('b');
  queue.addAfter('c', 100);
  let drained = false;
  const shutdown = queue.shutDown().then(() => { drained = true; });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(drained, false, 'still processing a');
  release();
  await shutdown;
  queue.add('d');
  clock.advance(1000);
  assert.deepEqual(started, ['a']);
  assert.equal(queue.depth + queue.delayed, 0);
});

test('paused, keys are kept (deduplicated) and none starts; resumed, they are processed; the concurrency is the option', async () => {
  const started: string[] = [];
  const release: (() => void)[] = [];
  const queue = new WorkQueue({ clock: fakeClock(), concurrency: 3 });
  queue.pause();
  queue.start(async (key) => {
    started.push(key);
    await new Promise<void>((resolve) => release.push(resolve));
    return { kind: 'ok' };
  });
  for (const key of ['ns/a', 'ns/b', 'ns/a', 'ns/c', 'ns/d']) queue.add(key);
  assert.equal(queue.isPaused, true);
  assert.deepEqual(started, []);
  assert.equal(queue.depth, 4);
  queue.resume();
  assert.deepEqual(started, ['ns/a', 'ns/b', 'ns/c'], 'three at a time');
  queue.pause();
  for (const done of release.splice(0)) done();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['ns/a', 'ns/b', 'ns/c'], 'nothing new starts while paused; running keys finished');
  assert.equal(queue.inFlight, 0);
  queue.resume();
  assert.deepEqual(started, ['ns/a', 'ns/b', 'ns/c', 'ns/d']);
  for (const done of release.splice(0)) done();
  await queue.shutDown();
});

test('the default concurrency of the queue itself stays 2', () => {
  const queue = new WorkQueue({ clock: fakeClock() });
  let running = 0;
  queue.start(async () => {
    running += 1;
    return await new Promise<ReconcileResult>(() => {});
  });
  for (const key of ['a', 'b', 'c']) queue.add(key);
  assert.equal(running, 2);
});
