// Behaviour: create/read/update semantics — uid, resourceVersion, AlreadyExists, generateName, 409 on a stale update,
// namespaces must exist, errors are Status objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { clusterUnderTest, expectStatus } from './support/cluster-under-test.ts';

test('create assigns identity; AlreadyExists; generateName; stale update conflicts', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(created.metadata?.creationTimestamp instanceof Date);
  assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);

  const dup = await expectStatus(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cfg' } } }), 409, 'AlreadyExists');
  assert.equal(dup.message, 'configmaps "cfg" already exists');
  assert.deepEqual([dup.details?.name, dup.details?.kind], ['cfg', 'configmaps']);

  const generated = await core.createNamespacedConfigMap({ namespace, body: { metadata: { generateName: 'gen-' } } });
  assert.match(generated.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);

  const first = await core.replaceNamespacedConfigMap({ name: 'cfg', namespace, body: { ...created, data: { a: '2' } } });
  assert.notEqual(first.metadata?.resourceVersion, created.metadata?.resourceVersion);
  const stale = await expectStatus(core.replaceNamespacedConfigMap({ name: 'cfg', namespace, body: { ...created, data: { a: '3' } } }), 409, 'Conflict');
  assert.match(stale.message, /the object has been modified; please apply your changes to the latest version and try again/);
  assert.equal((await core.readNamespacedConfigMap({ name: 'cfg', namespace })).data?.a, '2');

  const missing = await expectStatus(core.readNamespacedConfigMap({ name: 'nope', namespace }), 404, 'NotFound');
  assert.equal(missing.message, 'configmaps "nope" not found');
  await expectStatus(core.createNamespacedConfigMap({ namespace: `${namespace}-absent`, body: { metadata: { name: 'x' } } }), 404, 'NotFound');
  const invalid = await expectStatus(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'Bad_Name' } } }), 422, 'Invalid');
  assert.equal(invalid.details?.causes?.[0]?.field, 'metadata.name');
});

test('an update that changes nothing keeps the resourceVersion', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'same' }, data: { a: '1' } } });
  const again = await core.replaceNamespacedConfigMap({ name: 'same', namespace, body: created });
  assert.equal(again.metadata?.resourceVersion, created.metadata?.resourceVersion);
});

test('every namespace carries kubernetes.io/metadata.name=<name>, and keeps it when a label update drops it', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const read = await core.readNamespace({ name: namespace });
  assert.equal(read.metadata?.labels?.['kubernetes.io/metadata.name'], namespace);
  const replaced = await core.replaceNamespace({ name: namespace, body: { ...read, metadata: { ...read.metadata, labels: { team: 'a' } } } });
  assert.deepEqual(replaced.metadata?.labels, { team: 'a', 'kubernetes.io/metadata.name': namespace });
});
