import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refillTokens } from './inbound-rate-limit.ts';

test('refillTokens: perSec tokens per second, never above the burst, never less for a clock that went back', () => {
  const limit = { perSec: 100, burst: 200 };
  assert.equal(refillTokens(0, 10, limit), 1);
  assert.equal(refillTokens(0, 1000, limit), 100);
  assert.equal(refillTokens(150, 1000, limit), 200);
  assert.equal(refillTokens(5, -50, limit), 5);
});
