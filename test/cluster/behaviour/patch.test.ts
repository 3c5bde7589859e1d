// Behaviour: merge patch, JSON patch, strategic merge patch (keyed lists, $patch: delete), server-side apply,
// and a patch carrying a stale resourceVersion conflicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { clusterUnderTest, expectStatus, rawRequest } from './support/cluster-under-test.ts';

test('merge, json and strategic merge patches', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
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

  // Containers of a running pod cannot be added or removed: strategic merge of keyed lists is shown on a Deployment.
  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace, body: {
    metadata: { name: 'd' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
      { name: 'side', image: 'side:1' },
    ] } } },
  } });
  const strategic = await apps.patchNamespacedDeployment({ name: 'd', namespace, body: { spec: { template: { spec: { containers: [
    { name: 'app', image: 'app:2', env: [{ name: 'B', value: '2' }] },
    { name: 'side', $patch: 'delete' },
  ] } } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
  const containers = strategic.spec?.template.spec?.containers ?? [];
  assert.deepEqual(containers.map((c) => c.name), ['app']);
  assert.equal(containers[0]!.image, 'app:2');
  // Merged by name; the apiserver puts the patch's items first.
  assert.deepEqual(containers[0]!.env?.map((e) => e.name), ['B', 'A'], 'env merged by name');
  assert.equal(containers[0]!.ports?.[0]?.containerPort, 80, 'untouched fields of a merged container stay');

  const json = await core.patchNamespacedPod({ name: 'p', namespace, body: [
    { op: 'test', path: '/metadata/labels/b', value: '2' },
    { op: 'add', path: '/metadata/annotations', value: { 'tapr.io/x': 'y' } },
  ] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  assert.equal(json.metadata?.annotations?.['tapr.io/x'], 'y');
  await expectStatus(core.patchNamespacedPod({ name: 'p', namespace, body: [{ op: 'test', path: '/metadata/labels/b', value: 'nope' }] },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)), 422);

  const stale = { metadata: { resourceVersion: '1', labels: { c: '3' } } };
  await expectStatus(core.patchNamespacedPod({ name: 'p', namespace, body: stale }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)), 409, 'Conflict');

  // Server-side apply (what `kubectl apply --server-side` and Helm 4 send) merges and records its field manager.
  const apply = await rawRequest(kc, `/api/v1/namespaces/${namespace}/pods/p?fieldManager=behaviour-test`, {
    method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml' },
    body: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {d: "4"}}',
  });
  assert.equal(apply.status, 200, apply.body);
  const applied = apply.json<{ metadata: { labels: Record<string, string>; managedFields: { manager: string; operation: string }[] } }>();
  assert.equal(applied.metadata.labels['d'], '4');
  assert.ok(applied.metadata.managedFields.some((f) => f.manager === 'behaviour-test' && f.operation === 'Apply'));
});
