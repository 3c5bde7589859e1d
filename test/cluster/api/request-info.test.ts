// Unit tests for decideRequestTarget: path shapes the apiserver serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRequestTarget } from './request-info.ts';

test('discovery paths', () => {
  for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v2']) {
    assert.equal(decideRequestTarget(p).kind, 'discovery', p);
  }
});

test('namespaced collection, object and subresource', () => {
  assert.deepEqual(decideRequestTarget('/apis/apps/v1/namespaces/ns1/deployments/web/scale'), {
    kind: 'resource', group: 'apps', version: 'v1', namespace: 'ns1', resource: 'deployments',
    name: 'web', subresource: 'scale', watchPrefix: false,
  });
  const list = decideRequestTarget('/api/v1/namespaces/ns1/pods');
  assert.ok(list.kind === 'resource' && list.namespace === 'ns1' && list.resource === 'pods' && list.name === undefined);
});

test('namespaces themselves, their status and all-namespace lists', () => {
  const ns = decideRequestTarget('/api/v1/namespaces/ns1');
  assert.ok(ns.kind === 'resource' && ns.resource === 'namespaces' && ns.name === 'ns1' && ns.namespace === undefined);
  const st = decideRequestTarget('/api/v1/namespaces/ns1/status');
  assert.ok(st.kind === 'resource' && st.resource === 'namespaces' && st.subresource === 'status');
  const all = decideRequestTarget('/api/v1/pods');
  assert.ok(all.kind === 'resource' && all.resource === 'pods' && all.namespace === undefined);
});

test('legacy watch prefix', () => {
  const w = decideRequestTarget('/api/v1/watch/namespaces/ns1/configmaps/cm');
  assert.ok(w.kind === 'resource' && w.watchPrefix && w.name === 'cm' && w.namespace === 'ns1');
});
