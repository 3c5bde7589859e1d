// Admin settings validation: defaults, and errors that name the field (bad quantities, reserved or unknown env).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewaySettings } from './gateway-settings.ts';

test('only the image is required; resources and user have safe defaults', () => {
  const result = parseGatewaySettings({ image: 'ghcr.io/example/ws-gateway:1.0' });
  assert.ok(result.ok);
  assert.deepEqual(result.settings, {
    image: 'ghcr.io/example/ws-gateway:1.0',
    runAsUser: 65532,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    env: {},
  });
});

test('redis gets the default base prefix', () => {
  const result = parseGatewaySettings({ image: 'i', redis: { url: 'redis://redis:6379', secretRef: { name: 'tapr-ws-redis', key: 'url' } } });
  assert.ok(result.ok);
  assert.equal(result.settings.redis?.prefix, 'tapr:ws');
});

const bad: [string, unknown, string][] = [
  ['no image', {}, 'image: '],
  ['a bad quantity', { image: 'i', resources: { requests: { cpu: 'lots' } } }, 'resources.requests.cpu: expected a resource quantity'],
  ['a request above its limit', { image: 'i', resources: { requests: { memory: '1Gi' }, limits: { memory: '256Mi' } } },
    'resources.requests.memory: 1Gi is above the limit 256Mi'],
  ['a reserved variable', { image: 'i', env: { WS_PORT: '1' } }, 'env.WS_PORT: is set by the operator'],
  ['an unknown variable', { image: 'i', env: { WS_REQUIRE_USR: 'true' } }, 'env: unknown variable WS_REQUIRE_USR is ignored'],
  ['a value the gateway refuses', { image: 'i', env: { WS_OPEN_MODE: 'maybe' } }, 'env: WS_OPEN_MODE="maybe" is invalid: expected notify or authorize'],
  ['a non-redis URL', { image: 'i', redis: { url: 'http://x' } }, 'redis.url: expected a redis:// or rediss:// URL'],
  ['root as the user', { image: 'i', runAsUser: 0 }, 'runAsUser: expected a non-root user id'],
  ['a bad pull policy', { image: 'i', imagePullPolicy: 'Sometimes' }, 'imagePullPolicy: '],
];
for (const [name, input, prefix] of bad) {
  test(`settings: ${name} is refused, naming the field`, () => {
    const result = parseGatewaySettings(input);
    assert.ok(!result.ok);
    assert.ok(result.error.startsWith(prefix), result.error);
  });
}
