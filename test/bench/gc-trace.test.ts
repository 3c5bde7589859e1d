// Unit tests for reading --trace-gc lines. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGcTraceLine, summarizeGc } from './gc-trace.ts';

void test('scavenge and mark-compact lines give their kind and pause; other lines are not GC events', () => {
  const scavenge = parseGcTraceLine('[4242:0x5f1c000]      812 ms: Scavenge 9.1 (11.3) -> 8.2 (11.3) MB, pooled: 0.0 MB, 1.25 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;');
  const full = parseGcTraceLine('[4242:0x5f1c000]     5120 ms: Mark-Compact (reduce) 20.1 (25.0) -> 18.0 (22.0) MB, pooled: 0 MB, 7.50 / 0.10 ms  (+ 2.0 ms in 3 steps since start of marking) finalize incremental marking via task;');
  assert.deepEqual(scavenge, { kind: 'scavenge', pauseMs: 1.25 });
  assert.deepEqual(full, { kind: 'mark-compact', pauseMs: 7.5 });
  assert.equal(parseGcTraceLine('{"level":40,"msg":"hello"}'), undefined);
  assert.deepEqual(summarizeGc([scavenge, full].filter((e) => e !== undefined)), { scavenges: 1, markCompacts: 1, totalPauseMs: 8.75, maxPauseMs: 7.5 });
});
