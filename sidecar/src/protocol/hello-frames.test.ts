import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDrainFrame, buildHelloFrame, buildHelloTimers } from './hello-frames.ts';

test('$hello carries the conn_id and the timers; ping_interval_ms is a third of the idle timeout', () => {
  const frame = buildHelloFrame('c-1', buildHelloTimers(60_000));
  assert.equal(frame.binary, false);
  assert.deepEqual(JSON.parse(frame.data.toString()), { event: '$hello', data: { conn_id: 'c-1', ping_interval_ms: 20_000, idle_timeout_ms: 60_000 } });
  assert.deepEqual(buildHelloTimers(1000), { ping_interval_ms: 333, idle_timeout_ms: 1000 });
  assert.deepEqual(buildHelloTimers(2), { ping_interval_ms: 1, idle_timeout_ms: 2 });
  for (const ms of [1, 3, 999, 45_000]) assert.ok(buildHelloTimers(ms).ping_interval_ms * 3 <= ms || ms < 3, String(ms));
});

test('WS_PING_TIMEOUT_MS=0 (never idle): idle_timeout_ms 0 and pings every 30 s', () => {
  assert.deepEqual(buildHelloTimers(0), { ping_interval_ms: 30_000, idle_timeout_ms: 0 });
});

test('$drain carries the reconnect window', () => {
  assert.deepEqual(JSON.parse(buildDrainFrame(10_000).data.toString()), { event: '$drain', data: { reconnect_within_ms: 10_000 } });
});
