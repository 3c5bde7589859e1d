// parseStatsBody: the gateway's /stats answer becomes a sample; anything else becomes an error naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatsBody } from './stats-sample.ts';

test('a /stats body as SPEC A5 describes it', () => {
  const body = { connections: 3, users: 2, publicConnections: 1, anonymousConnections: 0, pod: 'p', configHash: 'abc', version: '0.1.0', startedAt: '2025-01-01T00:00:00Z' };
  assert.deepEqual(parseStatsBody(body), { kind: 'stats', connections: 3, users: 2, configHash: 'abc' });
});

test('wrong bodies are errors that name the field', () => {
  assert.deepEqual(parseStatsBody({ connections: -1, users: 0, configHash: 'x' }).kind, 'error');
  const missing = parseStatsBody({ connections: 1, users: 1 });
  assert.ok(missing.kind === 'error');
  assert.match(missing.message, /^unexpected \/stats answer: configHash: /);
  const notObject = parseStatsBody('hello');
  assert.ok(notObject.kind === 'error');
  assert.match(notObject.message, /^unexpected \/stats answer: body: /);
});

test('with the Redis backplane connected, its distinct user count across replicas is kept as sharedUsers', () => {
  const body = { connections: 3, users: 2, configHash: 'abc', backplane: { connected: true, replicas: 2, users: 4, connections: 7 } };
  assert.deepEqual(parseStatsBody(body), { kind: 'stats', connections: 3, users: 2, configHash: 'abc', sharedUsers: 4 });
  // A disconnected backplane's view may be stale: the per-pod count is used instead.
  assert.deepEqual(parseStatsBody({ ...body, backplane: { ...body.backplane, connected: false } }), { kind: 'stats', connections: 3, users: 2, configHash: 'abc' });
  const wrong = parseStatsBody({ ...body, backplane: { connected: true, users: 'x' } });
  assert.ok(wrong.kind === 'error');
  assert.match(wrong.message, /^unexpected \/stats answer: backplane\.users: /);
});
