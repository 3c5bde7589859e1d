// What a user types: the cluster's own kubectl against the local cluster (version, imperative creates that send
// protobuf, server-side apply, explain, the CRD's printer columns, auth can-i with impersonation).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../start-cluster.ts';

const CRD = join(import.meta.dirname, '..', '..', '..', 'crds', 'websocketgateways.tapr.io.yaml');
let dir: string;
let cluster: Cluster;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapr-kubectl-'));
  cluster = await startCluster({ dir, images: false, faultProxy: false });
});

after(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** kubectl's exit code and output, without throwing (auth can-i answers "no" with exit 1). */
async function kubectl(args: string[], input?: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await cluster.kubectl(args, input);
    return { ok: true, out: stdout };
  } catch (error) {
    return { ok: false, out: String((error as Error).message) };
  }
}

test('kubectl version names a real v1.37 server', async () => {
  const { out } = await kubectl(['version', '-o', 'json']);
  const version = JSON.parse(out) as { serverVersion: { gitVersion: string; major: string; minor: string } };
  assert.equal(version.serverVersion.gitVersion, 'v1.37.2');
  assert.deepEqual([version.serverVersion.major, version.serverVersion.minor], ['1', '37']);
  // The admin is a client certificate in system:masters, as kubeadm writes it.
  assert.match(await readFile(cluster.kubeconfigPath, 'utf8'), /client-certificate-data/);
});

test('imperative creates, server-side apply, explain and the wsgw printer columns work', async () => {
  for (const args of [
    ['create', 'namespace', 'shop'],
    ['-n', 'shop', 'create', 'configmap', 'manifest', '--from-literal=OlaresManifest.yaml=options: {}'],
    ['-n', 'shop', 'create', 'deployment', 'shop', '--image=example/shop:1', '--replicas=2'],
    ['apply', '--server-side', '-f', CRD],
  ]) {
    const result = await kubectl(args);
    assert.ok(result.ok, `kubectl ${args.join(' ')}: ${result.out}`);
  }
  assert.equal((await kubectl(['-n', 'shop', 'get', 'configmap', 'manifest', '-o', 'jsonpath={.data.OlaresManifest\\.yaml}'])).out, 'options: {}');
  await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/websocketgateways.tapr.io']);
  // The apiserver publishes a new CRD's OpenAPI a moment after it is established.
  let explain = await kubectl(['explain', 'websocketgateway.spec']);
  for (let tries = 0; !explain.ok && tries < 30; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    explain = await kubectl(['explain', 'websocketgateway.spec']);
  }
  assert.ok(explain.ok, explain.out);
  assert.match(explain.out, /deploymentName\s+<string> -required-/);
  const applied = await kubectl(['apply', '--server-side', '-f', '-'], [
    'apiVersion: tapr.io/v1alpha1', 'kind: WebSocketGateway', 'metadata: {name: shop, namespace: shop}',
    'spec: {deploymentName: shop, manifest: {configMapName: manifest, key: OlaresManifest.yaml}, websocket: {url: /ws, port: 8888}}',
  ].join('\n'));
  assert.ok(applied.ok, applied.out);
  const table = (await kubectl(['get', 'wsgw', '-A'])).out.split('\n');
  assert.match(table[0] ?? '', /^NAMESPACE\s+NAME\s+DEPLOYMENT\s+PORT\s+URL\s+READY\s+CONNECTIONS\s+USERS\s+AGE$/);
  assert.match(table[1] ?? '', /^shop\s+shop\s+shop\s+8888\s+\/ws\s+/);
});

test('auth can-i answers for an impersonated ServiceAccount, before and after a RoleBinding', async () => {
  await kubectl(['create', 'namespace', 'rbac']);
  const as = '--as=system:serviceaccount:rbac:default';
  const before = await kubectl(['-n', 'rbac', 'auth', 'can-i', 'list', 'pods', as]);
  assert.equal(before.ok, false);
  assert.match(before.out, /\(exit 1\): no$/);
  const bound = await kubectl(['-n', 'rbac', 'create', 'rolebinding', 'view', '--clusterrole=view', '--serviceaccount=rbac:default']);
  assert.ok(bound.ok, bound.out);
  const afterBinding = await kubectl(['-n', 'rbac', 'auth', 'can-i', 'list', 'pods', as]);
  // (`view` is filled by ClusterRole aggregation, a controller of the real kube-controller-manager.)
  assert.equal(afterBinding.out.trim(), 'yes');
});
