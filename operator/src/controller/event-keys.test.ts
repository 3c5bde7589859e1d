// Event routing: every related object (pod, manifest ConfigMap, CR, Service) enqueues its Deployment's key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, KubeObject } from '../kube/objects.ts';
import { keysForEvent } from './event-keys.ts';
import { matchesSelector } from '../kube/objects.ts';

const chat: Deployment = {
  metadata: { name: 'chat', namespace: 'apps' },
  spec: { selector: { matchLabels: { app: 'chat' } }, template: { metadata: { labels: { app: 'chat', 'tapr.io/manifest': 'chat-manifest' } } } },
};
const other: Deployment = {
  metadata: { name: 'other', namespace: 'apps' },
  spec: { selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } },
};
const inApps = (namespace: string): Deployment[] => (namespace === 'apps' ? [chat, other] : []);
const object = (name: string, extra: Partial<KubeObject['metadata']> = {}, namespace = 'apps'): KubeObject => ({ metadata: { name, namespace, ...extra } });

test('a Deployment or a WebSocketGateway enqueues its own key', () => {
  assert.deepEqual(keysForEvent('Deployment', [object('chat')], inApps), ['apps/chat']);
  assert.deepEqual(keysForEvent('WebSocketGateway', [object('chat')], inApps), ['apps/chat']);
});

test('a pod enqueues the Deployments whose selector matches it, before and after a label change', () => {
  assert.deepEqual(keysForEvent('Pod', [object('chat-1', { labels: { app: 'chat' } })], inApps), ['apps/chat']);
  assert.deepEqual(keysForEvent('Pod', [object('x', { labels: { app: 'other' } }), object('x', { labels: { app: 'chat' } })], inApps), ['apps/other', 'apps/chat']);
  assert.deepEqual(keysForEvent('Pod', [object('chat-1', { labels: { app: 'chat' } }, 'elsewhere')], inApps), []);
});

test('a ConfigMap enqueues the Deployments whose pod template names it as their manifest', () => {
  assert.deepEqual(keysForEvent('ConfigMap', [object('chat-manifest')], inApps), ['apps/chat']);
  assert.deepEqual(keysForEvent('ConfigMap', [object('unrelated')], inApps), []);
});

test('a Service enqueues the owner WebSocketGateway, or the name without -ws', () => {
  const owned = object('whatever', { ownerReferences: [{ apiVersion: 'tapr.io/v1alpha1', kind: 'WebSocketGateway', name: 'chat', uid: 'u', controller: true }] });
  assert.deepEqual(keysForEvent('Service', [owned], inApps), ['apps/chat']);
  assert.deepEqual(keysForEvent('Service', [object('chat-ws')], inApps), ['apps/chat']);
  assert.deepEqual(keysForEvent('Service', [object('db')], inApps), []);
});

test('selectors: matchLabels and every matchExpressions operator; empty matches all', () => {
  const labels = { app: 'chat', tier: 'web' };
  assert.equal(matchesSelector({}, labels), true);
  assert.equal(matchesSelector({ matchLabels: { app: 'chat' } }, labels), true);
  assert.equal(matchesSelector({ matchLabels: { app: 'x' } }, labels), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels), true);
});
