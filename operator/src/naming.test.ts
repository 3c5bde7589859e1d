// Derived names: the per-app Service and Redis prefix (SPEC B2, A1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appRedisPrefix, GATEWAY_CRD_NAME, serviceName } from './naming.ts';

test('the Service of deployment chat is chat-ws', () => {
  assert.equal(serviceName('chat'), 'chat-ws');
});

test('the Redis prefix is per namespace and Deployment under the admin base', () => {
  assert.equal(appRedisPrefix('tapr:ws', 'apps', 'chat'), 'tapr:ws:apps:chat');
});

test('the CRD name is plural.group', () => {
  assert.equal(GATEWAY_CRD_NAME, 'websocketgateways.tapr.io');
});
