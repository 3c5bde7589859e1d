import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRedisSecretCopy, isOurRedisSecretCopy, isRedisSecretCopyCurrent } from './redis-secret.ts';

const source = { name: 'tapr-ws-redis', key: 'url', url: 'redis://:secret@redis.tapr-system:6379/0' };
const gateway = (name: string, uid: string, deleting = false) => ({
  metadata: { name, namespace: 'shop', uid, ...(deleting ? { deletionTimestamp: '2026-11-22T00:00:00Z' } : {}) },
});

test('the copy carries the URL under the same key and is owned by every live gateway of the namespace', () => {
  const copy = buildRedisSecretCopy(source, 'shop', [gateway('web', 'u2'), gateway('chat', 'u1'), gateway('old', 'u3', true)]);
  assert.ok(copy);
  assert.equal(copy.metadata.namespace, 'shop');
  assert.equal(copy.metadata.name, 'tapr-ws-redis');
  assert.equal(Buffer.from(copy.data.url!, 'base64').toString(), source.url);
  assert.deepEqual(copy.metadata.ownerReferences.map((owner) => owner.name), ['chat', 'web'], 'sorted by uid, the deleting one left out');
  assert.ok(copy.metadata.ownerReferences.every((owner) => !('controller' in owner)), 'several owners: none is the controller');
});

test('no live gateway in the namespace → no copy', () => {
  assert.equal(buildRedisSecretCopy(source, 'shop', []), undefined);
  assert.equal(buildRedisSecretCopy(source, 'shop', [gateway('old', 'u3', true)]), undefined);
});

test('a copy is current when the URL and the owners match, whatever else was added to it', () => {
  const desired = buildRedisSecretCopy(source, 'shop', [gateway('chat', 'u1')])!;
  const actual = { ...desired, metadata: { ...desired.metadata, labels: { ...desired.metadata.labels, team: 'a' }, resourceVersion: '7' }, data: { ...desired.data, other: 'eA==' } };
  assert.equal(isRedisSecretCopyCurrent(actual, desired), true);
  assert.equal(isRedisSecretCopyCurrent({ ...actual, data: { url: Buffer.from('redis://old:6379').toString('base64') } }, desired), false, 'rotated URL');
  const twoOwners = buildRedisSecretCopy(source, 'shop', [gateway('chat', 'u1'), gateway('web', 'u2')])!;
  assert.equal(isRedisSecretCopyCurrent(actual, twoOwners), false, 'a new gateway must become an owner');
});

test('a Secret of that name without the operator label is the admin\'s and is not ours to change', () => {
  assert.equal(isOurRedisSecretCopy({ metadata: { name: 'tapr-ws-redis', labels: {} } }), false);
  const desired = buildRedisSecretCopy(source, 'shop', [gateway('chat', 'u1')])!;
  assert.equal(isOurRedisSecretCopy(desired), true);
});
