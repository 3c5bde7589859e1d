// JSON patch diffing: paths are escaped, missing maps are created, appended items become adds, and applying works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { buildPodPatch, escapePointerToken } from './pod-patch.ts';

function roundTrip(before: unknown, after: unknown): void {
  const patch = buildPodPatch(before, after);
  const applied = jsonpatch.applyPatch(structuredClone(before), structuredClone(patch) as jsonpatch.Operation[], true, false).newDocument;
  assert.deepEqual(applied, JSON.parse(JSON.stringify(after)));
}

test('escapes ~ before / (RFC 6901)', () => {
  assert.equal(escapePointerToken('tapr.io/injected'), 'tapr.io~1injected');
  assert.equal(escapePointerToken('a~/b'), 'a~0~1b');
  assert.equal(escapePointerToken('~1'), '~01');
});

test('identical documents give an empty patch', () => {
  const pod = { metadata: { name: 'a', annotations: { x: 'y' } }, spec: { containers: [{ name: 'app' }] } };
  assert.deepEqual(buildPodPatch(pod, structuredClone(pod)), []);
});

test('a new annotation on an existing map is one add with an escaped key', () => {
  const before = { metadata: { annotations: { 'a/b': '1' } } };
  const after = { metadata: { annotations: { 'a/b': '1', 'tapr.io/injected': 'h' } } };
  assert.deepEqual(buildPodPatch(before, after), [{ op: 'add', path: '/metadata/annotations/tapr.io~1injected', value: 'h' }]);
  roundTrip(before, after);
});

test('a missing annotations map is created whole', () => {
  const before = { metadata: { name: 'p' } };
  const after = { metadata: { name: 'p', annotations: { 'tapr.io/injected': 'h' } } };
  assert.deepEqual(buildPodPatch(before, after), [{ op: 'add', path: '/metadata/annotations', value: { 'tapr.io/injected': 'h' } }]);
  roundTrip(before, after);
});

test('appended array items are adds at their index', () => {
  const before = { spec: { containers: [{ name: 'app' }] } };
  const after = { spec: { containers: [{ name: 'app' }, { name: 'ws-gateway' }, { name: 'other' }] } };
  assert.deepEqual(buildPodPatch(before, after), [
    { op: 'add', path: '/spec/containers/1', value: { name: 'ws-gateway' } },
    { op: 'add', path: '/spec/containers/2', value: { name: 'other' } },
  ]);
  roundTrip(before, after);
});

test('a missing array is created whole', () => {
  const before = { spec: { containers: [] } };
  const after = { spec: { containers: [], initContainers: [{ name: 'ws-gateway', restartPolicy: 'Always' }] } };
  assert.deepEqual(buildPodPatch(before, after), [
    { op: 'add', path: '/spec/initContainers', value: [{ name: 'ws-gateway', restartPolicy: 'Always' }] },
  ]);
  roundTrip(before, after);
});

test('changed values, removed keys, reordered and shrunk arrays', () => {
  const before = { a: 1, b: { c: [1, 2, 3], d: 'x' }, e: [{ n: 1 }, { n: 2 }], f: true };
  const after = { a: 2, b: { c: [1, 3] }, e: [{ n: 2 }, { n: 1 }], g: null };
  const patch = buildPodPatch(before, after);
  assert.deepEqual(patch, [
    { op: 'remove', path: '/f' },
    { op: 'replace', path: '/a', value: 2 },
    { op: 'remove', path: '/b/d' },
    { op: 'replace', path: '/b/c', value: [1, 3] },
    { op: 'replace', path: '/e', value: [{ n: 2 }, { n: 1 }] },
    { op: 'add', path: '/g', value: null },
  ]);
  roundTrip(before, after);
});

test('type changes are replaced', () => {
  roundTrip({ a: { b: 1 } }, { a: [1] });
  roundTrip({ a: [1] }, { a: 'x' });
  roundTrip({ a: null }, { a: {} });
});

test('undefined properties count as absent', () => {
  assert.deepEqual(buildPodPatch({ a: 1, b: undefined }, { a: 1 }), []);
  assert.deepEqual(buildPodPatch({ a: 1 }, { a: 1, b: undefined }), []);
  assert.deepEqual(buildPodPatch({ a: 1 }, { a: 1, b: { c: undefined, d: 2 } }), [{ op: 'add', path: '/b', value: { d: 2 } }]);
});

test('patch values are copies, not references into the mutated pod', () => {
  const after = { spec: { containers: [{ name: 'x', env: [{ name: 'A', value: '1' }] }] } };
  const patch = buildPodPatch({ spec: {} }, after);
  after.spec.containers[0]!.env[0]!.value = 'changed';
  assert.deepEqual(patch, [{ op: 'add', path: '/spec/containers', value: [{ name: 'x', env: [{ name: 'A', value: '1' }] }] }]);
});
