import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeForbidden, parseForbiddenRequests } from './audit-log.ts';

const event = (fields: Record<string, unknown>): string => JSON.stringify({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', stage: 'ResponseComplete', ...fields,
});

test('only 403 responses are returned, once per request, with the object they named', () => {
  const log = [
    event({
      auditID: 'a', verb: 'update', requestURI: '/apis/coordination.k8s.io/v1/namespaces/tapr-system/leases/tapr-ws-operator',
      user: { username: 'system:serviceaccount:tapr-system:tapr-ws' },
      objectRef: { resource: 'leases', namespace: 'tapr-system', name: 'tapr-ws-operator', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
      responseStatus: { metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403 },
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
    }),
    event({ auditID: 'a', stage: 'ResponseStarted', verb: 'update', responseStatus: { code: 403 } }),
    event({ auditID: 'b', verb: 'get', requestURI: '/api/v1/pods', user: { username: 'x' }, objectRef: { resource: 'pods' }, responseStatus: { code: 200 } }),
    event({
      auditID: 'c', verb: 'get', requestURI: '/metrics', user: { username: 'system:anonymous' }, responseStatus: { code: 403 },
    }),
    '{"kind":"Event","auditID":"d","stage":"ResponseComp', // a line still being written
    '',
  ].join('\n');
  assert.deepEqual(parseForbiddenRequests(log), [
    {
      auditId: 'a', user: 'system:serviceaccount:tapr-system:tapr-ws', verb: 'update',
      path: '/apis/coordination.k8s.io/v1/namespaces/tapr-system/leases/tapr-ws-operator',
      resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'tapr-system', name: 'tapr-ws-operator',
    },
    { auditId: 'c', user: 'system:anonymous', verb: 'get', path: '/metrics' },
  ]);
});

test('a refused request is described by user, verb, resource with its group and subresource, name and scope', () => {
  const [lease, status, metrics, namespace] = parseForbiddenRequests([
    event({
      auditID: '1', verb: 'create', requestURI: '/apis/coordination.k8s.io/v1/namespaces/tapr-system/leases', user: { username: 'sa' },
      objectRef: { resource: 'leases', namespace: 'tapr-system', apiGroup: 'coordination.k8s.io' }, responseStatus: { code: 403 },
    }),
    event({
      auditID: '2', verb: 'patch', requestURI: '/apis/tapr.io/v1alpha1/websocketgateways', user: { username: 'sa' },
      objectRef: { resource: 'websocketgateways', subresource: 'status', name: 'shop', apiGroup: 'tapr.io' }, responseStatus: { code: 403 },
    }),
    event({ auditID: '3', verb: 'get', requestURI: '/metrics', user: { username: 'sa' }, responseStatus: { code: 403 } }),
    event({
      auditID: '4', verb: 'get', requestURI: '/api/v1/namespaces/tapr-system', user: { username: 'sa' },
      objectRef: { resource: 'namespaces', namespace: 'tapr-system', name: 'tapr-system', apiVersion: 'v1' }, responseStatus: { code: 403 },
    }),
  ].join('\n'));
  assert.equal(describeForbidden(lease!), 'sa may not create leases.coordination.k8s.io in namespace tapr-system');
  assert.equal(describeForbidden(status!), 'sa may not patch websocketgateways/status.tapr.io "shop" cluster-wide');
  assert.equal(describeForbidden(metrics!), 'sa may not get /metrics');
  assert.equal(describeForbidden(namespace!), 'sa may not get namespaces "tapr-system" cluster-wide', 'a Namespace is filed under its own name');
});
