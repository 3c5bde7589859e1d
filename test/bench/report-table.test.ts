// Unit tests for the benchmark's final table (ratios and PASS/MISS/n/a verdicts). Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderComparison, renderTable } from './report-table.ts';

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

void test('a comparison has one column per target and one per ratio; a verdict may compare any two', () => {
  const table = renderComparison({
    columns: ['ws', 'pushpin', 'gateway'],
    ratios: [{ name: 'gateway/ws', of: 'gateway', to: 'ws' }, { name: 'pushpin/ws', of: 'pushpin', to: 'ws' }],
    rows: [
      { figure: 'p99', values: { ws: 2, pushpin: 10, gateway: 4 }, format: (v) => `${v} ms`, target: '≤ pushpin', verdict: (v) => (v.gateway === undefined || v.pushpin === undefined ? undefined : v.gateway <= v.pushpin) },
      { figure: 'rss', values: { ws: 50, gateway: 60 }, format: String, target: '', verdict: (v) => (v.pushpin === undefined ? undefined : true) },
    ],
  }).split('\n');
  assert.match(table[0]!, /\| figure \| +ws \| pushpin \| gateway \| gateway\/ws \| pushpin\/ws \| target +\| result \|/);
  assert.match(table[2]!, /2 ms .*10 ms .*4 ms .*2\.00× .*5\.00× .*≤ pushpin .*PASS/);
  assert.match(table[3]!, /60 .*1\.20× .*— .*n\/a \|$/);
});
