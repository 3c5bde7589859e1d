// Unit tests for field selectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSelectorError, matchesFields, parseFieldSelector, selectedName } from './field-selector.ts';

const fields = ['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName'];
const pod = { metadata: { name: 'p1', namespace: 'ns' }, spec: {}, status: { phase: 'Running' } };

test('equality and inequality on supported fields', () => {
  assert.equal(matchesFields(parseFieldSelector('metadata.name=p1', fields), pod), true);
  assert.equal(matchesFields(parseFieldSelector('metadata.name==p2', fields), pod), false);
  assert.equal(matchesFields(parseFieldSelector('status.phase!=Running', fields), pod), false);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName=', fields), pod), true, 'a missing field equals the empty string');
  assert.equal(matchesFields(parseFieldSelector('metadata.namespace=ns,status.phase=Running', fields), pod), true);
});

test('unsupported field and garbage are errors', () => {
  assert.throws(() => parseFieldSelector('spec.foo=1', fields), (e: unknown) => e instanceof FieldSelectorError && /field label not supported: spec.foo/.test(e.message));
  assert.throws(() => parseFieldSelector('metadata.name', fields), FieldSelectorError);
});

test('selectedName', () => {
  assert.equal(selectedName(parseFieldSelector('metadata.name=x', fields)), 'x');
  assert.equal(selectedName(parseFieldSelector('metadata.name!=x', fields)), undefined);
});
