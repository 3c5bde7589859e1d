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
  // The deployment controller writes status meanwhile: read-modify-write with a retry on 409, as clients do.
  const replace = async (change: (d: V1Deployment) => V1Deployment, status: boolean): Promise<V1Deployment> => {
    for (;;) {
      const current = await apps.readNamespacedDeployment({ name: 'web', namespace });
      try {
        return status ? await apps.replaceNamespacedDeploymentStatus({ name: 'web', namespace, body: change(current) })
          : await apps.replaceNamespacedDeployment({ name: 'web', namespace, body: change(current) });
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
  };

  const labelled = await replace((d) => ({ ...d, metadata: { ...d.metadata, labels: { x: 'y' } }, status: { replicas: 5 } }), false);
  assert.equal(labelled.metadata?.generation, 1, 'metadata changes do not bump generation');
  assert.notEqual(labelled.status?.replicas, 5, 'status written through the main endpoint is ignored');

  const scaled = await replace((d) => ({ ...d, spec: { ...d.spec!, replicas: 3 } }), false);
  assert.equal(scaled.metadata?.generation, 2);

  const withStatus = await replace((d) => ({ ...d, spec: { ...d.spec!, replicas: 9 }, status: { replicas: 42, observedGeneration: 2 } }), true);
  assert.equal(withStatus.status?.replicas, 42);
  assert.equal(withStatus.spec?.replicas, 3, '/status ignores spec changes');
  assert.equal(withStatus.metadata?.generation, 2, 'status updates do not bump generation');
});

test('scale subresource reads and writes spec.replicas', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace, body: deployment('sc') });
  const scale = await apps.readNamespacedDeploymentScale({ name: 'sc', namespace });
  assert.equal(scale.spec?.replicas, 1);
  // Without a resourceVersion the write is unconditional (the controller may have updated status since the read).
  await apps.replaceNamespacedDeploymentScale({ name: 'sc', namespace, body: { metadata: { name: 'sc', namespace }, spec: { replicas: 4 } } });
  const after = await apps.readNamespacedDeployment({ name: 'sc', namespace });
  assert.equal(after.spec?.replicas, 4);
  assert.equal(after.metadata?.generation, 2);
});
