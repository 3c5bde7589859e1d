// The admin's Helm commands on the real control plane (kube-apiserver 1.37): `helm install` creates the CRD and every
// object of the render, `helm upgrade` with other values changes, adds and removes objects, `helm uninstall` removes
// them and leaves the CRD (Helm never deletes crds/) with the WebSocketGateways in it. There is no node, so the
// operator's pods never run: the assertions are on API objects only, and no command uses --wait.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../cluster/upstream/control-plane.ts';
import { createApiClient, getIfExists, type KubeClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import { runHelmChecked, runHelmRelease } from './support/helm.ts';
import type { KubeObject } from './support/parse-manifests.ts';
import { operatorContainer } from './support/pod-template.ts';
import { DEFAULT_NAMESPACE, DEFAULT_RELEASE, findObject, renderChart, type RenderOptions } from './support/render-chart.ts';
import { createResourceLocator, type ResourceLocator } from './support/resource-paths.ts';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/websocketgateways.tapr.io';
const UPGRADE_VALUES = ['replicaCount=1', 'logLevel=debug', 'networkPolicy.enabled=true'];

let dir: string;
let controlPlane: ControlPlane;
let api: KubeClient;
let locator: ResourceLocator;

interface ClusterObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec?: Record<string, unknown>;
  webhooks?: { clientConfig: { service?: { name: string; namespace: string }; caBundle?: string } }[];
  status?: { conditions?: { type: string; status: string }[] };
}

interface HelmRelease { name: string; namespace: string; revision: string; status: string; chart: string; app_version: string }

/** The chart rendered for the release as the tests install it: objects without a namespace are in the release's. */
async function renderRelease(options: RenderOptions = {}): Promise<KubeObject[]> {
  const objects = await renderChart(options);
  return objects.map((object) => ({ ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? DEFAULT_NAMESPACE } }));
}

async function getObject(object: KubeObject): Promise<ClusterObject | undefined> {
  return getIfExists<ClusterObject>(api, (await locator.pathsOf(object)).item);
}

/** Polls until `check` returns a value, failing after `timeoutMs` with what it was waiting for. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

/** Every rendered object is in the cluster and labelled as Helm's, for this release. */
async function assertReleased(objects: readonly KubeObject[]): Promise<void> {
  for (const object of objects) {
    const label = `${object.kind}/${object.metadata.name}`;
    const current = await getObject(object);
    assert.ok(current !== undefined, `${label} was not created`);
    assert.equal(current.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm', `${label}: managed-by`);
    assert.equal(current.metadata.annotations?.['meta.helm.sh/release-name'], DEFAULT_RELEASE, `${label}: release-name`);
    assert.equal(current.metadata.annotations?.['meta.helm.sh/release-namespace'], DEFAULT_NAMESPACE, `${label}: release-namespace`);
  }
}

async function helmList(): Promise<HelmRelease[]> {
  const { stdout } = await runHelmChecked(['list', '--namespace', DEFAULT_NAMESPACE, '--kubeconfig', controlPlane.kubeconfigPath, '--output', 'json']);
  return JSON.parse(stdout) as HelmRelease[];
}

function operatorEnv(deployment: ClusterObject): Record<string, string | undefined> {
  const container = operatorContainer(deployment as unknown as KubeObject);
  return Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value]));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapr-helm-lifecycle-'));
  controlPlane = await startControlPlane({ dir });
  api = createApiClient(await connectWithKubeconfigText(controlPlane.kubeconfig, dir));
  locator = createResourceLocator(api);
}, { timeout: 300_000 });

after(async () => {
  api?.close();
  await controlPlane?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('helm install creates the CRD, RBAC, webhook configuration, Secret, Deployment and Services of the render', async () => {
  const { stdout } = await runHelmRelease({ action: 'install', kubeconfigPath: controlPlane.kubeconfigPath, namespace: DEFAULT_NAMESPACE, createNamespace: true });
  assert.match(stdout, /STATUS: deployed/);
  assert.match(stdout, /tapr-ws operator 0\.1\.0 is installed in namespace tapr-system \(2 replica\(s\), certificates: self-managed\)/, 'NOTES.txt renders');

  const crd = await waitFor('the CRD Established', async () => {
    const current = await getIfExists<ClusterObject>(api, CRD_PATH);
    return current?.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True') === true ? current : undefined;
  });
  assert.equal(crd.metadata.labels?.['app.kubernetes.io/managed-by'], undefined, 'crds/ is installed as is, not as a release object');

  const rendered = await renderRelease();
  assert.deepEqual(
    [...new Set(rendered.map((object) => object.kind))].sort(),
    ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'MutatingWebhookConfiguration', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Secret', 'Service', 'ServiceAccount'],
  );
  await assertReleased(rendered);

  const webhooks = (await getObject(findObject(rendered, 'MutatingWebhookConfiguration')))?.webhooks ?? [];
  assert.deepEqual(webhooks.map((webhook) => webhook.clientConfig.service?.namespace), [DEFAULT_NAMESPACE]);
  assert.equal(webhooks[0]?.clientConfig.caBundle, undefined, 'no caBundle until the operator writes one');

  // kube-controller-manager acts on the Deployment: a ReplicaSet for 2 pods (which stay Pending: there is no node).
  const deploymentName = findObject(rendered, 'Deployment').metadata.name;
  const replicaSet = await waitFor('the Deployment\'s ReplicaSet', async () => {
    const list = await api.request<{ items: ClusterObject[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${DEFAULT_NAMESPACE}/replicasets` });
    return list.items.find((item) => item.metadata.ownerReferences?.some((owner) => owner.kind === 'Deployment' && owner.name === deploymentName));
  });
  assert.equal(replicaSet.spec?.replicas, 2);

  const releases = await helmList();
  assert.deepEqual(releases.map(({ name, revision, status, chart, app_version }) => ({ name, revision, status, chart, app_version })),
    [{ name: DEFAULT_RELEASE, revision: '1', status: 'deployed', chart: 'tapr-ws-0.1.0', app_version: '0.1.0' }]);
});

test('helm upgrade with other values updates the Deployment, adds the NetworkPolicy and removes the PodDisruptionBudget', async () => {
  const installed = await renderRelease();
  await runHelmRelease({ action: 'upgrade', kubeconfigPath: controlPlane.kubeconfigPath, namespace: DEFAULT_NAMESPACE, set: UPGRADE_VALUES });
  const rendered = await renderRelease({ set: UPGRADE_VALUES });
  await assertReleased(rendered);

  const deployment = await getObject(findObject(rendered, 'Deployment'));
  assert.ok(deployment !== undefined);
  assert.equal(deployment.spec?.replicas, 1);
  assert.equal(operatorEnv(deployment).OPERATOR_LOG_LEVEL, 'debug');
  assert.ok(rendered.some((object) => object.kind === 'NetworkPolicy'));

  const removed = installed.filter((object) => !rendered.some((candidate) => candidate.kind === object.kind && candidate.metadata.name === object.metadata.name));
  assert.deepEqual(removed.map((object) => object.kind), ['PodDisruptionBudget'], 'one replica: no PodDisruptionBudget');
  for (const object of removed) assert.equal(await getObject(object), undefined, `${object.kind}/${object.metadata.name} is deleted by the upgrade`);

  const [release] = await helmList();
  assert.equal(release?.revision, '2');
  assert.equal(release?.status, 'deployed');
});

test('helm uninstall removes every release object; the CRD and the WebSocketGateways stay', async () => {
  await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } });
  const gatewayPath = '/apis/tapr.io/v1alpha1/namespaces/shop/websocketgateways/shop';
  await api.request({
    method: 'POST', path: '/apis/tapr.io/v1alpha1/namespaces/shop/websocketgateways',
    body: { apiVersion: 'tapr.io/v1alpha1', kind: 'WebSocketGateway', metadata: { name: 'shop' }, spec: { deploymentName: 'shop' } },
  });

  const rendered = await renderRelease({ set: UPGRADE_VALUES });
  const { stdout } = await runHelmRelease({ action: 'uninstall', kubeconfigPath: controlPlane.kubeconfigPath, namespace: DEFAULT_NAMESPACE });
  assert.match(stdout, /release "tapr-ws" uninstalled/);
  for (const object of rendered) {
    await waitFor(`${object.kind}/${object.metadata.name} deleted`, async () => ((await getObject(object)) === undefined ? true : undefined));
  }
  assert.deepEqual(await helmList(), []);
  assert.ok((await getIfExists(api, CRD_PATH)) !== undefined, 'Helm never deletes what crds/ installed');
  assert.ok((await getIfExists(api, gatewayPath)) !== undefined, 'the WebSocketGateway outlives the release');
});
