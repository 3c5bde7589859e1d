// Unit tests for label selector parsing and matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLabelSelector, matchesLabels, parseLabelSelector, SelectorParseError } from './label-selector.ts';

const labels = { app: 'web', tier: 'front', 'tapr.io/inject': 'true' };

test('equality, inequality and set operators', () => {
  const cases: [string, boolean][] = [
    ['', true], ['app=web', true], ['app==web', true], ['app!=web', false], ['app!=db', true],
    ['missing!=x', true], ['app in (db,web)', true], ['app notin (db,web)', false], ['tier notin (back)', true],
    ['tapr.io/inject', true], ['!tapr.io/inject', false], ['!missing', true], ['missing', false],
    ['app=web,tier=back', false], ['app=web, tier in (front)', true],
  ];
  for (const [text, expected] of cases) assert.equal(matchesLabels(parseLabelSelector(text), labels), expected, text);
});

test('numeric comparisons', () => {
  assert.equal(matchesLabels(parseLabelSelector('n>3'), { n: '4' }), true);
  assert.equal(matchesLabels(parseLabelSelector('n<3'), { n: '4' }), false);
});

test('malformed selectors are rejected', () => {
  for (const bad of ['app in web', 'app=(x', '=x', 'app in (a', 'a b']) {
    assert.throws(() => parseLabelSelector(bad), SelectorParseError, bad);
  }
});

test('object form', () => {
  const sel = buildLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] });
  assert.equal(matchesLabels(sel, labels), true);
  assert.equal(matchesLabels(sel, { app: 'db' }), false);
});
