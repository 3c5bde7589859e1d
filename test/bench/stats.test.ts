// Unit tests for the benchmark statistics (percentiles, summaries, clock offset). Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateClockOffset, percentile, summarize } from './stats.ts';

test('percentile uses the nearest rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize sorts numerically and leaves its input alone', () => {
  const input = [10, 2, 33, 4, 1];
  const s = summarize(input);
  assert.deepEqual(input, [10, 2, 33, 4, 1]);
  assert.equal(s.count, 5);
  assert.equal(s.min, 1);
  assert.equal(s.max, 33);
  assert.equal(s.p50, 4);
  assert.equal(s.mean, 10);
});

test('estimateClockOffset trusts the sample with the shortest round trip', () => {
  const { offsetMs, rttMs } = estimateClockOffset([
    { sentAt: 0, remoteAt: 105, receivedAt: 10 },
    { sentAt: 20, remoteAt: 121, receivedAt: 22 },
  ]);
  assert.equal(rttMs, 2);
  assert.equal(offsetMs, 100);
});
