// The admin's install path on the local cluster: the chart rendered with its default values and applied as is, the
// operator running as 2 pods from it (image map: the operator image runs operator/src/main.ts) with only its
// ServiceAccount's RBAC; an opted-in app is then injected and its WebSocketGateway turns Ready. Any RBAC denial for
// the operator fails the test naming the verb and the resource.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLegacyCluster as startCluster, type LegacyCluster as Cluster } from '../cluster/start-legacy-cluster.ts';
import type { Attributes } from '../cluster/auth/rbac.ts';
import { createApiClient, getIfExists, type KubeClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import { createApplier } from './support/apply-objects.ts';
import { DEFAULT_NAMESPACE, renderChart } from './support/render-chart.ts';
import type { KubeObject } from './support/parse-manifests.ts';

const IDLE_APP_IMAGE = 'example/idle-app:1';
const IDLE_APP_ENTRY = join(import.meta.dirname, '..', 'cluster', 'fixtures', 'env-printer.ts');
const OPERATOR_USER_PREFIX = `system:serviceaccount:${DEFAULT_NAMESPACE}:`;

interface PodObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { initContainers?: { name: string }[]; containers: { name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}
interface GatewayObject {
  status?: { readyReplicas?: number; injectedReplicas?: number; conditions?: { type: string; status: string; reason: string; message: string }[] };
}

let dir: string;
let cluster: Cluster;
let api: KubeClient;
let rendered: KubeObject[];
const denials: string[] = [];

function describeDenial(attrs: Attributes): string {
  if (attrs.kind === 'nonResource') return `${attrs.user.username} may not ${attrs.verb} ${attrs.path}`;
  const resource = `${attrs.resource}${attrs.subresource === undefined ? '' : `/${attrs.subresource}`}${attrs.apiGroup === '' ? '' : `.${attrs.apiGroup}`}`;
  const where = attrs.namespace === undefined ? 'cluster-wide' : `in namespace ${attrs.namespace}`;
  return `RBAC denied ${attrs.user.username}: ${attrs.verb} ${resource}${attrs.name === undefined ? '' : ` "${attrs.name}"`} ${where}`;
}

function assertNoDenials(): void {
  assert.deepEqual([...new Set(denials)], [], 'the chart\'s RBAC must allow everything the operator does');
}

/** The operator pods' logs, for a failure message. */
async function operatorLogs(): Promise<string> {
  const pods = await api.request<{ items: PodObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${DEFAULT_NAMESPACE}/pods` });
  const parts: string[] = [];
  for (const pod of pods.items) {
    const text = await api.request<string>({ method: 'GET', path: `/api/v1/namespaces/${DEFAULT_NAMESPACE}/pods/${pod.metadata.name}/log` }).catch((error: unknown) => String(error));
    parts.push(`--- ${pod.metadata.name}\n${typeof text === 'string' ? text.split('\n').slice(-15).join('\n') : JSON.stringify(text)}`);
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
      assertNoDenials();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await operatorLogs()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

before(async () => {
  rendered = await renderChart({ includeCrds: true });
  dir = await mkdtemp(join(tmpdir(), 'tapr-install-'));
  cluster = await startCluster({
    dir,
    onControllerError: () => {},
    images: { [IDLE_APP_IMAGE]: { command: [process.execPath, IDLE_APP_ENTRY] } },
    restartBackoffMs: { base: 200, max: 2000 },
    onAuthorizationDenied: (attrs) => {
      if (attrs.user.username.startsWith(OPERATOR_USER_PREFIX)) denials.push(describeDenial(attrs));
    },
  });
  api = createApiClient(await connectWithKubeconfigText(cluster.kubeconfig, dir));
  const applier = createApplier(api);
  // `helm install --create-namespace`: the namespace first, then CRDs (helm installs crds/ before templates), then the rest.
  await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEFAULT_NAMESPACE } } });
  const crds = rendered.filter((object) => object.kind === 'CustomResourceDefinition');
  await applier.apply(crds);
  await applier.apply(rendered.filter((object) => object.kind !== 'CustomResourceDefinition').map((object) => ({
    ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? DEFAULT_NAMESPACE },
  })));
});

after(async () => {
  api?.close();
  await cluster?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('the chart\'s operator Deployment becomes available with 2 replicas under its own ServiceAccount', async () => {
  const deployment = rendered.find((object) => object.kind === 'Deployment')!;
  const path = `/apis/apps/v1/namespaces/${DEFAULT_NAMESPACE}/deployments/${deployment.metadata.name}`;
  const available = await waitUntil('2 available operator replicas', async () => {
    const current = await getIfExists<{ status?: { availableReplicas?: number } }>(api, path);
    return current?.status?.availableReplicas === 2 ? current : undefined;
  }, 60_000);
  assert.equal(available.status?.availableReplicas, 2);
  // One replica leads (holds the Lease); both serve the webhook.
  const leases = await api.request<{ items: { spec?: { holderIdentity?: string } }[] }>({ method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${DEFAULT_NAMESPACE}/leases` });
  assert.equal(leases.items.filter((lease) => (lease.spec?.holderIdentity ?? '') !== '').length, 1);
  assertNoDenials();
});

test('an opted-in app is injected through the chart\'s webhook and its WebSocketGateway turns Ready', async () => {
  const namespace = 'shop';
  await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } });
  await api.request({
    method: 'POST', path: `/api/v1/namespaces/${namespace}/configmaps`,
    body: {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-manifest' },
      data: { 'OlaresManifest.yaml': 'olaresManifest.version: "0.8.0"\nmetadata:\n  name: shop\noptions:\n  websocket:\n    url: /ws/message\n    port: 8080\n' },
    },
  });
  // The webhook answers from the operator's caches: wait until the self-managed caBundle is in and a replica saw the manifest
  // (a pod created too early is admitted unchanged, by design).
  await waitUntil('the webhook configuration with a caBundle', async () => {
    const configurations = await api.request<{ items: { webhooks?: { clientConfig?: { caBundle?: string } }[] }[] }>({ method: 'GET', path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations' });
    return configurations.items.some((configuration) => configuration.webhooks?.some((webhook) => (webhook.clientConfig?.caBundle ?? '') !== '') === true) ? true : undefined;
  }, 30_000);
  // The operator filled in what the chart rendered empty, keeping the chart's labels (helm upgrade/uninstall find them).
  const configuration = await api.request<{ metadata: { labels?: Record<string, string> } }>({ method: 'GET', path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/tapr-ws' });
  assert.match(configuration.metadata.labels?.['helm.sh/chart'] ?? '', /^tapr-ws-/);
  const secret = await api.request<{ metadata: { labels?: Record<string, string> }; data?: Record<string, string> }>({ method: 'GET', path: `/api/v1/namespaces/${DEFAULT_NAMESPACE}/secrets/tapr-ws-webhook-tls` });
  assert.match(secret.metadata.labels?.['helm.sh/chart'] ?? '', /^tapr-ws-/);
  assert.ok(Object.keys(secret.data ?? {}).includes('tls.crt'), 'the operator wrote its serving certificate into the chart\'s Secret');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await api.request({
    method: 'POST', path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
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
    const list = await api.request<{ items: PodObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods?labelSelector=app%3Dshop` });
    return list.items.length === 2 ? list.items : undefined;
  }, 30_000);
  for (const pod of pods) {
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((container) => container.name);
    assert.ok(containers.includes('ws-gateway'), `pod ${pod.metadata.name} has no ws-gateway container: ${containers.join(', ')}`);
    assert.match(pod.metadata.annotations?.['tapr.io/injected'] ?? '', /\S/);
  }
  const gateway = await waitUntil('WebSocketGateway shop Ready=True', async () => {
    const current = await getIfExists<GatewayObject>(api, `/apis/tapr.io/v1alpha1/namespaces/${namespace}/websocketgateways/shop`);
    return current?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True' ? current : undefined;
  }, 60_000);
  assert.equal(gateway.status?.readyReplicas, 2);
  assertNoDenials();
});
