// The restart decision for outdated pods: restart only what is outdated, never for an invalid manifest, never twice for
// the same configHash, one Deployment rolling at a time (including one just patched that the cache does not show yet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../kube/pod.ts';
import {
  buildRestartPatch, decideRestart, findOutdatedPods, findRollingRestarts, isRolloutComplete, readRollout, RestartSkip, type RolloutView,
} from './decide-restart.ts';

function pod(name: string, hash: string | undefined, containers: string[] = ['app']): Pod {
  return {
    metadata: { name, ...(hash === undefined ? {} : { annotations: { 'tapr.io/injected': hash } }) },
    spec: { containers: containers.map((container) => ({ name: container })), ...(hash === undefined ? {} : { initContainers: [{ name: 'ws-gateway' }] }) },
  };
}

function deployment(overrides: { generation?: number; observedGeneration?: number; replicas?: number; updated?: number; available?: number; statusReplicas?: number; annotations?: Record<string, string>; paused?: boolean } = {}): unknown {
  const replicas = overrides.replicas ?? 2;
  return {
    metadata: { name: 'chat', namespace: 'app', generation: overrides.generation ?? 3 },
    spec: { replicas, paused: overrides.paused, template: { metadata: { annotations: overrides.annotations ?? {} } } },
    status: {
      observedGeneration: overrides.observedGeneration ?? overrides.generation ?? 3,
      replicas: overrides.statusReplicas ?? replicas,
      updatedReplicas: overrides.updated ?? replicas,
      availableReplicas: overrides.available ?? replicas,
    },
  };
}

const complete = readRollout('app/chat', deployment());
const outdated = [pod('chat-a', 'old'), pod('chat-b', 'new')];

test('a complete rollout with outdated pods is restarted, naming the outdated pods', () => {
  assert.deepEqual(decideRestart({ rollout: complete, pods: outdated, expectedHash: 'new', rolling: [] }), {
    kind: 'restart', expectedHash: 'new', outdatedPods: ['chat-a'],
  });
});

test('outdated: a different hash or no gateway at all; never a pod carrying the Olares sidecar', () => {
  const pods = [pod('a', 'new'), pod('b', 'old'), pod('c', undefined), pod('d', undefined, ['app', 'olares-ws-sidecar'])];
  assert.deepEqual(findOutdatedPods(pods, 'new'), ['b', 'c']);
});

test('never for an invalid manifest, nothing when every pod is current', () => {
  const invalid = decideRestart({ rollout: complete, pods: outdated, expectedHash: undefined, rolling: [] });
  assert.equal(invalid.kind === 'skip' && invalid.reason, RestartSkip.ManifestInvalid);
  const upToDate = decideRestart({ rollout: complete, pods: [pod('chat-a', 'new')], expectedHash: 'new', rolling: [] });
  assert.equal(upToDate.kind === 'skip' && upToDate.reason, RestartSkip.UpToDate);
});

test('never twice for the same configHash: pods that stay outdated after a restart cause no loop; a newer hash restarts again', () => {
  const restarted = readRollout('app/chat', deployment({ annotations: { 'tapr.io/restartedAt': '2026-11-22T10:00:00Z', 'tapr.io/restarted-for': 'new' } }));
  const again = decideRestart({ rollout: restarted, pods: outdated, expectedHash: 'new', rolling: [] });
  assert.equal(again.kind === 'skip' && again.reason, RestartSkip.AlreadyRestarted);
  assert.equal(decideRestart({ rollout: restarted, pods: outdated, expectedHash: 'newer', rolling: [] }).kind, 'restart');
});

test('a paused Deployment or one whose own rollout runs is left to it', () => {
  const paused = decideRestart({ rollout: readRollout('app/chat', deployment({ paused: true })), pods: outdated, expectedHash: 'new', rolling: [] });
  assert.equal(paused.kind === 'skip' && paused.reason, RestartSkip.Paused);
  const rolling = decideRestart({ rollout: readRollout('app/chat', deployment({ updated: 1 })), pods: outdated, expectedHash: 'new', rolling: [] });
  assert.equal(rolling.kind === 'skip' && rolling.reason, RestartSkip.RolloutInProgress);
  const justPatched = decideRestart({ rollout: complete, pods: outdated, expectedHash: 'new', rolling: ['app/chat'] });
  assert.equal(justPatched.kind === 'skip' && justPatched.reason, RestartSkip.RolloutInProgress);
});

test('waits while another Deployment is rolling', () => {
  assert.deepEqual(decideRestart({ rollout: complete, pods: outdated, expectedHash: 'new', rolling: ['other/web'] }), {
    kind: 'wait', rolling: 'other/web', message: 'waiting for the restart of other/web to complete',
  });
});

test('rollout complete as kubectl rollout status: observed generation, updated, no old pods, available', () => {
  assert.equal(isRolloutComplete(complete), true);
  assert.equal(isRolloutComplete(readRollout('k', deployment({ generation: 4, observedGeneration: 3 }))), false, 'spec not observed yet');
  assert.equal(isRolloutComplete(readRollout('k', deployment({ updated: 1 }))), false, 'not every pod updated');
  assert.equal(isRolloutComplete(readRollout('k', deployment({ statusReplicas: 3 }))), false, 'an old pod is left');
  assert.equal(isRolloutComplete(readRollout('k', deployment({ available: 1 }))), false, 'a new pod is not available yet');
  assert.equal(isRolloutComplete(readRollout('k', deployment({ replicas: 0 }))), true);
});

test('rolling restarts: ours (restartedAt) until complete, and patched ones the cache has not caught up with', () => {
  const view = (key: string, overrides: Parameters<typeof deployment>[0]): RolloutView => readRollout(key, deployment(overrides));
  const rollouts = [
    view('a/ours-rolling', { updated: 1, annotations: { 'tapr.io/restartedAt': 't' } }),
    view('a/ours-done', { annotations: { 'tapr.io/restartedAt': 't' } }),
    view('a/user-rolling', { updated: 1 }),
    view('a/patched', { generation: 3 }),
    view('a/patched-seen', { generation: 4 }),
  ];
  assert.deepEqual(findRollingRestarts(rollouts, new Map([['a/patched', 4], ['a/patched-seen', 4], ['a/deleted', 2]])), ['a/ours-rolling', 'a/patched']);
});

test('the patch sets both annotations and carries the resourceVersion the decision was made on', () => {
  assert.deepEqual(buildRestartPatch({ resourceVersion: '42', restartedAt: '2026-11-22T12:00:00Z', expectedHash: 'h' }), {
    metadata: { resourceVersion: '42' },
    spec: { template: { metadata: { annotations: { 'tapr.io/restartedAt': '2026-11-22T12:00:00Z', 'tapr.io/restarted-for': 'h' } } } },
  });
});
