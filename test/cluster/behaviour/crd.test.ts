// Behaviour: the project's CRD is served as soon as it is created (discovery too); custom resources are pruned,
// defaulted and validated (422 causes name the field); status is a subresource; printer columns come as a Table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { clusterUnderTest, expectStatus, rawRequest } from './support/cluster-under-test.ts';

const crd = load(readFileSync(new URL('../../../crds/websocketgateways.tapr.io.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
const gw = { group: 'tapr.io', version: 'v1alpha1', plural: 'websocketgateways' };

interface Gateway {
  metadata: { name: string; resourceVersion: string; generation: number };
  spec: { deploymentName: string; manifest?: { configMapName: string; key?: string }; websocket?: { url: string; port: number } };
  status?: Record<string, unknown>;
}

test('WebSocketGateway: served after CRD creation, pruned, defaulted, validated, status subresource, Table', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  // Raw JSON on purpose: the typed client's serializer drops `default` from schemas (it expects `_default`).
  const createdCrd = await rawRequest(kc, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(crd),
  });
  assert.ok(createdCrd.status === 201 || createdCrd.status === 409, createdCrd.body);
  const established = await ext.readCustomResourceDefinition({ name: 'websocketgateways.tapr.io' });
  assert.ok(established.metadata?.uid !== undefined);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let discovery = await rawRequest(kc, '/apis/tapr.io/v1alpha1');
  for (let i = 0; i < 50 && discovery.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    discovery = await rawRequest(kc, '/apis/tapr.io/v1alpha1');
  }
  const resources = discovery.json<{ resources: { name: string; shortNames?: string[] }[] }>().resources;
  assert.deepEqual(resources.map((r) => r.name).sort(), ['websocketgateways', 'websocketgateways/status']);
  assert.deepEqual(resources.find((r) => r.name === 'websocketgateways')?.shortNames, ['wsgw']);
  const groups = (await rawRequest(kc, '/apis')).json<{ groups: { name: string }[] }>().groups.map((g) => g.name);
  assert.ok(groups.includes('tapr.io'));

  const created = await custom.createNamespacedCustomObject({ ...gw, namespace, body: {
    apiVersion: 'tapr.io/v1alpha1', kind: 'WebSocketGateway', metadata: { name: 'web' },
    spec: { deploymentName: 'web', unknownField: 1, manifest: { configMapName: 'cfg' }, websocket: { url: '/ws', port: 8080 } },
    status: { connections: 99 },
  } }) as Gateway;
  assert.deepEqual(created.spec, { deploymentName: 'web', manifest: { configMapName: 'cfg', key: 'OlaresManifest.yaml' }, websocket: { url: '/ws', port: 8080 } },
    'unknown fields pruned, defaults applied');
  assert.equal(created.status, undefined, 'status is ignored on create');
  assert.equal(created.metadata.generation, 1);

  const bad = await expectStatus(custom.createNamespacedCustomObject({ ...gw, namespace, body: {
    apiVersion: 'tapr.io/v1alpha1', kind: 'WebSocketGateway', metadata: { name: 'bad' },
    spec: { websocket: { url: 'no-slash', port: 70000 } },
  } }), 422, 'Invalid');
  const fields = (bad.details?.causes ?? []).map((c) => c.field).sort();
  assert.deepEqual(fields, ['spec.deploymentName', 'spec.websocket.port', 'spec.websocket.url']);
  assert.match(bad.message, /^WebSocketGateway\.tapr\.io "bad" is invalid: /);
  assert.equal(bad.details?.kind, 'WebSocketGateway');

  const withStatus = await custom.patchNamespacedCustomObjectStatus({ ...gw, namespace, name: 'web',
    body: { spec: { deploymentName: 'ignored' }, status: { readyText: '1/2', connections: 3, users: 2 } } },
  setHeaderOptions('Content-Type', PatchStrategy.MergePatch)) as Gateway;
  assert.equal(withStatus.spec.deploymentName, 'web', '/status ignores spec');
  assert.equal(withStatus.status?.connections, 3);
  assert.equal(withStatus.metadata.generation, 1);
  const specChange = await custom.patchNamespacedCustomObject({ ...gw, namespace, name: 'web',
    body: { spec: { websocket: { port: 9090 } }, status: { connections: 0 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)) as Gateway;
  assert.equal(specChange.metadata.generation, 2);
  assert.equal(specChange.status?.connections, 3, 'the main endpoint ignores status');
  await expectStatus(custom.replaceNamespacedCustomObject({ ...gw, namespace, name: 'web',
    body: { ...specChange, metadata: { ...specChange.metadata, resourceVersion: created.metadata.resourceVersion } } }), 409, 'Conflict');

  const table = await rawRequest(kc, `/apis/tapr.io/v1alpha1/namespaces/${namespace}/websocketgateways`, {
    headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
  });
  const body = table.json<{ kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>();
  assert.equal(body.kind, 'Table');
  assert.deepEqual(body.columnDefinitions.map((c) => c.name), ['Name', 'Deployment', 'Port', 'Url', 'Ready', 'Connections', 'Users', 'Age']);
  assert.deepEqual(body.rows[0]!.cells.slice(0, 7), ['web', 'web', 9090, '/ws', '1/2', 3, 2]);
});
