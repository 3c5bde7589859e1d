// Behaviour: watch from a resourceVersion resumes exactly, bookmarks arrive, selectors turn changes into
// ADDED/DELETED, and an expired resourceVersion yields a 410 ERROR event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { clusterUnderTest, recordWatch } from './support/cluster-under-test.ts';

test('watch resumes from a resourceVersion with exactly the later changes', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  // Labelled, so the watch sees only these (the root CA publisher adds kube-root-ca.crt to the namespace meanwhile).
  const labels = { test: 'resume' };
  const a = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'a', labels } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'b', labels } } });
  await core.patchNamespacedConfigMap({ name: 'a', namespace, body: [{ op: 'add', path: '/data', value: { x: '1' } }] });
  await core.deleteNamespacedConfigMap({ name: 'b', namespace });
  const w = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, { resourceVersion: a.metadata!.resourceVersion!, labelSelector: 'test=resume' });
  t.after(() => w.abort());
  await w.waitFor((ev) => ev.length >= 3);
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED b', 'MODIFIED a', 'DELETED b']);
  const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
  assert.deepEqual([...rvs].sort((x, y) => x - y), rvs, 'events arrive in resourceVersion order');
});

test('watch without resourceVersion starts with the current state; selector transitions become ADDED/DELETED', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'in', labels: { sel: 'yes' } } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'out', labels: { sel: 'no' } } } });
  const w = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, { labelSelector: 'sel=yes' });
  t.after(() => w.abort());
  await w.waitFor((ev) => ev.length >= 1);
  await core.patchNamespacedConfigMap({ name: 'out', namespace, body: [{ op: 'replace', path: '/metadata/labels/sel', value: 'yes' }] });
  await core.patchNamespacedConfigMap({ name: 'in', namespace, body: [{ op: 'replace', path: '/metadata/labels/sel', value: 'no' }] });
  await w.waitFor((ev) => ev.length >= 3);
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED in', 'ADDED out', 'DELETED in']);
});

test('bookmarks are sent before a watch times out and carry a resourceVersion', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const w = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, { allowWatchBookmarks: true, timeoutSeconds: 3 });
  t.after(() => w.abort());
  await w.waitForEnd(15_000);
  const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
  assert.ok(bookmarks.length >= 1, `expected a BOOKMARK before the timeout, got ${JSON.stringify(w.events.map((e) => e.type))}`);
  assert.match(bookmarks[0]!.object.metadata?.resourceVersion ?? '', /^\d+$/);
});

test('a resourceVersion older than the history gives a 410 Expired ERROR event', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t);
  if (faults === undefined) return t.skip('needs the local cluster to compact history on demand');
  const core = kc.makeApiClient(CoreV1Api);
  const first = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'old' } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'new' } } });
  await faults.compactHistory();
  const w = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, { resourceVersion: first.metadata!.resourceVersion! });
  await w.waitForEnd();
  assert.equal(w.events.length, 1);
  assert.equal(w.events[0]!.type, 'ERROR');
  assert.equal(w.events[0]!.object.code, 410);
  assert.equal(w.events[0]!.object.reason, 'Expired');
});
