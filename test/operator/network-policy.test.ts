// The per-app NetworkPolicy on the local cluster (F12, --gateway-network-policy on): it appears with the CR (owned by
// it, 40010 only from the configured peers, other ports open), follows the Deployment's ports, is put back when edited,
// leaves a policy of that name it did not make alone, and goes with the CR when the Deployment stops opting in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import {
  createDeployment, createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, startOperatorEnv, uniqueName,
  type GatewayObject, type OperatorEnv,
} from './operator-env.ts';

const PEERS = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, podSelector: { matchLabels: { app: 'auth-proxy' } } }];

interface PolicyObject {
  metadata: { name: string; uid: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] };
  spec: { podSelector: unknown; policyTypes: string[]; ingress: { from?: unknown[]; ports: { protocol: string; port?: number; endPort?: number }[] }[] };
}

let env: OperatorEnv;

before(async () => {
  env = await startOperatorEnv({ gatewayNetworkPolicy: { from: PEERS } });
});

after(async () => {
  await env.stop();
});

const policyPath = (namespace: string, name: string): string => `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/${name}`;

async function appNamespace(): Promise<string> {
  const namespace = uniqueName('netpol');
  await createNamespace(env.api, namespace);
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  await eventually('the ConfigMap in the operator cache', () => env.operator.informers.configMaps.get(namespace, 'm'));
  return namespace;
}

test('the policy appears with the CR, owned by it: 40010 only from the peers, the app\'s ports open to all', async () => {
  const namespace = await appNamespace();
  await createDeployment(env.api, namespace, 'chat', 'm');
  const gateway = await eventually('the WebSocketGateway', () => getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'chat')));
  const policy = await eventually('the NetworkPolicy chat-ws', () => getIfExists<PolicyObject>(env.api, policyPath(namespace, 'chat-ws')));
  assert.deepEqual(policy.metadata.ownerReferences?.map((owner) => [owner.kind, owner.name, owner.uid, owner.controller]), [['WebSocketGateway', 'chat', gateway.metadata.uid, true]]);
  assert.equal(policy.metadata.labels?.['app.kubernetes.io/managed-by'], 'tapr-ws-operator');
  assert.deepEqual(policy.spec.podSelector, { matchLabels: { app: 'chat' } });
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  assert.deepEqual(policy.spec.ingress[0], { from: PEERS, ports: [{ protocol: 'TCP', port: 40010 }] });
  assert.equal(policy.spec.ingress[1]!.from, undefined);
  assert.deepEqual(policy.spec.ingress[1]!.ports, [
    { protocol: 'TCP', port: 1, endPort: 40009 }, { protocol: 'TCP', port: 40011, endPort: 65535 }, { protocol: 'UDP' }, { protocol: 'TCP', port: 8888 },
  ]);
});

test('the policy follows the Deployment\'s ports, is put back when edited, and goes with the CR when the app opts out', async () => {
  const namespace = await appNamespace();
  await createDeployment(env.api, namespace, 'web', 'm');
  const first = await eventually('the NetworkPolicy web-ws', () => getIfExists<PolicyObject>(env.api, policyPath(namespace, 'web-ws')));

  // A new declared port: the policy lists it.
  await env.api.request({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/deployments/web`, patchType: 'json',
    body: [{ op: 'add', path: '/spec/template/spec/containers/0/ports/-', value: { containerPort: 9100, protocol: 'TCP' } }],
  });
  const updated = await eventually('port 9100 in the policy', async () => {
    const found = await getIfExists<PolicyObject>(env.api, policyPath(namespace, 'web-ws'));
    return found?.spec.ingress[1]?.ports.some((port) => port.port === 9100) === true ? found : undefined;
  });
  assert.equal(updated.metadata.uid, first.metadata.uid, 'patched in place');

  // Someone opens 40010 to everyone: the operator puts the peers back.
  await env.api.request({
    method: 'PATCH', path: policyPath(namespace, 'web-ws'), patchType: 'json',
    body: [{ op: 'remove', path: '/spec/ingress/0/from' }],
  });
  await eventually('the peers back on 40010', async () => {
    const found = await getIfExists<PolicyObject>(env.api, policyPath(namespace, 'web-ws'));
    // Compared as values: the API server writes the fields in its own order.
    return isDeepStrictEqual(found?.spec.ingress[0]?.from, PEERS) ? true : undefined;
  });

  // Opting out deletes the CR; the garbage collector takes the policy with it.
  await env.api.request({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/deployments/web`, patchType: 'json',
    body: [{ op: 'remove', path: '/spec/template/metadata/labels/tapr.io~1manifest' }],
  });
  await eventually('the CR gone', async () => ((await getIfExists(env.api, gatewayPath(namespace, 'web'))) === undefined ? true : undefined));
  await eventually('the policy gone', async () => ((await getIfExists(env.api, policyPath(namespace, 'web-ws'))) === undefined ? true : undefined), 30_000);
});

test('a NetworkPolicy of that name the operator did not make is left alone', async () => {
  const namespace = await appNamespace();
  const theirs = { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 40010 }] }] };
  await env.api.request({
    method: 'POST', path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`,
    body: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'own-ws' }, spec: theirs },
  });
  await createDeployment(env.api, namespace, 'own', 'm');
  await eventually('the WebSocketGateway', () => getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'own')));
  const reconcilesBefore = env.operator.counters.reconciles;
  await env.api.request({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/deployments/own`, patchType: 'merge', body: { metadata: { annotations: { touched: 'yes' } } },
  });
  await eventually('another reconcile', () => (env.operator.counters.reconciles > reconcilesBefore ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const policy = await getIfExists<PolicyObject>(env.api, policyPath(namespace, 'own-ws'));
  assert.deepEqual(policy?.spec, theirs);
  assert.equal(policy?.metadata.ownerReferences, undefined);
  assert.equal(env.logs.filter((entry) => entry.msg === 'reconcile failed' && String(entry.key).endsWith('/own')).length, 0, 'no reconcile error for it');
});
