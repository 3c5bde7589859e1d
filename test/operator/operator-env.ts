// Test support for operator tests: a local cluster with the WebSocketGateway CRD applied and the operator running
// against it (informers, queue, reconciler, webhook registered with a URL to itself), plus small API helpers.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { load } from 'js-yaml';
import { startCluster, type Cluster, type StartClusterOptions } from '../cluster/start-cluster.ts';
import { createApiClient, type ApiClient, type KubeClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText, type KubeConnection } from '../../operator/src/kube/cluster-connection.ts';
import { parseGatewaySettings, type GatewaySettings } from '../../operator/src/injection/gateway-settings.ts';
import { startOperator, type OperatorOptions, type RunningOperator } from '../../operator/src/start-operator.ts';

// Tests read objects that may be gone with the operator's own helper.
export { getIfExists } from '../../operator/src/kube/api-client.ts';

export const OPERATOR_NAMESPACE = 'tapr-system';
const CRD_PATH = join(import.meta.dirname, '..', '..', 'crds', 'websocketgateways.tapr.io.yaml');

export interface OperatorEnv {
  cluster: Cluster;
  connection: KubeConnection;
  api: KubeClient;
  operator: RunningOperator;
  settings: GatewaySettings;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export function testSettings(): GatewaySettings {
  const parsed = parseGatewaySettings({ image: 'tapr/ws-gateway:test' });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.settings;
}

/** Applies the CRD as raw JSON (client-node's typed CRD model drops `default:`). */
export async function applyCrd(api: ApiClient): Promise<void> {
  const crd = load(await readFile(CRD_PATH, 'utf8'));
  await api.request({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: crd });
}

/** The options every test operator runs with: a webhook URL to itself, fast backoffs, logs kept in memory. */
export function testOperatorOptions(connection: KubeConnection, settings: GatewaySettings, logs: Record<string, unknown>[], overrides: Partial<OperatorOptions> = {}): OperatorOptions {
  return {
    kubeconfig: connection,
    namespace: OPERATOR_NAMESPACE,
    settings,
    nativeSidecars: true,
    webhook: { kind: 'url', host: '127.0.0.1', port: 0 },
    informerBackoff: { initialMs: 100, maxMs: 1000 },
    queue: { baseDelayMs: 20, maxDelayMs: 1000 },
    log: (entry) => logs.push(entry),
    ...overrides,
  };
}

export interface TestCluster {
  cluster: Cluster;
  connection: KubeConnection;
  api: KubeClient;
  /** Stops the cluster and removes its state directory. */
  stop: () => Promise<void>;
}

/** A local cluster with the WebSocketGateway CRD applied and the operator's namespace created. */
export async function startTestCluster(options: Pick<StartClusterOptions, 'images' | 'restartBackoffMs'> = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-operator-'));
  const cluster = await startCluster({ dir, onNodeAgentError: () => {}, ...options });
  const connection = await connectWithKubeconfigText(cluster.kubeconfig, dir);
  const api = createApiClient(connection);
  const stop = async (): Promise<void> => {
    api.close();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await applyCrd(api);
    await createNamespace(api, OPERATOR_NAMESPACE);
  } catch (error) {
    await stop();
    throw error;
  }
  return { cluster, connection, api, stop };
}

export async function startOperatorEnv(overrides: Partial<OperatorOptions> = {}): Promise<OperatorEnv> {
  const { cluster, connection, api, stop: stopCluster } = await startTestCluster();
  const logs: Record<string, unknown>[] = [];
  const settings = testSettings();
  let operator: RunningOperator;
  try {
    operator = await startOperator(testOperatorOptions(connection, settings, logs, overrides));
  } catch (error) {
    await stopCluster();
    throw error;
  }
  return {
    cluster, connection, api, operator, settings, logs,
    stop: async () => {
      await operator.stop();
      await stopCluster();
    },
  };
}

export async function createNamespace(api: ApiClient, name: string): Promise<void> {
  await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export function manifestText(websocket: { url: string; port: number | string } | undefined): string {
  const header = 'olaresManifest.version: "0.8.0"\nmetadata:\n  name: chat\n';
  if (websocket === undefined) return header;
  return `${header}options:\n  websocket:\n    url: ${websocket.url}\n    port: ${websocket.port}\n`;
}

export async function createManifest(api: ApiClient, namespace: string, name: string, text: string): Promise<void> {
  await api.request({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { 'OlaresManifest.yaml': text } },
  });
}

export async function createDeployment(api: ApiClient, namespace: string, name: string, manifest: string | undefined): Promise<{ metadata: { uid: string } }> {
  const labels: Record<string, string> = { app: name, ...(manifest === undefined ? {} : { 'tapr.io/manifest': manifest }) };
  return await api.request({
    method: 'POST',
    path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'chat:1', ports: [{ containerPort: 8888 }] }] } },
      },
    },
  });
}

/** Polls `check` until it returns something other than undefined; the last value seen is in the timeout error. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface GatewayObject {
  metadata: { name: string; uid: string; generation?: number; ownerReferences?: Record<string, unknown>[] };
  spec: { deploymentName: string; manifest: { configMapName: string; key: string }; websocket?: { url: string; port: number } };
  status?: { observedGeneration?: number; replicas?: number; conditions?: { type: string; status: string; reason: string; message: string; lastTransitionTime: string }[] };
}

export function gatewayPath(namespace: string, name: string): string {
  return `/apis/tapr.io/v1alpha1/namespaces/${namespace}/websocketgateways/${name}`;
}

export function condition(gateway: GatewayObject | undefined, type: string): { status: string; reason: string; message: string; lastTransitionTime: string } | undefined {
  return gateway?.status?.conditions?.find((candidate) => candidate.type === type);
}
