// Unit tests for the benchmark's final table (ratios and PASS/MISS/n/a verdicts). Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable } from './report-table.ts';

void test('a row with a verdict reads PASS or MISS, with the gateway/baseline ratio', () => {
  const table = renderTable([
    { figure: 'memory', gateway: 5, baseline: 4, format: (v) => `${v} KiB`, target: '≤ 1.3×', verdict: (g, b) => g <= 1.3 * b },
    { figure: 'rate', gateway: 70, baseline: 100, format: String, target: '≥ 0.8×', verdict: (g, b) => g >= 0.8 * b },
  ]).split('\n');
  assert.equal(table.length, 4);
  assert.match(table[2]!, /memory .*5 KiB .*4 KiB .*1\.25× .*PASS/);
  assert.match(table[3]!, /rate .*70 .*100 .*0\.70× .*MISS/);
});

void test('a missing side gives n/a, a row without a verdict gives info', () => {
  const table = renderTable([
    { figure: 'memory', gateway: undefined, baseline: 4, format: String, target: '', verdict: () => true },
    { figure: 'cpu', gateway: 1, baseline: 2, format: String, target: '' },
  ]).split('\n');
  assert.match(table[2]!, /— .*\| +n\/a \|$/);
  assert.match(table[3]!, /0\.50× .*info \|$/);
});
