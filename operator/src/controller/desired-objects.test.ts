// Desired objects: the CR spec from the manifest, owner references, the -ws Service and its minimal patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from '../kube/objects.ts';
import { buildGateway, buildGatewaySpec, buildService, buildServicePatch, buildServiceSpec } from './desired-objects.ts';

const deployment: Deployment = {
  metadata: { name: 'chat', namespace: 'apps', uid: 'dep-uid' },
  spec: { selector: { matchLabels: { app: 'chat' } }, template: { metadata: { labels: { app: 'chat', 'tapr.io/manifest': 'chat-manifest' } } } },
};

test('the spec copies options.websocket; an invalid or empty manifest leaves websocket out', () => {
  assert.deepEqual(buildGatewaySpec('chat', 'chat-manifest', { kind: 'websocket', url: '/ws', port: 8888 }), {
    deploymentName: 'chat', manifest: { configMapName: 'chat-manifest', key: 'OlaresManifest.yaml' }, websocket: { url: '/ws', port: 8888 },
  });
  assert.equal('websocket' in buildGatewaySpec('chat', 'm', { kind: 'invalid', field: 'x', message: 'y' }), false);
  assert.equal('websocket' in buildGatewaySpec('chat', 'm', { kind: 'none' }), false);
});

test('the CR has the Deployment name and a blocking controller reference to it', () => {
  const gateway = buildGateway(deployment, buildGatewaySpec('chat', 'm', { kind: 'none' })) as { metadata: Record<string, unknown> };
  assert.equal(gateway.metadata.name, 'chat');
  assert.deepEqual(gateway.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat', uid: 'dep-uid', controller: true, blockOwnerDeletion: true }]);
});

test('the Service selects the Deployment pods on port 40010 named ws and is owned by the CR', () => {
  const service = buildService({ name: 'chat', namespace: 'apps', uid: 'cr-uid' }, buildServiceSpec(deployment)) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  assert.equal(service.metadata.name, 'chat-ws');
  assert.deepEqual(service.spec.selector, { app: 'chat' });
  assert.deepEqual(service.spec.ports, [{ name: 'ws', port: 40010, targetPort: 40010, protocol: 'TCP' }]);
  assert.deepEqual((service.metadata.ownerReferences as { kind: string; uid: string }[]).map((r) => [r.kind, r.uid]), [['WebSocketGateway', 'cr-uid']]);
});

test('the Service patch is empty when it matches and nulls selector keys that must go', () => {
  const desired = buildServiceSpec(deployment);
  const same = { metadata: { name: 'chat-ws' }, spec: { clusterIP: '10.0.0.1', selector: { app: 'chat' }, ports: [{ name: 'ws', port: 40010, targetPort: 40010, protocol: 'TCP' }] } };
  assert.equal(buildServicePatch(same, desired), undefined);
  const drifted = { metadata: { name: 'chat-ws' }, spec: { selector: { app: 'chat', old: 'x' }, ports: [{ name: 'ws', port: 80, targetPort: 40010 }] } };
  assert.deepEqual(buildServicePatch(drifted, desired), { spec: { selector: { app: 'chat', old: null }, ports: desired.ports } });
});
