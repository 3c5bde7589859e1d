// Behaviour of the local cluster's fault hooks: failing requests, dropped and stalled watches, restart keeping data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { clusterUnderTest, expectStatus, recordWatch } from './support/cluster-under-test.ts';

test('failNext answers the next requests with 429 or 500 Status objects, then recovers', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t);
  if (faults === undefined) return t.skip('fault hooks exist only on the local cluster');
  const core = kc.makeApiClient(CoreV1Api);
  faults.failNext(1, 429);
  const throttled = await expectStatus(core.listNamespacedConfigMap({ namespace }), 429, 'TooManyRequests');
  assert.match(throttled.message, /too many requests/);
  faults.failNext(2, 500);
  await expectStatus(core.listNamespacedConfigMap({ namespace }), 500, 'InternalError');
  await expectStatus(core.listNamespacedConfigMap({ namespace }), 500, 'InternalError');
  await core.listNamespacedConfigMap({ namespace });
});

test('dropAllWatches ends open watches; a resumed watch misses nothing', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t);
  if (faults === undefined) return t.skip('fault hooks exist only on the local cluster');
  const core = kc.makeApiClient(CoreV1Api);
  const first = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'a' } } });
  const w = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, { resourceVersion: first.metadata!.resourceVersion! });
  t.after(() => w.abort());
  await new Promise((r) => setTimeout(r, 100));
  faults.dropAllWatches();
  await w.waitForEnd();
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'b' } } });
  const resumed = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, { resourceVersion: first.metadata!.resourceVersion! });
  t.after(() => resumed.abort());
  await resumed.waitFor((ev) => ev.some((e) => e.object.metadata?.name === 'b'));
});

test('stallWatches holds events on an open connection and delivers them when released', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t);
  if (faults === undefined) return t.skip('fault hooks exist only on the local cluster');
  const core = kc.makeApiClient(CoreV1Api);
  // Only the object this test makes (the root CA publisher adds kube-root-ca.crt to every namespace).
  const w = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, { fieldSelector: 'metadata.name=during-stall' });
  t.after(() => w.abort());
  await new Promise((r) => setTimeout(r, 100));
  faults.stallWatches(true);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'during-stall' } } });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(w.events.length, 0, 'nothing is delivered while stalled');
  assert.equal(w.ended, undefined, 'the connection stays open');
  faults.stallWatches(false);
  await w.waitFor((ev) => ev.some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'during-stall'));
});

test('restart closes connections and keeps the data and resourceVersions', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t);
  if (faults === undefined) return t.skip('fault hooks exist only on the local cluster');
  const core = kc.makeApiClient(CoreV1Api);
  const before = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'kept' }, data: { a: '1' } } });
  const w = await recordWatch(kc, `/api/v1/namespaces/${namespace}/configmaps`, {});
  t.after(() => w.abort());
  await w.waitFor((ev) => ev.length >= 1);
  await faults.restart();
  await w.waitForEnd();
  const after = await core.readNamespacedConfigMap({ name: 'kept', namespace });
  assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
  assert.equal(after.data?.a, '1');
});
