// A sole replica that loses and regains its Lease (F15): the keys queued meanwhile are reconciled at once after it
// regains it, without waiting for a sampling round first (here a round takes 4 s: one gateway never answers /stats).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseGatewaySettings } from '../../operator/src/injection/gateway-settings.ts';
import { startOperator, type RunningOperator } from '../../operator/src/start-operator.ts';
import {
  createDeployment, createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, OPERATOR_NAMESPACE, startTestCluster,
  testOperatorOptions, uniqueName, type TestCluster,
} from './operator-env.ts';
import { createChatDeployment, IDLE_APP_IMAGE, waitForGatewayPods } from './sampling-env.ts';

const HANGING_GATEWAY_IMAGE = 'tapr/ws-gateway:hang';
const HOSTILE_GATEWAY_ENTRY = join(import.meta.dirname, 'fixtures', 'hostile-gateway.ts');
const IDLE_APP_ENTRY = join(import.meta.dirname, '..', 'cluster', 'fixtures', 'env-printer.ts');
const SAMPLE_TIMEOUT_MS = 4000;

let testCluster: TestCluster | undefined;
let operator: RunningOperator | undefined;
const logs: Record<string, unknown>[] = [];

before(async () => {
  testCluster = await startTestCluster({
    images: {
      [HANGING_GATEWAY_IMAGE]: { command: [process.execPath, HOSTILE_GATEWAY_ENTRY, 'hang'] },
      [IDLE_APP_IMAGE]: { command: [process.execPath, IDLE_APP_ENTRY] },
    },
  });
  const settings = parseGatewaySettings({ image: HANGING_GATEWAY_IMAGE });
  if (!settings.ok) throw new Error(settings.error);
  operator = await startOperator(testOperatorOptions(testCluster.connection, settings.settings, logs, {
    leaderElection: { namespace: OPERATOR_NAMESPACE, name: 'tapr-ws-operator', identity: 'sole', leaseDurationSeconds: 3 },
    sampleIntervalMs: 500, sampleTimeoutMs: SAMPLE_TIMEOUT_MS,
  }));
});

after(async () => {
  await operator?.stop();
  await testCluster?.stop();
});

test('lost and regained: keys queued meanwhile are reconciled at once, not after a sampling round', async (t) => {
  const { api } = testCluster!;
  const running = operator!;
  await eventually('leading', () => (running.isLeader() ? true : undefined), 10_000);
  const namespace = uniqueName('regain');
  await createNamespace(api, namespace);
  await createManifest(api, namespace, 'chat-manifest', manifestText({ url: '/ws/message', port: 8888 }));
  await eventually('the manifest in the operator cache', () => running.informers.configMaps.get(namespace, 'chat-manifest'));
  // One injected pod whose gateway never answers /stats: from now on every sampling round lasts SAMPLE_TIMEOUT_MS.
  await createChatDeployment(api, namespace, 'chat-manifest', 1);
  await waitForGatewayPods(api, namespace, 1, 60_000);
  await eventually('a sampling round with the hanging gateway', () => (running.sampler.counters.failures > 0 ? true : undefined), 20_000);

  // The Lease is lost (the elector stops as after failed renewals, without releasing) ...
  await running.leaderElector!.stop({ release: false });
  assert.equal(running.isLeader(), false);
  // ... and while it is lost, a Deployment arrives (its key is queued, not dropped) ...
  await createDeployment(api, namespace, 'during', 'chat-manifest');
  await eventually('the Deployment in the cache', () => running.informers.deployments.get(namespace, 'during'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await getIfExists(api, gatewayPath(namespace, 'during')), undefined, 'nothing is reconciled without the Lease');
  assert.ok(running.queue.depth >= 1, `the key is kept (depth ${running.queue.depth})`);

  // ... then the Lease is regained: the kept key is reconciled at once.
  running.leaderElector!.start();
  await eventually('leading again', () => (running.isLeader() ? true : undefined), 10_000);
  // Timed from leading, not from start(): acquiring the Lease takes its own time on a loaded machine.
  const regainedAt = Date.now();
  await eventually('the WebSocketGateway of the Deployment created meanwhile', () => getIfExists(api, gatewayPath(namespace, 'during')), 20_000);
  const elapsed = Date.now() - regainedAt;
  t.diagnostic(`reconciled ${elapsed} ms after regaining the Lease (a sampling round takes ${SAMPLE_TIMEOUT_MS} ms)`);
  assert.ok(elapsed < SAMPLE_TIMEOUT_MS * 0.75, `reconciled ${elapsed} ms after regaining the Lease`);
  await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}` });
});
