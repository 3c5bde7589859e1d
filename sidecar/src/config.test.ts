import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeConfigHash, parseConfig } from './config.ts';

const required = { WS_PORT: '8888', WS_URL: '/ws/message' };

test('defaults follow SPEC A1', () => {
  const result = parseConfig(required);
  assert.ok(result.ok);
  const { config } = result;
  assert.equal(config.appPort, 8888);
  assert.equal(config.appPath, '/ws/message');
  assert.equal(config.appHost, '127.0.0.1');
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.port, 40010);
  assert.equal(config.userHeader, 'x-bfl-user');
  assert.equal(config.requireUser, false);
  assert.equal(config.openMode, 'notify');
  assert.equal(config.pingTimeoutMs, 60000);
  assert.equal(config.serverPingMs, 25000);
  assert.equal(config.maxPayloadBytes, 1048576);
  assert.equal(config.maxBufferedBytes, 4194304);
  assert.equal(config.maxConnections, 0);
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.callbackTimeoutMs, 5000);
  assert.equal(config.callbackRetryMs, 10000);
  assert.equal(config.callbackConcurrency, 64);
  assert.equal(config.callbackQueue, 256);
  assert.equal(config.redisPrefix, 'tapr:ws');
  assert.equal(config.backplaneHeartbeatMs, 5000);
  assert.equal(config.backplaneReplyTimeoutMs, 500);
  assert.equal(config.shutdownTimeoutMs, 10000);
  assert.equal(config.logLevel, 'info');
});

test('parses every kind of value', () => {
  const result = parseConfig({ ...required, WS_REQUIRE_USER: 'true', WS_ALLOWED_ORIGINS: 'https://a.example, https://b.example,', WS_OPEN_MODE: 'authorize', WS_PING_TIMEOUT_MS: '0' });
  assert.ok(result.ok);
  assert.equal(result.config.requireUser, true);
  assert.deepEqual(result.config.allowedOrigins, ['https://a.example', 'https://b.example']);
  assert.equal(result.config.openMode, 'authorize');
  assert.equal(result.config.pingTimeoutMs, 0);
});

const badValues: [string, Record<string, string>, RegExp][] = [
  ['missing WS_PORT', { WS_URL: '/x' }, /^WS_PORT is missing: required$/],
  ['missing WS_URL', { WS_PORT: '1' }, /^WS_URL is missing/],
  ['non-numeric port', { ...required, WS_PORT: 'abc' }, /^WS_PORT="abc" is invalid: expected an integer from 1 to 65535$/],
  ['port 0', { ...required, WS_PORT: '0' }, /^WS_PORT="0" is invalid: expected an integer from 1 to 65535$/],
  ['port too big', { ...required, WS_PORT: '70000' }, /^WS_PORT="70000"/],
  ['url without slash', { ...required, WS_URL: 'ws' }, /^WS_URL="ws" is invalid: expected a path that starts with "\/"$/],
  ['open mode', { ...required, WS_OPEN_MODE: 'foo' }, /^WS_OPEN_MODE="foo" is invalid: expected notify or authorize$/],
  ['boolean', { ...required, WS_REQUIRE_USER: 'yes' }, /^WS_REQUIRE_USER="yes" is invalid: expected true or false$/],
  ['negative timeout', { ...required, WS_PING_TIMEOUT_MS: '-1' }, /^WS_PING_TIMEOUT_MS="-1"/],
  ['fractional', { ...required, WS_CALLBACK_QUEUE: '1.5' }, /^WS_CALLBACK_QUEUE="1.5"/],
  ['log level', { ...required, WS_LOG_LEVEL: 'loud' }, /^WS_LOG_LEVEL="loud" is invalid: expected debug, info, warn or error$/],
  ['header name', { ...required, WS_USER_HEADER: 'bad header' }, /^WS_USER_HEADER="bad header"/],
  ['redis url', { ...required, WS_REDIS_URL: 'http://x' }, /^WS_REDIS_URL="<redacted>" is invalid: expected a redis:\/\/ or rediss:\/\/ URL$/],
  ['heartbeat too short', { ...required, WS_BACKPLANE_HEARTBEAT_MS: '50' }, /^WS_BACKPLANE_HEARTBEAT_MS="50" is invalid: expected an integer from 100 to 2147483647$/],
  ['reply timeout 0', { ...required, WS_BACKPLANE_REPLY_TIMEOUT_MS: '0' }, /^WS_BACKPLANE_REPLY_TIMEOUT_MS="0" is invalid: expected an integer from 1 to/],
];

for (const [name, env, expected] of badValues) {
  test(`rejects ${name} with a message naming variable, value and what is allowed`, () => {
    const result = parseConfig(env);
    assert.equal(result.ok, false);
    assert.match((result as { error: string }).error, expected);
  });
}

test('warns about unknown WS_* variables only', () => {
  const result = parseConfig({ ...required, WS_PROT: '1', HOME: '/root' });
  assert.ok(result.ok);
  assert.deepEqual(result.warnings, ['unknown variable WS_PROT is ignored']);
});

test('empty optional values fall back to defaults (Kubernetes often sets "")', () => {
  const result = parseConfig({ ...required, WS_MAX_CONNECTIONS: '', WS_LOG_LEVEL: '' });
  assert.ok(result.ok);
  assert.equal(result.config.maxConnections, 0);
  assert.equal(result.config.logLevel, 'info');
});

function hash(env: Record<string, string>): string {
  const result = parseConfig(env);
  assert.ok(result.ok);
  return computeConfigHash(result.config);
}

test('config hash ignores the pod identity and changes with any setting', () => {
  const base = hash(required);
  assert.match(base, /^[0-9a-f]{16}$/);
  assert.equal(hash({ ...required, POD_NAME: 'a', POD_NAMESPACE: 'ns' }), base);
  assert.equal(hash({ ...required, WS_GATEWAY_HOST: '10.1.2.3' }), base, 'a pod listening on its own IP is not outdated');
  assert.equal(hash({ ...required, WS_PING_TIMEOUT_MS: '60000' }), base, 'explicit default is the same effective config');
  assert.notEqual(hash({ ...required, WS_PORT: '8889' }), base);
  assert.notEqual(hash({ ...required, WS_MAX_CONNECTIONS: '5' }), base);
});

test('a setting at its default does not count in the hash, so a gateway that adds settings keeps its pods\' hash', () => {
  const base = hash({ ...required, WS_REDIS_URL: 'redis://r:6379' });
  assert.equal(hash({ ...required, WS_REDIS_URL: 'redis://r:6379', WS_BACKPLANE_HEARTBEAT_MS: '5000', WS_BACKPLANE_REPLY_TIMEOUT_MS: '500' }), base);
  assert.notEqual(hash({ ...required, WS_REDIS_URL: 'redis://r:6379', WS_BACKPLANE_HEARTBEAT_MS: '1000' }), base);
  assert.notEqual(hash({ ...required, WS_REDIS_URL: 'redis://r:6379', WS_BACKPLANE_REPLY_TIMEOUT_MS: '800' }), base);
});

test('inbound hardening settings: defaults, and errors that name the variable', () => {
  const result = parseConfig(required);
  assert.ok(result.ok);
  const { config } = result;
  assert.equal(config.callbackQueueBytes, 4096);
  assert.equal(config.maxInboundFramesPerSec, 100);
  assert.equal(config.inboundFramesBurst, 200);
  assert.deepEqual(config.trustedProxies, []);
  assert.equal(config.headersTimeoutMs, 10000);
  assert.equal(config.requestTimeoutMs, 30000);
  assert.equal(config.maxPendingUpgrades, 1024);

  const proxies = parseConfig({ ...required, WS_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8,127.0.0.1' });
  assert.ok(proxies.ok);
  assert.deepEqual(proxies.config.trustedProxies, ['10.0.0.0/8', 'fd00::/8', '127.0.0.1']);

  const bad = (env: Record<string, string>) => {
    const parsed = parseConfig({ ...required, ...env });
    assert.ok(!parsed.ok, JSON.stringify(env));
    return parsed.error;
  };
  assert.match(bad({ WS_TRUSTED_PROXIES: '10.0.0.0/8,example.com' }), /^WS_TRUSTED_PROXIES="10.0.0.0\/8,example.com" is invalid: expected a comma list of IPv4\/IPv6 addresses or CIDR ranges/);
  assert.match(bad({ WS_CALLBACK_QUEUE_BYTES: '100' }), /^WS_CALLBACK_QUEUE_BYTES="100" is invalid: expected an integer from 1024/);
  assert.match(bad({ WS_MAX_INBOUND_FRAMES_PER_SEC: '-1' }), /^WS_MAX_INBOUND_FRAMES_PER_SEC="-1" is invalid/);
  assert.match(bad({ WS_INBOUND_FRAMES_BURST: '0' }), /^WS_INBOUND_FRAMES_BURST="0" is invalid/);
  assert.match(bad({ WS_MAX_PENDING_UPGRADES: '0' }), /^WS_MAX_PENDING_UPGRADES="0" is invalid/);
  assert.equal(bad({ WS_HEADERS_TIMEOUT_MS: '60000' }), 'WS_HEADERS_TIMEOUT_MS="60000" is invalid: expected at most WS_REQUEST_TIMEOUT_MS (30000)');
  assert.equal(bad({ WS_REQUEST_TIMEOUT_MS: '5000' }), 'WS_REQUEST_TIMEOUT_MS="5000" is invalid: expected 0 or at least WS_HEADERS_TIMEOUT_MS (10000)');
  assert.ok(parseConfig({ ...required, WS_HEADERS_TIMEOUT_MS: '60000', WS_REQUEST_TIMEOUT_MS: '0' }).ok, 'no request timeout: any headers timeout');
});
