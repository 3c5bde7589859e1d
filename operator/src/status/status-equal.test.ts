// isStatusEqual: only lastSampleTime is ignored, so unchanged samples cause no /status write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeStatus, type StatusInputs } from './compute-status.ts';
import { isStatusEqual } from './status-equal.ts';

const base: StatusInputs = {
  namespace: 'apps',
  generation: 1,
  manifest: { kind: 'websocket', url: '/ws', port: 8888 },
  currentConfigHash: 'h',
  pods: [{ name: 'a', injected: true, injectedHash: 'h', sample: { kind: 'stats', connections: 2, users: 1, configHash: 'h' } }],
  previous: undefined,
  now: new Date('2025-01-01T00:00:00Z'),
};

test('a later sample with the same numbers is equal', () => {
  const first = computeStatus(base);
  const second = computeStatus({ ...base, previous: first, now: new Date('2025-01-01T00:00:10Z') });
  assert.notEqual(first.lastSampleTime, second.lastSampleTime);
  assert.ok(isStatusEqual(first, second));
});

test('a changed count is not equal', () => {
  const first = computeStatus(base);
  const pods = [{ ...base.pods[0]!, sample: { kind: 'stats' as const, connections: 3, users: 1, configHash: 'h' } }];
  assert.ok(!isStatusEqual(first, computeStatus({ ...base, previous: first, pods })));
});

test('a new generation is not equal', () => {
  const first = computeStatus(base);
  assert.ok(!isStatusEqual(first, computeStatus({ ...base, previous: first, generation: 2 })));
});

test('no status yet is different from any status', () => {
  assert.ok(!isStatusEqual(undefined, computeStatus(base)));
  assert.ok(isStatusEqual(undefined, undefined));
});

test('a status read back with the same content (different key order) is equal', () => {
  const first = computeStatus(base);
  const readBack = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(first).reverse()))) as typeof first;
  assert.ok(isStatusEqual(first, readBack));
});
