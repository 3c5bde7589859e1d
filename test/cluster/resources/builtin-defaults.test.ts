// Unit tests for built-in defaulting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBuiltinDefaults } from './builtin-defaults.ts';
import type { JsonObject } from '../patch/json-value.ts';

const ctx = { allocateClusterIP: (): string => '127.96.0.10' };

test('pods get spec defaults and Pending status', () => {
  const pod: JsonObject = { spec: { containers: [{ name: 'a', image: 'app:1.2', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'b' }] } };
  applyBuiltinDefaults('pods', pod, true, ctx);
  const spec = pod.spec as { restartPolicy: string; containers: { imagePullPolicy: string; ports?: { protocol: string }[] }[] };
  assert.equal(spec.restartPolicy, 'Always');
  assert.deepEqual(spec.containers.map((c) => c.imagePullPolicy), ['IfNotPresent', 'Always']);
  assert.equal(spec.containers[0]!.ports![0]!.protocol, 'TCP');
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('secrets fold stringData into data; services get a cluster IP and targetPort', () => {
  const secret: JsonObject = { stringData: { token: 'abc' } };
  applyBuiltinDefaults('secrets', secret, true, ctx);
  assert.deepEqual(secret, { type: 'Opaque', data: { token: 'YWJj' } });
  const svc: JsonObject = { spec: { ports: [{ port: 80 }] } };
  applyBuiltinDefaults('services', svc, true, ctx);
  assert.deepEqual((svc.spec as JsonObject).ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal((svc.spec as JsonObject).clusterIP, '127.96.0.10');
});
