// Test support for status sampling and leader election: a local cluster whose node agent runs the real gateway
// (image ghcr.io/tapr-ws/ws-gateway) and an idle app container, the CRD applied, and operators started against it.
import { join } from 'node:path';
import type { Cluster } from '../cluster/start-cluster.ts';
import type { KubeClient } from '../../operator/src/kube/api-client.ts';
import type { KubeConnection } from '../../operator/src/kube/cluster-connection.ts';
import { parseGatewaySettings, type GatewaySettings } from '../../operator/src/injection/gateway-settings.ts';
import { startOperator, type OperatorOptions, type RunningOperator } from '../../operator/src/start-operator.ts';
import { createManifest, createNamespace, eventually, manifestText, startTestCluster, testOperatorOptions, uniqueName } from './operator-env.ts';

/** An app container that runs and stays idle (the cluster's env-printer fixture without PORT): ready once running. */
export const IDLE_APP_IMAGE = 'example/idle-app:1';
const IDLE_APP_ENTRY = join(import.meta.dirname, '..', 'cluster', 'fixtures', 'env-printer.ts');

export interface SamplingCluster {
  cluster: Cluster;
  connection: KubeConnection;
  api: KubeClient;
  settings: GatewaySettings;
  /** Where the tests' app server listens (the gateways' WS_APP_HOST in `settings`). */
  appHost: string;
  /** Starts an operator against this cluster (stopped by stop() unless already stopped). */
  startOperator(overrides?: Partial<OperatorOptions>): Promise<RunningOperator & { logs: Record<string, unknown>[] }>;
  stop(): Promise<void>;
}

export async function startSamplingCluster(): Promise<SamplingCluster> {
  const { cluster, connection, api, stop: stopCluster } = await startTestCluster({
    images: { [IDLE_APP_IMAGE]: { command: [process.execPath, IDLE_APP_ENTRY] } },
    restartBackoffMs: { base: 200, max: 1000 },
  });
  const operators: RunningOperator[] = [];
  // The tests' app records callbacks on the host, so the gateways in pods call it at the host's pod-network address
  // (a real app would be in the pod, at the default 127.0.0.1).
  const appHost = cluster.controlPlane.network.hostIp;
  const parsed = parseGatewaySettings({ image: 'ghcr.io/tapr-ws/ws-gateway:test', env: { WS_APP_HOST: appHost } });
  if (!parsed.ok) throw new Error(parsed.error);
  const settings = parsed.settings;
  return {
    cluster, connection, api, settings, appHost,
    startOperator: async (overrides = {}) => {
      const logs: Record<string, unknown>[] = [];
      const operator = await startOperator(testOperatorOptions(connection, settings, logs, overrides));
      operators.push(operator);
      return Object.assign(operator, { logs });
    },
    stop: async () => {
      for (const operator of operators) await operator.stop();
      await stopCluster();
    },
  };
}

/** The pod fields the sampling tests read. */
export interface GatewayPod {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { initContainers?: { name: string; env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[] };
  status?: { podIP?: string; initContainerStatuses?: { name: string; containerID?: string; state?: { running?: unknown } }[] };
}

/** Deployment `chat` (labels app=chat, tapr.io/manifest=<manifest>) running the idle app with `replicas` pods. */
export async function createChatDeployment(api: KubeClient, namespace: string, manifest: string, replicas: number): Promise<void> {
  await api.request({
    method: 'POST',
    path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'chat' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'chat' } },
        template: {
          metadata: { labels: { app: 'chat', 'tapr.io/manifest': manifest } },
          spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: IDLE_APP_IMAGE }] },
        },
      },
    },
  });
}

/** Waits for `count` pods of app=chat with an IP and a running ws-gateway (native sidecar) container. */
export async function waitForGatewayPods(api: KubeClient, namespace: string, count: number, timeoutMs: number): Promise<GatewayPod[]> {
  return await eventually(`${count} pods whose gateways run`, async () => {
    const list = await api.request<{ items: GatewayPod[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector: 'app=chat' } });
    const running = list.items.filter((pod) => pod.status?.podIP !== undefined
      && pod.status.initContainerStatuses?.some((status) => status.name === 'ws-gateway' && status.state?.running !== undefined) === true);
    return running.length === count ? running : undefined;
  }, timeoutMs);
}

/**
 * A namespace with the chat manifest (calling the app on `appPort`) and a 2-replica `chat` Deployment whose pods run
 * injected gateways. Waits for the manifest in the operator's cache first: the webhook answers from it, and a pod
 * admitted before would not be injected.
 */
export async function deployChatApp(env: SamplingCluster, operator: RunningOperator, prefix: string, appPort: number, podsWithinMs: number): Promise<{ namespace: string; pods: GatewayPod[] }> {
  const namespace = uniqueName(prefix);
  await createNamespace(env.api, namespace);
  await createManifest(env.api, namespace, 'chat-manifest', manifestText({ url: '/ws/message', port: appPort }));
  await eventually('the manifest in the operator cache', () => operator.informers.configMaps.get(namespace, 'chat-manifest'));
  await createChatDeployment(env.api, namespace, 'chat-manifest', 2);
  return { namespace, pods: await waitForGatewayPods(env.api, namespace, 2, podsWithinMs) };
}
