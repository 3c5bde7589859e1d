// Restarting pods whose injected gateway config is outdated (--restart-outdated) on the local cluster, with the real
// gateway in the pods: after a gateway setting changes, an operator with the option off only counts the outdated pods;
// one with it on rolls both Deployments (one at a time) to pods injected with the new configHash, records an Event,
// counts the restarts, and does not restart again once the pods are current.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewaySettings, type GatewaySettings } from '../../operator/src/injection/gateway-settings.ts';
import { computeAppConfigHash } from '../../operator/src/injection/app-config-hash.ts';
import { isRolloutComplete, readRollout } from '../../operator/src/controller/decide-restart.ts';
import { createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, uniqueName } from './operator-env.ts';
import { IDLE_APP_IMAGE, startSamplingCluster, type SamplingCluster } from './sampling-env.ts';

const SAMPLE_INTERVAL_MS = 500;
const WEBSOCKET = { url: '/ws/message', port: 8888 };

interface PodObject {
  metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { initContainers?: { name: string }[] };
  status?: { phase?: string; initContainerStatuses?: { name: string; state?: { running?: unknown } }[] };
}

interface DeploymentObject {
  metadata: { name: string; generation: number };
  spec: { template: { metadata?: { annotations?: Record<string, string> } } };
}

let env: SamplingCluster;
let namespace: string;
let newSettings: GatewaySettings;
/** Pod names per Deployment once both run the original config. */
const original = new Map<string, string[]>();

async function livePods(app: string): Promise<PodObject[]> {
  const list = await env.api.request<{ items: PodObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector: `app=${app}` } });
  return list.items.filter((pod) => pod.metadata.deletionTimestamp === undefined);
}

function gatewayRunning(pod: PodObject): boolean {
  return pod.status?.initContainerStatuses?.some((status) => status.name === 'ws-gateway' && status.state?.running !== undefined) === true;
}

async function readDeployment(name: string): Promise<DeploymentObject & Record<string, unknown>> {
  return await env.api.request({ method: 'GET', path: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}` });
}

async function outdatedReplicas(name: string): Promise<number | undefined> {
  const gateway = await getIfExists<{ status?: { outdatedReplicas?: number } }>(env.api, gatewayPath(namespace, name));
  return gateway?.status?.outdatedReplicas;
}

async function restartEvents(): Promise<{ involvedObject: { name: string }; reason: string; message: string }[]> {
  const list = await env.api.request<{ items: { involvedObject: { name: string }; reason: string; message: string }[] }>({
    method: 'GET', path: `/api/v1/namespaces/${namespace}/events`,
  });
  return list.items.filter((event) => event.reason === 'RestartingOutdatedPods');
}

async function createApp(name: string, replicas: number): Promise<void> {
  await env.api.request({
    method: 'POST',
    path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name, 'tapr.io/manifest': 'manifest' } },
          spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: IDLE_APP_IMAGE }] },
        },
      },
    },
  });
}

before(async () => {
  env = await startSamplingCluster();
  const parsed = parseGatewaySettings({ ...env.settings, env: { WS_MAX_CONNECTIONS: '500' } });
  if (!parsed.ok) throw new Error(parsed.error);
  newSettings = parsed.settings;
  namespace = uniqueName('restart');
  await createNamespace(env.api, namespace);
  await createManifest(env.api, namespace, 'manifest', manifestText(WEBSOCKET));
  const first = await env.startOperator({ sampleIntervalMs: SAMPLE_INTERVAL_MS });
  await eventually('the manifest in the operator cache', () => first.informers.configMaps.get(namespace, 'manifest'));
  await createApp('chat', 2);
  await createApp('feed', 1);
  for (const [app, replicas] of [['chat', 2], ['feed', 1]] as const) {
    const pods = await eventually(`${replicas} injected ${app} pods running and the rollout complete`, async () => {
      const live = await livePods(app);
      if (live.length !== replicas || !live.every(gatewayRunning)) return undefined;
      return isRolloutComplete(readRollout(app, await readDeployment(app))) ? live : undefined;
    }, 60_000);
    original.set(app, pods.map((pod) => pod.metadata.name).sort());
  }
  await first.stop();
});

after(async () => {
  await env?.stop();
});

test('with --restart-outdated off, a changed gateway setting only counts the pods as outdated', async () => {
  const operator = await env.startOperator({ settings: newSettings, sampleIntervalMs: SAMPLE_INTERVAL_MS });
  try {
    await eventually('outdatedReplicas 2', async () => ((await outdatedReplicas('chat')) === 2 ? true : undefined), 20_000);
    const generation = (await readDeployment('chat')).metadata.generation;
    // Several sampling rounds and reconciles later, nothing was restarted.
    await new Promise((resolve) => setTimeout(resolve, 4 * SAMPLE_INTERVAL_MS));
    assert.deepEqual((await livePods('chat')).map((pod) => pod.metadata.name).sort(), original.get('chat'));
    assert.equal((await readDeployment('chat')).metadata.generation, generation);
    assert.equal(await outdatedReplicas('feed'), 1);
    assert.deepEqual(await restartEvents(), []);
    assert.equal(operator.counters.outdatedRestarts, 0);
  } finally {
    await operator.stop();
  }
});

test('with --restart-outdated on, both Deployments are rolled one at a time to pods with the new configHash, once', async () => {
  const expected = (app: string): string | undefined => computeAppConfigHash(newSettings, { namespace, deploymentName: app, ...WEBSOCKET });
  // Watch the Deployments while the operator works: never two restarts rolling at once.
  const overlaps: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const rolling: string[] = [];
      for (const app of ['chat', 'feed']) {
        const deployment = await readDeployment(app);
        const rollout = readRollout(app, deployment);
        if (rollout.restartedAt !== undefined && !isRolloutComplete(rollout)) rolling.push(app);
      }
      if (rolling.length > 1) overlaps.push(rolling.join('+'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const operator = await env.startOperator({ settings: newSettings, sampleIntervalMs: SAMPLE_INTERVAL_MS, restartOutdated: true });
  try {
    for (const [app, replicas] of [['chat', 2], ['feed', 1]] as const) {
      const pods = await eventually(`${app}: ${replicas} new pods with the new configHash and the rollout complete`, async () => {
        const live = await livePods(app);
        if (live.length !== replicas || !live.every((pod) => gatewayRunning(pod) && pod.metadata.annotations?.['tapr.io/injected'] === expected(app))) return undefined;
        return isRolloutComplete(readRollout(app, await readDeployment(app))) ? live : undefined;
      }, 90_000);
      assert.equal(pods.filter((pod) => original.get(app)?.includes(pod.metadata.name)).length, 0, `${app}: every old pod was replaced`);
      await eventually(`${app}: outdatedReplicas 0`, async () => ((await outdatedReplicas(app)) === 0 ? true : undefined), 20_000);
      const template = (await readDeployment(app)).spec.template.metadata?.annotations ?? {};
      assert.equal(template['tapr.io/restarted-for'], expected(app));
      assert.match(template['tapr.io/restartedAt'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const events = await restartEvents();
    assert.deepEqual(events.map((event) => event.involvedObject.name).sort(), ['chat', 'feed']);
    assert.match(events.find((event) => event.involvedObject.name === 'chat')?.message ?? '', /^restarting 2 of 2 pod\(s\) whose gateway config is outdated/);
    assert.deepEqual(overlaps, [], 'two restarts rolled at the same time');
    // Current pods: no second restart.
    const generations = [(await readDeployment('chat')).metadata.generation, (await readDeployment('feed')).metadata.generation];
    await new Promise((resolve) => setTimeout(resolve, 4 * SAMPLE_INTERVAL_MS));
    assert.deepEqual([(await readDeployment('chat')).metadata.generation, (await readDeployment('feed')).metadata.generation], generations);
    assert.equal(operator.counters.outdatedRestarts, 2);
  } finally {
    watching = false;
    await watcher;
    await operator.stop();
  }
});
