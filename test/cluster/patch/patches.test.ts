// Unit tests for merge patch, JSON patch and strategic merge patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './json-merge-patch.ts';
import { applyJsonPatch } from './json-patch.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { PatchError, type JsonValue } from './json-value.ts';

test('merge patch: null deletes, objects merge, lists replace', () => {
  const out = applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 9 }, l: [3] });
  assert.deepEqual(out, { b: { c: 9, d: 3 }, l: [3] });
});

test('json patch: add, replace, remove, test, move, copy, escaping', () => {
  const doc: JsonValue = { metadata: { labels: { a: '1' } }, list: [1, 2] };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/tapr.io~1x', value: 'y' },
    { op: 'replace', path: '/metadata/labels/a', value: '2' },
    { op: 'add', path: '/list/-', value: 3 },
    { op: 'remove', path: '/list/0' },
    { op: 'test', path: '/list/0', value: 2 },
    { op: 'copy', from: '/list', path: '/copy' },
    { op: 'move', from: '/copy', path: '/moved' },
  ]);
  assert.deepEqual(out, { metadata: { labels: { a: '2', 'tapr.io/x': 'y' } }, list: [2, 3], moved: [2, 3] });
  assert.deepEqual(doc, { metadata: { labels: { a: '1' } }, list: [1, 2] }, 'input untouched');
});

test('json patch: failures', () => {
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), (e: unknown) => e instanceof PatchError && e.kind === 'cannot-apply');
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), PatchError);
  assert.throws(() => applyJsonPatch({ a: 1 }, { op: 'add' }), (e: unknown) => e instanceof PatchError && e.kind === 'malformed');
});

const pod: JsonValue = {
  metadata: { finalizers: ['a'] },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] },
      { name: 'side', image: 'side:1' },
    ],
    volumes: [{ name: 'v1', emptyDir: {} }],
    tolerations: [{ key: 'x' }],
  },
};

test('strategic merge: containers, env and ports merge by key', () => {
  const out = applyStrategicMergePatch(pod, {
    spec: {
      containers: [
        { name: 'app', image: 'app:2', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }], ports: [{ containerPort: 81 }] },
        { name: 'new', image: 'new:1' },
      ],
      tolerations: [{ key: 'y' }],
    },
  }) as { spec: { containers: { name: string; image: string; env?: unknown; ports?: unknown }[]; tolerations: unknown } };
  assert.deepEqual(out.spec.containers.map((c) => [c.name, c.image]), [['app', 'app:2'], ['side', 'side:1'], ['new', 'new:1']]);
  assert.deepEqual(out.spec.containers[0]!.env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
  assert.deepEqual(out.spec.containers[0]!.ports, [{ containerPort: 80, name: 'http' }, { containerPort: 81 }]);
  assert.deepEqual(out.spec.tolerations, [{ key: 'y' }], 'lists without a merge key are replaced');
});

test('strategic merge: $patch delete, replace, finalizers union, $deleteFromPrimitiveList, $setElementOrder', () => {
  const out = applyStrategicMergePatch(pod, {
    metadata: { finalizers: ['b'] },
    spec: {
      containers: [{ name: 'side', $patch: 'delete' }],
      volumes: [{ $patch: 'replace' }, { name: 'v2', emptyDir: {} }],
    },
  }) as { metadata: { finalizers: string[] }; spec: { containers: { name: string }[]; volumes: unknown } };
  assert.deepEqual(out.spec.containers.map((c) => c.name), ['app']);
  assert.deepEqual(out.spec.volumes, [{ name: 'v2', emptyDir: {} }]);
  assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
  const removed = applyStrategicMergePatch(out as unknown as JsonValue, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }) as { metadata: { finalizers: string[] } };
  assert.deepEqual(removed.metadata.finalizers, ['b']);
  const ordered = applyStrategicMergePatch(pod, {
    spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }], containers: [{ name: 'side', image: 'side:2' }] },
  }) as { spec: { containers: { name: string; image: string }[] } };
  assert.deepEqual(ordered.spec.containers.map((c) => `${c.name}=${c.image}`), ['side=side:2', 'app=app:1']);
});

test('strategic merge: map $patch replace and null deletion', () => {
  const out = applyStrategicMergePatch({ spec: { selector: { a: '1', b: '2' }, x: 1 } }, { spec: { selector: { $patch: 'replace', c: '3' }, x: null } });
  assert.deepEqual(out, { spec: { selector: { c: '3' } } });
});
