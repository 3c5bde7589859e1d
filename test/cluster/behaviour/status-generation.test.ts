// Behaviour: the status subresource isolates status from spec, and generation moves only on spec changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { clusterUnderTest } from './support/cluster-under-test.ts';

function deployment(name: string): V1Deployment {
  return {
    metadata: { name },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
  };
}

test('main endpoint ignores status; /status ignores spec; generation follows spec only', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const apps = kc.makeApiClient(AppsV1Api);
  const created = await apps.createNamespacedDeployment({ namespace, body: { ...deployment('web'), status: { replicas: 7 } } });
  assert.equal(created.metadata?.generation, 1);
  assert.equal(created.status?.replicas, undefined, 'status on create is ignored');

  const labelled = await apps.replaceNamespacedDeployment({ name: 'web', namespace, body: { ...created, metadata: { ...created.metadata, labels: { x: 'y' } }, status: { replicas: 5 } } });
  assert.equal(labelled.metadata?.generation, 1, 'metadata changes do not bump generation');
  assert.equal(labelled.status?.replicas, undefined, 'status written through the main endpoint is ignored');

  const scaled = await apps.replaceNamespacedDeployment({ name: 'web', namespace, body: { ...labelled, spec: { ...labelled.spec!, replicas: 3 } } });
  assert.equal(scaled.metadata?.generation, 2);

  const withStatus = await apps.replaceNamespacedDeploymentStatus({ name: 'web', namespace, body: { ...scaled, spec: { ...scaled.spec!, replicas: 9 }, status: { replicas: 3, observedGeneration: 2 } } });
  assert.equal(withStatus.status?.replicas, 3);
  assert.equal(withStatus.spec?.replicas, 3, '/status ignores spec changes');
  assert.equal(withStatus.metadata?.generation, 2, 'status updates do not bump generation');
});

test('scale subresource reads and writes spec.replicas', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace, body: deployment('sc') });
  const scale = await apps.readNamespacedDeploymentScale({ name: 'sc', namespace });
  assert.equal(scale.spec?.replicas, 1);
  await apps.replaceNamespacedDeploymentScale({ name: 'sc', namespace, body: { ...scale, spec: { replicas: 4 } } });
  const after = await apps.readNamespacedDeployment({ name: 'sc', namespace });
  assert.equal(after.spec?.replicas, 4);
  assert.equal(after.metadata?.generation, 2);
});
