// computeStatus: counts, sums, outdated pods, conditions and their messages, transition times (SPEC B2, B4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeStatus, type PodObservation, type StatusInputs } from './compute-status.ts';
import type { Condition, GatewayStatus } from './types.ts';

const T0 = new Date('2025-01-02T03:04:05.678Z');
const T1 = new Date('2025-01-02T03:04:15.000Z');
const HASH = 'aaaaaaaaaaaaaaaa';
const OLD = 'bbbbbbbbbbbbbbbb';

const readyPod = (name: string, connections: number, users: number, configHash = HASH): PodObservation =>
  ({ name, injected: true, injectedHash: configHash, sample: { kind: 'stats', connections, users, configHash } });

function inputs(overrides: Partial<StatusInputs> = {}): StatusInputs {
  return {
    namespace: 'apps',
    generation: 3,
    manifest: { kind: 'websocket', url: '/ws/message', port: 8888 },
    currentConfigHash: HASH,
    pods: [readyPod('chat-b', 9, 3), readyPod('chat-a', 8, 2)],
    previous: undefined,
    now: T0,
    ...overrides,
  };
}

function condition(status: GatewayStatus, type: string): Condition {
  const found = status.conditions.find((candidate) => candidate.type === type);
  assert.ok(found, `condition ${type}`);
  return found;
}

test('all pods ready: counts, sums, pods sorted by name, three True conditions', () => {
  const status = computeStatus(inputs());
  assert.deepEqual(status, {
    observedGeneration: 3,
    replicas: 2,
    injectedReplicas: 2,
    readyReplicas: 2,
    readyText: '2/2',
    outdatedReplicas: 0,
    connections: 17,
    users: 5,
    pods: [
      { name: 'chat-a', injected: true, ready: true, connections: 8, users: 2, configHash: HASH },
      { name: 'chat-b', injected: true, ready: true, connections: 9, users: 3, configHash: HASH },
    ],
    lastSampleTime: '2025-01-02T03:04:05Z',
    conditions: [
      { type: 'Ready', status: 'True', reason: 'AllGatewaysReady', message: '2/2 gateways answered /stats', observedGeneration: 3, lastTransitionTime: '2025-01-02T03:04:05Z' },
      { type: 'ManifestValid', status: 'True', reason: 'ManifestValid', message: 'options.websocket: url /ws/message, port 8888', observedGeneration: 3, lastTransitionTime: '2025-01-02T03:04:05Z' },
      { type: 'Injected', status: 'True', reason: 'AllPodsInjected', message: '2/2 pods carry the gateway', observedGeneration: 3, lastTransitionTime: '2025-01-02T03:04:05Z' },
    ],
  });
});

test('an unreachable gateway is not ready, and Ready=False names the pod and why', () => {
  const status = computeStatus(inputs({
    pods: [readyPod('chat-a', 4, 1), { name: 'chat-b', injected: true, injectedHash: HASH, sample: { kind: 'error', message: 'connect ECONNREFUSED 10.0.0.7:40010' } }],
  }));
  assert.equal(status.readyReplicas, 1);
  assert.equal(status.readyText, '1/2');
  assert.equal(status.connections, 4);
  assert.equal(status.users, 1);
  assert.deepEqual(status.pods[1], { name: 'chat-b', injected: true, ready: false, configHash: HASH, message: 'connect ECONNREFUSED 10.0.0.7:40010' });
  const ready = condition(status, 'Ready');
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'GatewaysNotReady');
  assert.equal(ready.message, '1/2 gateways ready; not ready: chat-b (connect ECONNREFUSED 10.0.0.7:40010)');
});

test('a pod not sampled yet is not ready', () => {
  const status = computeStatus(inputs({ pods: [{ name: 'chat-a', injected: true, injectedHash: HASH }] }));
  assert.equal(condition(status, 'Ready').message, '0/1 gateways ready; not ready: chat-a (not sampled yet)');
});

test('pods without the gateway: Injected=False names them, and they count as outdated', () => {
  const status = computeStatus(inputs({ pods: [readyPod('chat-a', 1, 1), { name: 'chat-old', injected: false }] }));
  assert.equal(status.injectedReplicas, 1);
  assert.equal(status.outdatedReplicas, 1);
  assert.deepEqual(status.pods[1], { name: 'chat-old', injected: false, ready: false, message: 'no gateway in this pod' });
  const injected = condition(status, 'Injected');
  assert.deepEqual([injected.status, injected.reason, injected.message], ['False', 'PodsNotInjected', '1/2 pods carry the gateway; without it: chat-old']);
});

test('pods carrying the Olares sidecar: Injected=False with its own reason and message, not PodsNotInjected (F16)', () => {
  const olares = computeStatus(inputs({ pods: [{ name: 'chat-o', injected: false, olaresSidecar: true }] }));
  const injected = condition(olares, 'Injected');
  assert.deepEqual([injected.status, injected.reason, injected.message], [
    'False', 'OlaresSidecarPresent', '0/1 pods carry the gateway; 1 carries the Olares sidecar olares-ws-sidecar instead (left alone): chat-o',
  ]);
  assert.deepEqual(olares.pods[0], { name: 'chat-o', injected: false, ready: false, message: 'no gateway in this pod: it carries the Olares sidecar olares-ws-sidecar' });
  // Mixed with a pod that simply has no gateway: PodsNotInjected names that one, and says which carry the Olares sidecar.
  const mixed = condition(computeStatus(inputs({
    pods: [readyPod('chat-a', 0, 0), { name: 'chat-b', injected: false }, { name: 'chat-c', injected: false, olaresSidecar: true }, { name: 'chat-d', injected: false, olaresSidecar: true }],
  })), 'Injected');
  assert.deepEqual([mixed.reason, mixed.message], [
    'PodsNotInjected', '1/4 pods carry the gateway; without it: chat-b; 2 more carry the Olares sidecar olares-ws-sidecar instead (left alone): chat-c, chat-d',
  ]);
});

test('outdated: the configHash reported by /stats wins over the annotation; unsampled pods use the annotation', () => {
  const status = computeStatus(inputs({
    pods: [
      readyPod('a', 0, 0, OLD),
      { name: 'b', injected: true, injectedHash: HASH, sample: { kind: 'stats', connections: 0, users: 0, configHash: OLD } },
      { name: 'c', injected: true, injectedHash: OLD, sample: { kind: 'error', message: 'timeout' } },
      readyPod('d', 0, 0),
    ],
  }));
  assert.equal(status.outdatedReplicas, 3);
});

test('without a current configHash nothing is outdated', () => {
  const status = computeStatus(inputs({ currentConfigHash: undefined, manifest: { kind: 'none' }, pods: [{ name: 'a', injected: false }] }));
  assert.equal(status.outdatedReplicas, 0);
  const manifest = condition(status, 'ManifestValid');
  assert.deepEqual([manifest.status, manifest.reason], ['True', 'NoWebSocketBlock']);
});

test('no pods: Ready and Injected are False with NoPods, readyText 0/0', () => {
  const status = computeStatus(inputs({ pods: [] }));
  assert.equal(status.readyText, '0/0');
  assert.deepEqual([condition(status, 'Ready').status, condition(status, 'Ready').reason], ['False', 'NoPods']);
  assert.deepEqual([condition(status, 'Injected').status, condition(status, 'Injected').reason], ['False', 'NoPods']);
});

test('an invalid manifest: ManifestValid=False with a message naming the field', () => {
  const status = computeStatus(inputs({ manifest: { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got "abc"' } }));
  const manifest = condition(status, 'ManifestValid');
  assert.deepEqual([manifest.status, manifest.reason, manifest.message],
    ['False', 'ManifestInvalid', 'options.websocket.port: expected an integer from 1 to 65535, got "abc"']);
});

test('a missing manifest ConfigMap: ManifestValid=False, ManifestMissing', () => {
  const status = computeStatus(inputs({ manifest: { kind: 'missing', configMapName: 'chat-manifest', key: 'OlaresManifest.yaml' } }));
  const manifest = condition(status, 'ManifestValid');
  assert.deepEqual([manifest.status, manifest.reason, manifest.message],
    ['False', 'ManifestMissing', 'ConfigMap chat-manifest with key OlaresManifest.yaml was not found in namespace apps']);
});

test('the Ready message lists five pods, then a count', () => {
  const pods = Array.from({ length: 8 }, (_, index) => ({ name: `p${index}`, injected: true, sample: { kind: 'error' as const, message: 'timeout' } }));
  assert.equal(condition(computeStatus(inputs({ pods })), 'Ready').message,
    '0/8 gateways ready; not ready: p0 (timeout), p1 (timeout), p2 (timeout), p3 (timeout), p4 (timeout) and 3 more');
});

test('lastTransitionTime stays while a status holds and moves when it flips', () => {
  const first = computeStatus(inputs());
  const same = computeStatus(inputs({ previous: first, now: T1, pods: [readyPod('chat-a', 100, 50), readyPod('chat-b', 1, 1)] }));
  assert.equal(condition(same, 'Ready').lastTransitionTime, '2025-01-02T03:04:05Z');
  const flipped = computeStatus(inputs({ previous: same, now: T1, pods: [readyPod('chat-a', 1, 1), { name: 'chat-b', injected: true, sample: { kind: 'error', message: 'timeout' } }] }));
  assert.equal(condition(flipped, 'Ready').lastTransitionTime, '2025-01-02T03:04:15Z');
  assert.equal(condition(flipped, 'ManifestValid').lastTransitionTime, '2025-01-02T03:04:05Z');
  assert.equal(condition(flipped, 'Injected').lastTransitionTime, '2025-01-02T03:04:05Z');
});

test('a reason change without a status flip keeps lastTransitionTime; observedGeneration follows the generation', () => {
  const first = computeStatus(inputs({ manifest: { kind: 'invalid', field: 'x', message: 'y' } }));
  const second = computeStatus(inputs({ previous: first, now: T1, generation: 4, manifest: { kind: 'missing', configMapName: 'c', key: 'k' } }));
  const manifest = condition(second, 'ManifestValid');
  assert.equal(manifest.reason, 'ManifestMissing');
  assert.equal(manifest.lastTransitionTime, '2025-01-02T03:04:05Z');
  assert.equal(manifest.observedGeneration, 4);
  assert.equal(second.observedGeneration, 4);
});

test('the input pod list is not reordered', () => {
  const pods = [readyPod('z', 0, 0), readyPod('a', 0, 0)];
  computeStatus(inputs({ pods }));
  assert.deepEqual(pods.map((pod) => pod.name), ['z', 'a']);
});

test('users: the distinct union across replicas when the gateways share Redis, the per-pod sum otherwise', () => {
  const shared = (name: string, users: number, sharedUsers: number): PodObservation =>
    ({ name, injected: true, injectedHash: HASH, sample: { kind: 'stats', connections: 2, users, configHash: HASH, sharedUsers } });
  // alice on both pods, bob on one: 3 per-pod users, 2 distinct; a lagging replica still reports 1.
  const status = computeStatus(inputs({ pods: [shared('chat-a', 2, 2), shared('chat-b', 1, 1)] }));
  assert.equal(status.users, 2);
  assert.deepEqual(status.pods.map((pod) => pod.users), [2, 1]);
  assert.equal(computeStatus(inputs({ pods: [readyPod('chat-a', 2, 2), readyPod('chat-b', 2, 1)] })).users, 3);
  // Just after connections open the union (recounted per heartbeat) lags: a pod's own users are a lower bound.
  assert.equal(computeStatus(inputs({ pods: [shared('chat-a', 2, 0), shared('chat-b', 1, 0)] })).users, 2);
});

test('users never exceed connections: a lagging shared-users count is bounded by the fresher connection samples', () => {
  const lagging = (name: string, connections: number, users: number, sharedUsers: number): PodObservation =>
    ({ name, injected: true, injectedHash: HASH, sample: { kind: 'stats', connections, users, configHash: HASH, sharedUsers } });
  // bob closed his tab on chat-b; the backplane union still counts alice and bob until the next heartbeat.
  const status = computeStatus(inputs({ pods: [lagging('chat-a', 1, 1, 2), lagging('chat-b', 0, 0, 2)] }));
  assert.equal(status.connections, 1);
  assert.equal(status.users, 1);
  // Everyone gone, one replica's union not yet recounted.
  const empty = computeStatus(inputs({ pods: [lagging('chat-a', 0, 0, 1), lagging('chat-b', 0, 0, 2)] }));
  assert.deepEqual([empty.connections, empty.users], [0, 0]);
  // An unready pod's users are not counted either way: no connections are known, so no users.
  const unready = computeStatus(inputs({ pods: [lagging('chat-a', 0, 0, 2), { name: 'chat-b', injected: true, injectedHash: HASH, sample: { kind: 'error', message: 'timeout' } }] }));
  assert.deepEqual([unready.connections, unready.users], [0, 0]);
});
