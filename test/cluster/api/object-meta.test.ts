// Unit tests for create/update metadata rules: generateName, namespaces, generation, status isolation, finalizers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCreatedObject, buildUpdatedObject, isNoopUpdate } from './object-meta.ts';
import { ApiError } from './status.ts';
import { buildBuiltinTypes } from '../resources/builtin-types.ts';
import type { JsonObject } from '../patch/json-value.ts';

const types = buildBuiltinTypes();
const deployments = types.find((t) => t.resource === 'deployments')!;
const configmaps = types.find((t) => t.resource === 'configmaps')!;
const ctx = { namespace: 'ns', uid: 'u1', now: '2025-01-01T00:00:00Z', suffix: 'abcde' };

test('create: generateName, namespace, identity, status reset, generation', () => {
  const obj = buildCreatedObject(deployments, { metadata: { generateName: 'web-' }, spec: { replicas: 1 }, status: { replicas: 9 } }, ctx);
  assert.deepEqual(obj, { metadata: { generateName: 'web-', name: 'web-abcde', namespace: 'ns', uid: 'u1', creationTimestamp: ctx.now, generation: 1 }, spec: { replicas: 1 } });
  const cm = buildCreatedObject(configmaps, { metadata: { name: 'c' } }, ctx);
  assert.equal((cm.metadata as JsonObject).generation, undefined);
});

test('create: errors', () => {
  const code = (f: () => unknown): number => { try { f(); return 0; } catch (e) { return e instanceof ApiError ? e.code : -1; } };
  assert.equal(code(() => buildCreatedObject(configmaps, { metadata: {} }, ctx)), 422);
  assert.equal(code(() => buildCreatedObject(configmaps, { metadata: { name: 'Bad_Name' } }, ctx)), 422);
  assert.equal(code(() => buildCreatedObject(configmaps, { metadata: { name: 'c', namespace: 'other' } }, ctx)), 400);
  assert.equal(code(() => buildCreatedObject(configmaps, { metadata: { name: 'c', labels: { 'a b': 'x' } } }, ctx)), 422);
});

const old: JsonObject = { metadata: { name: 'web', namespace: 'ns', uid: 'u1', generation: 1, resourceVersion: '5' }, spec: { replicas: 1 }, status: { replicas: 1 } };

test('update on the main endpoint ignores status and bumps generation on spec change only', () => {
  const same = buildUpdatedObject(deployments, old, { metadata: { name: 'web', labels: { a: 'b' } }, spec: { replicas: 1 }, status: { replicas: 7 } }, undefined);
  assert.deepEqual(same.status, { replicas: 1 });
  assert.equal((same.metadata as JsonObject).generation, 1);
  assert.equal((same.metadata as JsonObject).uid, 'u1');
  const changed = buildUpdatedObject(deployments, old, { metadata: { name: 'web' }, spec: { replicas: 2 } }, undefined);
  assert.equal((changed.metadata as JsonObject).generation, 2);
});

test('update on /status ignores everything but status', () => {
  const next = buildUpdatedObject(deployments, old, { metadata: { name: 'web', labels: { a: 'b' } }, spec: { replicas: 5 }, status: { replicas: 3 } }, 'status');
  assert.deepEqual(next, { ...old, status: { replicas: 3 } });
});

test('no new finalizers while deleting; no-op detection', () => {
  const deleting: JsonObject = { metadata: { ...(old.metadata as JsonObject), deletionTimestamp: 'x', finalizers: ['a'] }, spec: {} };
  assert.throws(() => buildUpdatedObject(configmaps, deleting, { metadata: { finalizers: ['a', 'b'] }, spec: {} }, undefined), /no new finalizers/);
  const removed = buildUpdatedObject(configmaps, deleting, { metadata: { finalizers: [] }, spec: {} }, undefined);
  assert.equal((removed.metadata as JsonObject).finalizers, undefined);
  assert.equal(isNoopUpdate(old, { ...old, metadata: { ...(old.metadata as JsonObject), resourceVersion: '9' } }), true);
});
