import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.ts';

const options = { minDelayMs: 500, maxDelayMs: 20_000 };

test('the window doubles from minDelayMs and stops at maxDelayMs', () => {
  const highest = (attempt: number): number => backoffDelay(attempt, options, 0, () => 1);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10, 100].map(highest), [500, 1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000]);
});

test('at the cap the delay stays random over the whole window (no lockstep retries)', () => {
  const delays = new Set(Array.from({ length: 200 }, () => backoffDelay(50, options)));
  assert.ok(delays.size > 150, `${delays.size} distinct delays out of 200`);
  assert.ok(Math.min(...delays) < 5_000 && Math.max(...delays) > 15_000, `spread ${Math.min(...delays)}..${Math.max(...delays)}`);
});

test('a floor is added before the jitter: busy servers are never retried sooner than it', () => {
  assert.equal(backoffDelay(0, options, 5_000, () => 0), 5_000);
  assert.equal(backoffDelay(0, options, 5_000, () => 1), 5_500);
});
