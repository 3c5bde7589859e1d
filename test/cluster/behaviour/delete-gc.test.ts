// Behaviour: delete preconditions, finalizers with deletionTimestamp, owner-reference garbage collection
// (background, foreground, orphan).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { clusterUnderTest, expectStatus } from './support/cluster-under-test.ts';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

async function exists(core: CoreV1Api, namespace: string, name: string): Promise<boolean> {
  try {
    await core.readNamespacedConfigMap({ name, namespace });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  }
}

function ownedBy(owner: V1ConfigMap, name: string, block = false): V1ConfigMap {
  return { metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid!, blockOwnerDeletion: block }] } };
}

test('delete preconditions on uid and resourceVersion', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const cm = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'pre' } } });
  await expectStatus(core.deleteNamespacedConfigMap({ name: 'pre', namespace, body: { preconditions: { uid: 'not-the-uid' } } }), 409, 'Conflict');
  await expectStatus(core.deleteNamespacedConfigMap({ name: 'pre', namespace, body: { preconditions: { resourceVersion: '1' } } }), 409, 'Conflict');
  await core.deleteNamespacedConfigMap({ name: 'pre', namespace, body: { preconditions: { uid: cm.metadata!.uid!, resourceVersion: cm.metadata!.resourceVersion! } } });
  assert.equal(await exists(core, namespace, 'pre'), false);
});

test('finalizers keep a deleted object with deletionTimestamp until they are removed', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'fin', finalizers: ['tapr.io/hold'] } } });
  await core.deleteNamespacedConfigMap({ name: 'fin', namespace });
  const held = await core.readNamespacedConfigMap({ name: 'fin', namespace });
  assert.ok(held.metadata?.deletionTimestamp instanceof Date);
  await expectStatus(core.patchNamespacedConfigMap({ name: 'fin', namespace, body: { metadata: { finalizers: ['tapr.io/hold', 'tapr.io/new'] } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch)), 422, 'Invalid');
  await core.patchNamespacedConfigMap({ name: 'fin', namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  await eventually(async () => !(await exists(core, namespace, 'fin')), 'the object is gone');
});

test('background GC deletes dependents whose owner is gone, keeps those with another owner', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
  const other = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'other' } } });
  await core.createNamespacedConfigMap({ namespace, body: ownedBy(owner, 'child') });
  const shared = ownedBy(owner, 'shared');
  shared.metadata!.ownerReferences!.push(ownedBy(other, 'x').metadata!.ownerReferences![0]!);
  await core.createNamespacedConfigMap({ namespace, body: shared });
  await core.deleteNamespacedConfigMap({ name: 'owner', namespace, body: { propagationPolicy: 'Background' } });
  await eventually(async () => !(await exists(core, namespace, 'child')), 'the child is collected');
  await eventually(async () => (await core.readNamespacedConfigMap({ name: 'shared', namespace })).metadata?.ownerReferences?.length === 1, 'the dead reference is removed');
});

test('foreground deletion waits for blocking dependents; orphan keeps dependents', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'fg' } } });
  await core.createNamespacedConfigMap({ namespace, body: { ...ownedBy(owner, 'fg-child', true), metadata: { ...ownedBy(owner, 'fg-child', true).metadata, finalizers: ['tapr.io/slow'] } } });
  await core.deleteNamespacedConfigMap({ name: 'fg', namespace, body: { propagationPolicy: 'Foreground' } });
  await eventually(async () => (await core.readNamespacedConfigMap({ name: 'fg-child', namespace })).metadata?.deletionTimestamp !== undefined, 'the child is being deleted');
  const waiting = await core.readNamespacedConfigMap({ name: 'fg', namespace });
  assert.ok(waiting.metadata?.finalizers?.includes('foregroundDeletion'), 'the owner waits with the foregroundDeletion finalizer');
  await core.patchNamespacedConfigMap({ name: 'fg-child', namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  await eventually(async () => !(await exists(core, namespace, 'fg')), 'the owner goes once its child is gone');

  const o2 = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'orph' } } });
  await core.createNamespacedConfigMap({ namespace, body: ownedBy(o2, 'orph-child') });
  await core.deleteNamespacedConfigMap({ name: 'orph', namespace, body: { propagationPolicy: 'Orphan' } });
  await eventually(async () => !(await exists(core, namespace, 'orph')), 'the owner is deleted');
  const child = await core.readNamespacedConfigMap({ name: 'orph-child', namespace });
  assert.equal(child.metadata?.ownerReferences, undefined, 'the orphan lost its owner reference');
});
