// Unit tests for the process-tree helpers the benchmark sums RSS over. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parentFromStat, treeOf } from './process-tree.ts';

void test('a tree holds the root and its descendants, not its siblings', () => {
  const parents = new Map([[10, 1], [11, 10], [12, 10], [13, 11], [20, 1]]);
  assert.deepEqual(treeOf(10, parents), [10, 11, 12, 13]);
  assert.deepEqual(treeOf(20, parents), [20]);
});

void test('the parent pid is read after the command name, even one with spaces and parentheses', () => {
  assert.equal(parentFromStat('4242 (pushpin (x) y) S 4200 4242 4242 0 -1'), 4200);
});
