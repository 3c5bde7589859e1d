// Behaviour: merge patch, JSON patch, strategic merge patch (keyed lists, $patch: delete), apply patch → 415,
// and a patch carrying a stale resourceVersion conflicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { clusterUnderTest, expectStatus, rawRequest } from './support/cluster-under-test.ts';

test('merge, json and strategic merge patches', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: {
    metadata: { name: 'p', labels: { a: '1' } },
    spec: { containers: [
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
      { name: 'side', image: 'side:1' },
    ] },
  } });
  const merged = await core.patchNamespacedPod({ name: 'p', namespace, body: { metadata: { labels: { a: null, b: '2' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.deepEqual(merged.metadata?.labels, { b: '2' });

  const strategic = await core.patchNamespacedPod({ name: 'p', namespace, body: { spec: { containers: [
    { name: 'app', image: 'app:2', env: [{ name: 'B', value: '2' }] },
    { name: 'side', $patch: 'delete' },
  ] } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
  assert.deepEqual(strategic.spec?.containers.map((c) => c.name), ['app']);
  assert.equal(strategic.spec?.containers[0]!.image, 'app:2');
  assert.deepEqual(strategic.spec?.containers[0].env?.map((e) => e.name), ['A', 'B'], 'env merged by name');
  assert.equal(strategic.spec?.containers[0].ports?.[0]?.containerPort, 80, 'untouched fields of a merged container stay');

  const json = await core.patchNamespacedPod({ name: 'p', namespace, body: [
    { op: 'test', path: '/metadata/labels/b', value: '2' },
    { op: 'add', path: '/metadata/annotations', value: { 'tapr.io/x': 'y' } },
  ] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  assert.equal(json.metadata?.annotations?.['tapr.io/x'], 'y');
  await expectStatus(core.patchNamespacedPod({ name: 'p', namespace, body: [{ op: 'test', path: '/metadata/labels/b', value: 'nope' }] },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)), 422);

  const stale = { metadata: { resourceVersion: '1', labels: { c: '3' } } };
  await expectStatus(core.patchNamespacedPod({ name: 'p', namespace, body: stale }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)), 409, 'Conflict');

  if (faults === undefined) return; // a real cluster implements server-side apply; the local one answers 415
  const apply = await rawRequest(kc, `/api/v1/namespaces/${namespace}/pods/p?fieldManager=test`, {
    method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: 'metadata: {labels: {d: "4"}}',
  });
  assert.equal(apply.status, 415);
  assert.equal(apply.json().reason, 'UnsupportedMediaType');
});
