// findAppName: the Deployment's name from the ReplicaSet owner, with the manifest label as the fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../kube/pod.ts';
import { findAppName } from './pod-owner.ts';

const spec = { containers: [{ name: 'app' }] };

test('a Deployment pod: the ReplicaSet name without its pod-template-hash', () => {
  const pod: Pod = {
    metadata: {
      labels: { 'pod-template-hash': '5d8f7b9c4', 'tapr.io/manifest': 'm' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'my-chat-app-5d8f7b9c4', controller: true }],
    },
    spec,
  };
  assert.equal(findAppName(pod), 'my-chat-app');
});

test('a ReplicaSet that does not follow the Deployment naming falls back to the manifest label', () => {
  const pod: Pod = {
    metadata: { labels: { 'pod-template-hash': 'abc', 'tapr.io/manifest': 'chat-manifest' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'hand-made', controller: true }] },
    spec,
  };
  assert.equal(findAppName(pod), 'chat-manifest');
});

test('a bare pod falls back to the manifest label; without it there is no name', () => {
  assert.equal(findAppName({ metadata: { labels: { 'tapr.io/manifest': 'chat-manifest' } }, spec }), 'chat-manifest');
  assert.equal(findAppName({ spec }), undefined);
});

test('a non-controller owner is not used', () => {
  const pod: Pod = {
    metadata: { labels: { 'pod-template-hash': 'h', 'tapr.io/manifest': 'm' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'x-h' }] },
    spec,
  };
  assert.equal(findAppName(pod), 'm');
});
