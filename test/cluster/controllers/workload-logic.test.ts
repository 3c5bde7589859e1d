// Unit tests: pod-template-hash, maxSurge/maxUnavailable, rolling-update steps, deployment status, scale-down order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentStatus, podTemplateHash, resolveIntOrPercent, rollingStep, scaleDownOrder, surgeAndUnavailable } from './workload-logic.ts';

test('pod-template-hash is stable, independent of key order, and changes with the template', () => {
  const a = podTemplateHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'i' }] } });
  const b = podTemplateHash({ spec: { containers: [{ image: 'i', name: 'a' }] }, metadata: { labels: { app: 'x' } } });
  assert.equal(a, b);
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(a, podTemplateHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'j' }] } }));
  assert.notEqual(a, podTemplateHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'i' }] } }, 1), 'collisionCount changes it');
});

test('maxSurge rounds up and maxUnavailable rounds down; both zero means one unavailable', () => {
  assert.deepEqual(surgeAndUnavailable({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, 3), { maxSurge: 1, maxUnavailable: 0 });
  assert.deepEqual(surgeAndUnavailable({ rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }, 3), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(surgeAndUnavailable({ rollingUpdate: { maxSurge: 2, maxUnavailable: '50%' } }, 4), { maxSurge: 2, maxUnavailable: 2 });
  assert.equal(resolveIntOrPercent('10%', 5, true, 0), 1);
  assert.equal(resolveIntOrPercent('10%', 5, false, 0), 0);
});

test('a rolling step surges the new ReplicaSet, then scales old ones down only while availability holds', () => {
  const strategy = { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  const first = rollingStep(2, strategy, { name: 'new', replicas: 0, available: 0, creationTimestamp: 'b' }, [{ name: 'old', replicas: 2, available: 2, creationTimestamp: 'a' }]);
  assert.equal(first.newReplicas, 1, 'one surge pod');
  assert.equal(first.old.get('old'), 2, 'no old pod goes before a new one is available');
  const second = rollingStep(2, strategy, { name: 'new', replicas: 1, available: 1, creationTimestamp: 'b' }, [{ name: 'old', replicas: 2, available: 2, creationTimestamp: 'a' }]);
  assert.equal(second.old.get('old'), 1);
  const unhealthy = rollingStep(2, strategy, { name: 'new', replicas: 1, available: 0, creationTimestamp: 'b' }, [{ name: 'old', replicas: 2, available: 1, creationTimestamp: 'a' }]);
  assert.equal(unhealthy.old.get('old'), 2, 'nothing to spare while the new pod is unavailable');
  const maxUnavail = rollingStep(4, { rollingUpdate: { maxSurge: 0, maxUnavailable: 2 } }, { name: 'new', replicas: 0, available: 0, creationTimestamp: 'b' }, [{ name: 'old', replicas: 4, available: 4, creationTimestamp: 'a' }]);
  assert.equal(maxUnavail.old.get('old'), 2, 'maxUnavailable lets two old pods go at once');
  assert.equal(maxUnavail.newReplicas, 0, 'no surge room yet');
});

test('deployment status sums ReplicaSets and sets Available/Progressing', () => {
  const base = { desired: 2, generation: 3, strategy: { type: 'RollingUpdate' }, newRsSpecReplicas: 2, previousConditions: [], now: 'T', newRsName: 'web-abc', paused: false };
  const done = deploymentStatus({ ...base, newRs: { replicas: 2, readyReplicas: 2, availableReplicas: 2 }, allRs: [{ replicas: 2, readyReplicas: 2, availableReplicas: 2 }], oldSpecReplicas: 0 });
  assert.equal(done.observedGeneration, 3);
  assert.equal(done.unavailableReplicas, undefined);
  assert.deepEqual((done.conditions as { type: string; reason: string }[]).map((c) => [c.type, c.reason]), [['Available', 'MinimumReplicasAvailable'], ['Progressing', 'NewReplicaSetAvailable']]);
  const rolling = deploymentStatus({ ...base, newRs: { replicas: 1, readyReplicas: 0, availableReplicas: 0 }, allRs: [{ replicas: 1, readyReplicas: 0, availableReplicas: 0 }], oldSpecReplicas: 0 });
  assert.equal(rolling.unavailableReplicas, 2);
  assert.equal(rolling.availableReplicas, undefined, 'zero counts are omitted');
  assert.deepEqual((rolling.conditions as { type: string; status: string; reason: string }[]).map((c) => [c.type, c.status, c.reason]), [['Available', 'False', 'MinimumReplicasUnavailable'], ['Progressing', 'True', 'ReplicaSetUpdated']]);
});

test('scale-down picks unscheduled, then pending, then unready, then the newest pods', () => {
  const pod = (name: string, node: boolean, phase: string, ready: boolean, created: string): Record<string, unknown> => ({
    metadata: { name, creationTimestamp: created }, spec: node ? { nodeName: 'n' } : {},
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const order = scaleDownOrder([pod('old-ready', true, 'Running', true, '1'), pod('new-ready', true, 'Running', true, '2'), pod('unready', true, 'Running', false, '0'),
    pod('pending', true, 'Pending', false, '0'), pod('unscheduled', false, 'Pending', false, '0')] as never).map((p) => (p.metadata as { name: string }).name);
  assert.deepEqual(order, ['unscheduled', 'pending', 'unready', 'new-ready', 'old-ready']);
});
