// The admin's install path on the local Kubernetes (the real control plane plus the node agent that runs pods):
// `helm install` of the chart with its default values, the operator running as 2 pods from the chart's Deployment
// (the image map runs operator/src/main.ts for the operator image) with only its ServiceAccount's RBAC and in-cluster
// config; the API server calls its webhook through the chart's Service (at the pods' IPs, --enable-aggregator-routing),
// an opted-in app is injected and its WebSocketGateway turns Ready. Then `helm upgrade` to one replica and another
// status interval, which the running operator picks up, and `helm uninstall`, after which the app keeps its gateway.
// Every request the API server refuses (403, from its audit log) to the operator fails the test naming verb and resource.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster, type Cluster } from '../cluster/start-cluster.ts';
import { describeForbidden, readForbiddenRequests } from '../cluster/upstream/audit-log.ts';
import { createApiClient, getIfExists, type KubeClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import { runHelmRelease } from './support/helm.ts';
import { DEFAULT_NAMESPACE, findObject, renderChart } from './support/render-chart.ts';
import type { KubeObject } from './support/parse-manifests.ts';

const IDLE_APP_IMAGE = 'example/idle-app:1';
const IDLE_APP_ENTRY = join(import.meta.dirname, '..', 'cluster', 'fixtures', 'env-printer.ts');
const OPERATOR_USER_PREFIX = `system:serviceaccount:${DEFAULT_NAMESPACE}:`;
const APP_NAMESPACE = 'shop';
const UPGRADE_VALUES = ['replicaCount=1', 'statusInterval=2s'];
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/websocketgateways.tapr.io';

interface ContainerShape { name: string; restartPolicy?: string }
interface PodObject {
  metadata: { name: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { initContainers?: ContainerShape[]; containers: ContainerShape[]; serviceAccountName?: string };
  status?: {
    phase?: string; podIP?: string; conditions?: { type: string; status: string }[];
    initContainerStatuses?: { name: string; ready?: boolean; state?: { running?: unknown } }[];
  };
}
interface GatewayObject {
  status?: { readyReplicas?: number; injectedReplicas?: number; conditions?: { type: string; status: string; reason: string; message: string }[] };
}
interface LeaseObject { metadata: { name: string }; spec?: { holderIdentity?: string } }

let dir: string;
let cluster: Cluster;
let api: KubeClient;
let rendered: KubeObject[];
let operatorDeploymentName: string;
let operatorSelector: string;

/** Fails naming every request the API server refused to the operator's ServiceAccount, as its audit log has them. */
async function assertNoDenials(): Promise<void> {
  const refused = (await readForbiddenRequests(cluster.controlPlane.auditLogPath!))
    .filter((request) => request.user.startsWith(OPERATOR_USER_PREFIX));
  assert.deepEqual([...new Set(refused.map(describeForbidden))], [], 'the chart\'s RBAC must allow everything the operator does (kube-apiserver answered 403)');
}

async function listPods(namespace: string, selector: string): Promise<PodObject[]> {
  const list = await api.request<{ items: PodObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}` });
  return list.items;
}

async function podLog(namespace: string, name: string): Promise<string> {
  const text = await api.request<unknown>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${name}/log` });
  return typeof text === 'string' ? text : JSON.stringify(text);
}

/** The operator pods' last log lines, for a failure message. */
async function operatorLogs(): Promise<string> {
  const parts: string[] = [];
  for (const pod of await listPods(DEFAULT_NAMESPACE, operatorSelector).catch(() => [])) {
    const text = await podLog(DEFAULT_NAMESPACE, pod.metadata.name).catch((error: unknown) => String(error));
    parts.push(`--- ${pod.metadata.name} (${pod.status?.phase ?? '?'})\n${text.split('\n').slice(-15).join('\n')}`);
  }
  return parts.join('\n');
}

/** Polls until `check` returns a value; a timeout names RBAC denials first, then shows the operator's logs. */
async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      await assertNoDenials();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await operatorLogs()}`);
    }
    await sleep(250);
  }
}

const isReady = (pod: PodObject): boolean =>
  pod.metadata.deletionTimestamp === undefined && pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;

async function heldLeases(): Promise<LeaseObject[]> {
  const leases = await api.request<{ items: LeaseObject[] }>({ method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${DEFAULT_NAMESPACE}/leases` });
  return leases.items.filter((lease) => (lease.spec?.holderIdentity ?? '') !== '');
}

before(async () => {
  rendered = await renderChart();
  const deployment = findObject(rendered, 'Deployment');
  operatorDeploymentName = deployment.metadata.name;
  const matchLabels = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  operatorSelector = Object.entries(matchLabels).map(([key, value]) => `${key}=${value}`).join(',');
  dir = await mkdtemp(join(tmpdir(), 'tapr-install-'));
  cluster = await startCluster({
    dir,
    faultProxy: false,
    auditLog: true,
    images: { [IDLE_APP_IMAGE]: { command: [process.execPath, IDLE_APP_ENTRY] } },
    restartBackoffMs: { base: 200, max: 2000 },
    onNodeAgentError: () => {},
  });
  api = createApiClient(await connectWithKubeconfigText(cluster.kubeconfig, dir));
}, { timeout: 300_000 });

after(async () => {
  api?.close();
  await cluster?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('helm install: the chart\'s operator Deployment becomes available with 2 replicas under its own ServiceAccount', { timeout: 200_000 }, async () => {
  const { stdout } = await runHelmRelease({
    action: 'install', kubeconfigPath: cluster.kubeconfigPath, namespace: DEFAULT_NAMESPACE, createNamespace: true, wait: true, timeoutSeconds: 150,
  });
  assert.match(stdout, /STATUS: deployed/);
  const path = `/apis/apps/v1/namespaces/${DEFAULT_NAMESPACE}/deployments/${operatorDeploymentName}`;
  const available = await waitUntil('2 available operator replicas', async () => {
    const current = await getIfExists<{ status?: { availableReplicas?: number } }>(api, path);
    return current?.status?.availableReplicas === 2 ? current : undefined;
  }, 60_000);
  assert.equal(available.status?.availableReplicas, 2);
  const pods = (await listPods(DEFAULT_NAMESPACE, operatorSelector)).filter(isReady);
  assert.equal(pods.length, 2);
  const serviceAccount = findObject(rendered, 'ServiceAccount').metadata.name;
  for (const pod of pods) {
    assert.equal(pod.spec.serviceAccountName, serviceAccount, `${pod.metadata.name} runs as the chart's ServiceAccount`);
    assert.match(pod.status?.podIP ?? '', /^198\.1[89]\./, `${pod.metadata.name} has an address on the pod network`);
    // In-cluster config: the operator found the API server from the mounted token and KUBERNETES_SERVICE_* variables.
    assert.match(await podLog(DEFAULT_NAMESPACE, pod.metadata.name), /"kubeconfig":"in-cluster/);
  }
  // One replica leads (holds the Lease); both serve the webhook.
  const leases = await waitUntil('a held Lease', async () => ((await heldLeases()).length > 0 ? heldLeases() : undefined), 30_000);
  assert.equal(leases.length, 1);
  assert.ok(pods.some((pod) => leases[0]!.spec!.holderIdentity!.startsWith(`${pod.metadata.name}-`)), `the Lease is held by an operator pod: ${leases[0]!.spec!.holderIdentity}`);
  await assertNoDenials();
});

test('an opted-in app is injected through the webhook\'s Service and its WebSocketGateway turns Ready', { timeout: 150_000 }, async () => {
  await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APP_NAMESPACE } } });
  await api.request({
    method: 'POST', path: `/api/v1/namespaces/${APP_NAMESPACE}/configmaps`,
    body: {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-manifest' },
      data: { 'OlaresManifest.yaml': 'olaresManifest.version: "0.8.0"\nmetadata:\n  name: shop\noptions:\n  websocket:\n    url: /ws/message\n    port: 8080\n' },
    },
  });
  // The webhook answers from the operator's caches: wait until the self-managed caBundle is in and a replica saw the manifest
  // (a pod created too early is admitted unchanged, by design).
  const webhookName = findObject(rendered, 'MutatingWebhookConfiguration').metadata.name;
  type WebhookConfiguration = { metadata: { labels?: Record<string, string> }; webhooks?: { clientConfig?: { caBundle?: string; url?: string; service?: { name: string; namespace: string } } }[] };
  const configuration = await waitUntil('the webhook configuration with a caBundle', async () => {
    const current = await getIfExists<WebhookConfiguration>(api, `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${webhookName}`);
    return current?.webhooks?.every((webhook) => (webhook.clientConfig?.caBundle ?? '') !== '') === true ? current : undefined;
  }, 30_000);
  // The operator filled in what the chart rendered empty, keeping the chart's labels (helm upgrade/uninstall find them).
  assert.match(configuration.metadata.labels?.['helm.sh/chart'] ?? '', /^tapr-ws-/);
  const secret = await api.request<{ metadata: { labels?: Record<string, string> }; data?: Record<string, string> }>({ method: 'GET', path: `/api/v1/namespaces/${DEFAULT_NAMESPACE}/secrets/tapr-ws-webhook-tls` });
  assert.match(secret.metadata.labels?.['helm.sh/chart'] ?? '', /^tapr-ws-/);
  assert.ok(Object.keys(secret.data ?? {}).includes('tls.crt'), 'the operator wrote its serving certificate into the chart\'s Secret');
  // The API server reaches the webhook through the chart's Service (no URL), i.e. at the endpoints of the operator pods.
  const service = configuration.webhooks?.[0]?.clientConfig?.service;
  assert.equal(configuration.webhooks?.[0]?.clientConfig?.url, undefined);
  assert.equal(service?.namespace, DEFAULT_NAMESPACE);
  const operatorIps = (await listPods(DEFAULT_NAMESPACE, operatorSelector)).filter(isReady).map((pod) => pod.status?.podIP).sort();
  await waitUntil(`the Service ${service?.name}'s endpoints at the operator pods' IPs`, async () => {
    const slices = await api.request<{ items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] }>({
      method: 'GET', path: `/apis/discovery.k8s.io/v1/namespaces/${DEFAULT_NAMESPACE}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service?.name}`)}`,
    });
    const ready = slices.items.flatMap((slice) => slice.endpoints ?? []).filter((endpoint) => endpoint.conditions?.ready !== false).flatMap((endpoint) => endpoint.addresses).sort();
    return JSON.stringify(ready) === JSON.stringify(operatorIps) ? true : undefined;
  }, 30_000);
  await sleep(1000);
  await api.request({
    method: 'POST', path: `/apis/apps/v1/namespaces/${APP_NAMESPACE}/deployments`,
    body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop', 'tapr.io/manifest': 'shop-manifest' } },
          spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: IDLE_APP_IMAGE }] },
        },
      },
    },
  });
  const pods = await waitUntil('2 injected app pods', async () => {
    const list = await listPods(APP_NAMESPACE, 'app=shop');
    return list.length === 2 ? list : undefined;
  }, 30_000);
  for (const pod of pods) {
    const gateway = pod.spec.initContainers?.find((container) => container.name === 'ws-gateway');
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((container) => container.name);
    assert.ok(gateway !== undefined, `pod ${pod.metadata.name} has no ws-gateway init container: ${containers.join(', ')}`);
    assert.equal(gateway.restartPolicy, 'Always', 'the gateway is a native sidecar (Kubernetes 1.37)');
    assert.match(pod.metadata.annotations?.['tapr.io/injected'] ?? '', /\S/);
  }
  const gateway = await waitUntil('WebSocketGateway shop Ready=True', async () => {
    const current = await getIfExists<GatewayObject>(api, `/apis/tapr.io/v1alpha1/namespaces/${APP_NAMESPACE}/websocketgateways/shop`);
    return current?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True' ? current : undefined;
  }, 90_000);
  assert.equal(gateway.status?.readyReplicas, 2);
  await assertNoDenials();
});

test('helm upgrade to one replica and a 2 s status interval: the new operator pod leads with it and still injects', { timeout: 200_000 }, async () => {
  await runHelmRelease({ action: 'upgrade', kubeconfigPath: cluster.kubeconfigPath, namespace: DEFAULT_NAMESPACE, set: UPGRADE_VALUES });
  // The Deployment rolls (the pod template's environment changed) and scales to 1: one pod, running the new settings.
  const [pod] = await waitUntil('a single ready operator pod with the new status interval', async () => {
    const pods = await listPods(DEFAULT_NAMESPACE, operatorSelector);
    if (pods.length !== 1 || !isReady(pods[0]!)) return undefined;
    return /"msg":"operator ready"[^\n]*"statusIntervalMs":2000|"statusIntervalMs":2000[^\n]*"msg":"operator ready"/.test(await podLog(DEFAULT_NAMESPACE, pods[0]!.metadata.name)) ? pods : undefined;
  }, 150_000);
  assert.ok(pod !== undefined);
  await waitUntil(`the Lease held by ${pod.metadata.name}`, async () => {
    const leases = await heldLeases();
    return leases.length === 1 && leases[0]!.spec!.holderIdentity!.startsWith(`${pod.metadata.name}-`) ? true : undefined;
  }, 60_000);
  assert.equal(await getIfExists(api, `/apis/policy/v1/namespaces/${DEFAULT_NAMESPACE}/poddisruptionbudgets/${findObject(rendered, 'PodDisruptionBudget').metadata.name}`), undefined,
    'one replica: the upgrade deleted the PodDisruptionBudget');
  // The one replica serves the webhook: a replacement app pod is injected.
  const [victim] = await listPods(APP_NAMESPACE, 'app=shop');
  await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${APP_NAMESPACE}/pods/${victim!.metadata.name}` });
  const replacement = await waitUntil('a replacement app pod', async () =>
    (await listPods(APP_NAMESPACE, 'app=shop')).find((candidate) => candidate.metadata.name !== victim!.metadata.name && candidate.metadata.deletionTimestamp === undefined), 30_000);
  assert.ok(replacement.spec.initContainers?.some((container) => container.name === 'ws-gateway'), `${replacement.metadata.name} is injected after the upgrade`);
  await waitUntil('WebSocketGateway shop with 2 ready replicas again', async () => {
    const current = await getIfExists<GatewayObject>(api, `/apis/tapr.io/v1alpha1/namespaces/${APP_NAMESPACE}/websocketgateways/shop`);
    return current?.status?.readyReplicas === 2 && current.status.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True' ? true : undefined;
  }, 60_000);
  await assertNoDenials();
});

test('helm uninstall removes the release\'s objects and the operator; the CRD stays and running apps keep their gateway', { timeout: 150_000 }, async () => {
  const appPods = await waitUntil('2 ready app pods', async () => {
    const ready = (await listPods(APP_NAMESPACE, 'app=shop')).filter(isReady);
    return ready.length === 2 ? ready : undefined;
  }, 30_000);
  await assertNoDenials();
  const upgraded = (await renderChart({ set: UPGRADE_VALUES })).map((object) => ({ ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? DEFAULT_NAMESPACE } }));
  const { stdout } = await runHelmRelease({ action: 'uninstall', kubeconfigPath: cluster.kubeconfigPath, namespace: DEFAULT_NAMESPACE });
  assert.match(stdout, /release "tapr-ws" uninstalled/);
  for (const object of upgraded) {
    const kind = object.kind.toLowerCase();
    await waitUntil(`${object.kind}/${object.metadata.name} deleted`, async () => {
      const { stdout: found } = await cluster.kubectl(['get', kind, object.metadata.name, '--ignore-not-found', '-o', 'name', ...(['clusterrole', 'clusterrolebinding', 'mutatingwebhookconfiguration'].includes(kind) ? [] : ['-n', object.metadata.namespace])]);
      return found.trim() === '' ? true : undefined;
    }, 60_000);
  }
  await waitUntil('no operator pods', async () => ((await listPods(DEFAULT_NAMESPACE, operatorSelector)).length === 0 ? true : undefined), 60_000);
  assert.ok((await getIfExists(api, CRD_PATH)) !== undefined, 'Helm never deletes what crds/ installed');
  assert.ok((await getIfExists(api, `/apis/tapr.io/v1alpha1/namespaces/${APP_NAMESPACE}/websocketgateways/shop`)) !== undefined, 'the WebSocketGateway outlives the release');
  // The app pods were not touched: the same pods, each with its gateway running.
  await sleep(2000);
  const after = await listPods(APP_NAMESPACE, 'app=shop');
  assert.deepEqual(after.map((pod) => pod.metadata.uid).sort(), appPods.map((pod) => pod.metadata.uid).sort());
  for (const pod of after) {
    assert.ok(isReady(pod), `${pod.metadata.name} is still Ready`);
    const status = pod.status?.initContainerStatuses?.find((container) => container.name === 'ws-gateway');
    assert.ok(status?.state?.running !== undefined && status.ready === true, `${pod.metadata.name}'s ws-gateway still runs: ${JSON.stringify(status)}`);
  }
  // No denial check from here: Helm deletes the Role and RoleBinding while the operator pod is still terminating,
  // so its last Lease renewals are refused (403), as on any cluster.
});
