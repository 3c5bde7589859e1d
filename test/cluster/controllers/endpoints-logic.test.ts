// Unit tests: Endpoints subsets from a Service and pods (readiness, named and numeric target ports, terminating pods).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../patch/json-value.ts';
import { buildEndpointSubsets } from './endpoints-logic.ts';

function pod(name: string, ip: string, ready: boolean, port = 8080, extra: JsonObject = {}): JsonObject {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...extra },
    spec: { nodeName: 'local-node', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

test('ready pods are addresses, unready ones notReadyAddresses; a named targetPort resolves per pod', () => {
  const svc = { spec: { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }] } };
  const subsets = buildEndpointSubsets(svc, [pod('b', '127.1.0.2', true), pod('a', '127.1.0.1', false), pod('other', '127.1.0.3', true, 9090)]);
  assert.deepEqual(subsets, [
    {
      addresses: [{ ip: '127.1.0.2', nodeName: 'local-node', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } }],
      notReadyAddresses: [{ ip: '127.1.0.1', nodeName: 'local-node', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }],
      ports: [{ port: 8080, protocol: 'TCP', name: 'web' }],
    },
    { addresses: [{ ip: '127.1.0.3', nodeName: 'local-node', targetRef: { kind: 'Pod', namespace: 'ns', name: 'other', uid: 'uid-other' } }], ports: [{ port: 9090, protocol: 'TCP', name: 'web' }] },
  ]);
});

test('pods without an IP, terminating pods and pods outside the selector are left out; numeric targetPort is used as is', () => {
  const svc = { spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 7000 }] } };
  const noIp = pod('x', '', true);
  const terminating = pod('t', '127.1.0.9', true, 8080, { deletionTimestamp: '2026-01-01T00:00:00Z' });
  const foreign = pod('f', '127.1.0.8', true, 8080, { labels: { app: 'db' } });
  assert.deepEqual(buildEndpointSubsets(svc, [noIp, terminating, foreign, pod('ok', '127.1.0.7', true)]).map((s) => s.ports), [[{ port: 7000, protocol: 'TCP' }]]);
});
