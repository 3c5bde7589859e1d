// Unit tests for the benchmark's Pushpin configuration builders. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPublishBody, buildPushpinConfig, buildPushpinRoutes } from './pushpin-config.ts';

void test('the config keeps every path in the temp dir and every TCP port on loopback', () => {
  const conf = buildPushpinConfig({ dir: '/tmp/pp', routesFile: '/tmp/pp/routes', ports: { http: 1, publish: 2, zmqPush: 3, zmqSub: 4, zmqCommand: 5 } });
  assert.match(conf, /^rundir=\/tmp\/pp\/run$/m);
  assert.match(conf, /^logdir=\/tmp\/pp\/log$/m);
  assert.match(conf, /^http_port=127\.0\.0\.1:1$/m);
  assert.match(conf, /^push_in_http_port=2$/m);
  assert.match(conf, /^routesfile=\/tmp\/pp\/routes$/m);
  for (const spec of conf.match(/tcp:\/\/[^\n]+/g) ?? []) assert.match(spec, /^tcp:\/\/127\.0\.0\.1:[345]$/);
  assert.doesNotMatch(conf, /\/var\//);
});

void test('routes send every path to the backend over HTTP; publish names the channel and the content', () => {
  assert.equal(buildPushpinRoutes(8080), '* 127.0.0.1:8080,over_http\n');
  assert.deepEqual(JSON.parse(buildPublishBody('bench', 'hi')), { items: [{ channel: 'bench', formats: { 'ws-message': { content: 'hi' } } }] });
});
