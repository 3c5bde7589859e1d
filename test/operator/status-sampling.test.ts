// Status sampling end to end on the local cluster (SPEC B4): an opted-in Deployment with 2 replicas runs 2 injected pods
// whose real gateways call the app; 5 clients → status.connections 5 within two sampling intervals, back to 0 when they
// leave; a gateway that stops answering makes Ready=False name its pod; a manifest port change updates the CR spec and
// counts the running pods as outdated; a new leader samples before it writes status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { connect, type RecordingClient } from '../support/ws-client.ts';
import type { RunningOperator } from '../../operator/src/start-operator.ts';
import { condition, eventually, gatewayPath, getIfExists, manifestText, type GatewayObject } from './operator-env.ts';
import { deployChatApp, startSamplingCluster, type GatewayPod, type SamplingCluster } from './sampling-env.ts';

const SAMPLE_INTERVAL_MS = 500;

interface SampledGateway extends GatewayObject {
  status?: GatewayObject['status'] & {
    readyReplicas?: number; injectedReplicas?: number; outdatedReplicas?: number; connections?: number; users?: number;
    pods?: { name: string; ready: boolean; connections?: number; configHash?: string }[];
  };
}


let env: SamplingCluster;
let operator: RunningOperator;
let app: AppServer;
let namespace: string;
let pods: GatewayPod[];

async function readGateway(): Promise<SampledGateway | undefined> {
  return await getIfExists<SampledGateway>(env.api, gatewayPath(namespace, 'chat'));
}

before(async () => {
  env = await startSamplingCluster();
  operator = await env.startOperator({ sampleIntervalMs: SAMPLE_INTERVAL_MS });
  app = await startAppServer({ host: env.appHost });
  ({ namespace, pods } = await deployChatApp(env, operator, 'app', app.port, 30_000));
});

after(async () => {
  await app?.close();
  // Deleting the namespace stops the pods (their gateways) before the cluster goes.
  await env?.stop();
});

test('2 injected pods → readyReplicas 2, Ready=True; 5 clients → connections 5 within two intervals; 0 after they leave', async (t) => {
  for (const pod of pods) {
    assert.deepEqual(pod.spec.initContainers?.map((container) => container.name), ['ws-gateway']);
    assert.match(pod.metadata.annotations?.['tapr.io/injected'] ?? '', /^\S+$/);
  }
  const ready = await eventually('readyReplicas 2 and Ready=True', async () => {
    const gateway = await readGateway();
    return gateway?.status?.readyReplicas === 2 && condition(gateway, 'Ready')?.status === 'True' ? gateway : undefined;
  }, 15_000);
  assert.equal(ready.status?.connections, 0);
  assert.equal(ready.status?.injectedReplicas, 2);
  assert.equal(condition(ready, 'Ready')?.message, '2/2 gateways answered /stats');

  const [first, second] = pods.map((pod) => `ws://${pod.status!.podIP!}:40010/ws`) as [string, string];
  const clients: RecordingClient[] = [];
  const users = [[first, 'alice'], [first, 'alice'], [first, 'bob'], [second, 'carol'], [second, 'carol']] as const;
  for (const [url, user] of users) clients.push(await connect(url, { headers: { 'X-Bfl-User': user } }));
  const connectedAt = Date.now();
  // The gateways call the app (one open callback per client).
  await app.waitForCount((callback) => callback.body.action === 'open', 5, 10_000);
  const counted = await eventually('connections 5', async () => {
    const gateway = await readGateway();
    return gateway?.status?.connections === 5 ? gateway : undefined;
  }, 10_000);
  const elapsed = Date.now() - connectedAt;
  t.diagnostic(`status.connections = 5 after ${elapsed} ms (interval ${SAMPLE_INTERVAL_MS} ms)`);
  // Two intervals, plus time for a reconcile and a loaded 2-core machine.
  assert.ok(elapsed <= 2 * SAMPLE_INTERVAL_MS + 1500, `connections became 5 after ${elapsed} ms`);
  // Without a shared Redis, users are counted per pod: alice and bob on one, carol on the other.
  assert.equal(counted.status?.users, 3);
  assert.deepEqual(counted.status?.pods?.map((pod) => pod.connections).sort(), [2, 3]);
  assert.equal(counted.status?.readyReplicas, 2);

  for (const client of clients) client.socket.close(1000);
  await Promise.all(clients.map((client) => client.closed));
  const drained = await eventually('connections back to 0', async () => {
    const gateway = await readGateway();
    return gateway?.status?.connections === 0 ? gateway : undefined;
  }, 10_000);
  assert.equal(drained.status?.users, 0);
});

test('an unchanged sample writes nothing: the CR keeps its resourceVersion across sampling rounds', async () => {
  const before = await readGateway() as (SampledGateway & { metadata: { resourceVersion: string } }) | undefined;
  const rounds = operator.sampler.counters.rounds;
  await eventually('two more sampling rounds', () => (operator.sampler.counters.rounds >= rounds + 2 ? true : undefined));
  const again = await readGateway() as (SampledGateway & { metadata: { resourceVersion: string } }) | undefined;
  assert.equal(again?.metadata.resourceVersion, before?.metadata.resourceVersion);
});

test('a gateway that stops answering is not ready, and Ready=False names its pod; it recovers when it answers again', async (t) => {
  const [frozen] = pods as [GatewayPod];
  const containerID = frozen.status?.initContainerStatuses?.find((status) => status.name === 'ws-gateway')?.containerID ?? '';
  const pid = Number(/^local:\/\/(\d+)$/.exec(containerID)?.[1]);
  assert.ok(pid > 0, `gateway pid from ${containerID}`);
  // A stopped process keeps its socket open but never answers: the 1 s /stats timeout applies.
  process.kill(pid, 'SIGSTOP');
  t.after(() => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone: nothing to resume
    }
  });
  const unready = await eventually('Ready=False', async () => {
    const gateway = await readGateway();
    return condition(gateway, 'Ready')?.status === 'False' ? gateway : undefined;
  }, 10_000);
  assert.equal(unready.status?.readyReplicas, 1);
  assert.equal(condition(unready, 'Ready')?.reason, 'GatewaysNotReady');
  assert.equal(condition(unready, 'Ready')?.message, `1/2 gateways ready; not ready: ${frozen.metadata.name} (GET /stats: no answer within 1000 ms)`);
  process.kill(pid, 'SIGCONT');
  await eventually('Ready=True again', async () => {
    const gateway = await readGateway();
    return condition(gateway, 'Ready')?.status === 'True' && gateway?.status?.readyReplicas === 2 ? gateway : undefined;
  }, 10_000);
});

test('changing the manifest port: the CR spec follows and the running pods count as outdated', async () => {
  const current = await readGateway();
  assert.equal(current?.status?.outdatedReplicas, 0, 'the running gateways report the current configHash');
  const newPort = app.port === 9999 ? 9998 : 9999;
  await env.api.request({
    method: 'PATCH', path: `/api/v1/namespaces/${namespace}/configmaps/chat-manifest`, patchType: 'merge',
    body: { data: { 'OlaresManifest.yaml': manifestText({ url: '/ws/message', port: newPort }) } },
  });
  const outdated = await eventually('the new port in the spec, its status observed, outdatedReplicas 2', async () => {
    const gateway = await readGateway();
    const observed = gateway?.status?.observedGeneration === gateway?.metadata.generation;
    return gateway?.spec.websocket?.port === newPort && observed && gateway?.status?.outdatedReplicas === 2 ? gateway : undefined;
  }, 10_000);
  assert.ok((outdated.metadata.generation ?? 0) > (current?.metadata.generation ?? 0), 'the spec change bumped the generation');
  // The old pods still run their old configuration and stay ready: nothing restarts them (automatic restarts are off).
  assert.equal(outdated.status?.readyReplicas, 2);
  const hashes = (gateway: SampledGateway | undefined): (string | undefined)[] => (gateway?.status?.pods ?? []).map((pod) => pod.configHash);
  assert.deepEqual(hashes(outdated), hashes(current), 'each pod still reports the configHash it started with');
});

test('a new operator (a new leader) samples before it reconciles: the status it computes is the same, nothing is written', async () => {
  const before = await readGateway() as (SampledGateway & { metadata: { resourceVersion: string } }) | undefined;
  assert.equal(condition(before, 'Ready')?.status, 'True');
  await operator.stop();
  const next = await env.startOperator({
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    leaderElection: { namespace: 'tapr-system', name: 'sampling-test', identity: 'next', leaseDurationSeconds: 2 },
  });
  await eventually('the new operator leading', () => (next.isLeader() ? true : undefined), 10_000);
  // It reconciled every Deployment (this one included) once it had sampled...
  await eventually('reconciles by the new leader', () => (next.counters.reconciles >= 1 && next.queue.depth === 0 && next.queue.inFlight === 0 ? true : undefined));
  const rounds = next.sampler.counters.rounds;
  await eventually('two more rounds', () => (next.sampler.counters.rounds >= rounds + 2 ? true : undefined));
  // ...and found nothing to change: no "not sampled yet" flip of Ready in between.
  const after = await readGateway() as (SampledGateway & { metadata: { resourceVersion: string } }) | undefined;
  assert.equal(after?.metadata.resourceVersion, before?.metadata.resourceVersion);
  assert.equal(condition(after, 'Ready')?.lastTransitionTime, condition(before, 'Ready')?.lastTransitionTime);
});
