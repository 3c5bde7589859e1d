// Behaviour: label and field selectors, and list limit/continue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { clusterUnderTest, expectStatus } from './support/cluster-under-test.ts';

test('label selectors: =, !=, in, notin, exists, !exists', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const labels: Record<string, Record<string, string>> = { a: { app: 'web', tier: 'front' }, b: { app: 'db' }, c: { app: 'web', tier: 'back' }, d: {} };
  for (const [name, l] of Object.entries(labels)) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels: l } } });
  const names = async (labelSelector: string): Promise<string[]> =>
    (await core.listNamespacedConfigMap({ namespace, labelSelector })).items.map((i) => i.metadata!.name!).filter((n) => n.length === 1);
  assert.deepEqual(await names('app=web'), ['a', 'c']);
  assert.deepEqual(await names('app!=web'), ['b', 'd']);
  assert.deepEqual(await names('tier in (front,back)'), ['a', 'c']);
  assert.deepEqual(await names('app notin (web)'), ['b', 'd']);
  assert.deepEqual(await names('tier'), ['a', 'c']);
  assert.deepEqual(await names('!tier'), ['b', 'd']);
  assert.deepEqual(await names('app=web,tier=back'), ['c']);
  await expectStatus(core.listNamespacedConfigMap({ namespace, labelSelector: 'app in web' }), 400, 'BadRequest');
});

test('field selectors: metadata.name, status.phase for pods; unknown fields are rejected', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of ['p1', 'p2']) {
    await core.createNamespacedPod({ namespace, body: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } });
  }
  const byName = await core.listNamespacedPod({ namespace, fieldSelector: 'metadata.name=p2' });
  assert.deepEqual(byName.items.map((p) => p.metadata?.name), ['p2']);
  const pending = await core.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Pending,metadata.name!=p2' });
  assert.deepEqual(pending.items.map((p) => p.metadata?.name), ['p1']);
  const all = await core.listPodForAllNamespaces({ fieldSelector: `metadata.namespace=${namespace}` });
  assert.equal(all.items.length, 2);
  await expectStatus(core.listNamespacedPod({ namespace, fieldSelector: 'spec.bogus=1' }), 400, 'BadRequest');
});

test('limit and continue page through a list in order', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < 5; i++) await core.createNamespacedSecret({ namespace, body: { metadata: { name: `s${i}` }, stringData: { k: String(i) } } });
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await core.listNamespacedSecret({ namespace, limit: 2, _continue: token, labelSelector: undefined });
    pages++;
    seen.push(...page.items.map((s) => s.metadata!.name!));
    token = page.metadata?._continue;
  } while (token !== undefined && token !== '');
  assert.equal(pages, 3);
  assert.deepEqual(seen.filter((n) => /^s\d$/.test(n)), ['s0', 's1', 's2', 's3', 's4']);
  const s3 = await core.readNamespacedSecret({ name: 's3', namespace });
  assert.equal(Buffer.from(s3.data!.k!, 'base64').toString(), '3', 'stringData is folded into data');
});
