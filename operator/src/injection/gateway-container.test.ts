// The ws-gateway container: env (incl. downward API and Redis), port, probes, security context, and its configHash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeConfigHash, parseConfig } from '../../../sidecar/src/config.ts';
import { buildGatewayContainer } from './gateway-container.ts';
import { parseGatewayEnv } from './gateway-config-hash.ts';
import { parseGatewaySettings, type GatewaySettingsInput } from './gateway-settings.ts';

function settings(input: Partial<GatewaySettingsInput> = {}) {
  const result = parseGatewaySettings({ image: 'registry.example/ws-gateway:0.1.0', ...input });
  assert.ok(result.ok);
  return result.settings;
}

const app = { namespace: 'chat-ns', deploymentName: 'chat', url: '/ws/message', port: 8888 };

test('the container follows SPEC B3', () => {
  const { container, warnings } = buildGatewayContainer(settings({ imagePullPolicy: 'IfNotPresent' }), app, {});
  assert.deepEqual(warnings, []);
  assert.equal(container.name, 'ws-gateway');
  assert.equal(container.image, 'registry.example/ws-gateway:0.1.0');
  assert.equal(container.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(container.ports, [{ name: 'ws-gateway', containerPort: 40010, protocol: 'TCP' }]);
  assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'ws-gateway' });
  assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'ws-gateway' });
  assert.deepEqual(container.securityContext, {
    runAsNonRoot: true,
    runAsUser: 65532,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.deepEqual(container.resources, { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
});

test('env: the manifest block, the gateway port, admin defaults with the derived connection cap, then the pod identity', () => {
  const { container } = buildGatewayContainer(settings({ env: { WS_REQUIRE_USER: 'true', WS_ALLOWED_ORIGINS: 'https://a.example' } }), app, {});
  assert.deepEqual(container.env, [
    { name: 'WS_PORT', value: '8888' },
    { name: 'WS_URL', value: '/ws/message' },
    { name: 'WS_GATEWAY_PORT', value: '40010' },
    { name: 'WS_ALLOWED_ORIGINS', value: 'https://a.example' },
    // F7: derived from the 256Mi memory limit (connection-cap.ts), sorted with the admin defaults.
    { name: 'WS_MAX_CONNECTIONS', value: '8300' },
    { name: 'WS_REQUIRE_USER', value: 'true' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
  ]);
});

test('redis: the URL comes from the Secret and the prefix is per app', () => {
  const configured = settings({ redis: { url: 'redis://:pw@redis.tapr:6379/0', secretRef: { name: 'tapr-ws-redis', key: 'url' } } });
  const { container, literalEnv } = buildGatewayContainer(configured, app, {});
  const redisEnv = container.env.filter((entry) => entry.name.startsWith('WS_REDIS_'));
  assert.deepEqual(redisEnv, [
    { name: 'WS_REDIS_URL', valueFrom: { secretKeyRef: { name: 'tapr-ws-redis', key: 'url' } } },
    { name: 'WS_REDIS_PREFIX', value: 'tapr:ws:chat-ns:chat' },
  ]);
  assert.ok(!JSON.stringify(container).includes(':pw@'), 'the password must not appear in the pod spec');
  assert.equal(literalEnv.WS_REDIS_URL, 'redis://:pw@redis.tapr:6379/0');
});

test('redis without a Secret reference is a literal value', () => {
  const { container } = buildGatewayContainer(settings({ redis: { url: 'redis://redis:6379', prefix: 'corp' } }), app, {});
  assert.deepEqual(container.env.filter((entry) => entry.name.startsWith('WS_REDIS_')), [
    { name: 'WS_REDIS_URL', value: 'redis://redis:6379' },
    { name: 'WS_REDIS_PREFIX', value: 'corp:chat-ns:chat' },
  ]);
});

test('the configHash is the one the gateway computes from the same env', () => {
  const configured = settings({ env: { WS_OPEN_MODE: 'authorize' }, redis: { url: 'redis://r:6379', secretRef: { name: 's', key: 'k' } } });
  const { literalEnv } = buildGatewayContainer(configured, app, {});
  const hash = parseGatewayEnv(literalEnv);
  assert.ok(hash.ok);
  const gateway = parseConfig({ ...literalEnv, POD_NAME: 'chat-abc', POD_NAMESPACE: 'chat-ns' });
  assert.ok(gateway.ok);
  assert.equal(hash.configHash, computeConfigHash(gateway.config));
});

test('the configHash changes with the manifest and the admin defaults', () => {
  const hashOf = (input: Partial<GatewaySettingsInput>, url: string) => {
    const result = parseGatewayEnv(buildGatewayContainer(settings(input), { ...app, url }, {}).literalEnv);
    assert.ok(result.ok);
    return result.configHash;
  };
  const base = hashOf({}, '/ws');
  assert.equal(hashOf({}, '/ws'), base);
  assert.notEqual(hashOf({}, '/other'), base);
  assert.notEqual(hashOf({ env: { WS_REQUIRE_USER: 'true' } }, '/ws'), base);
});

test('resource annotations are applied and bad ones reported', () => {
  const { container, warnings } = buildGatewayContainer(settings(), app, { 'tapr.io/gateway-cpu': '200m', 'tapr.io/gateway-memory': 'big' });
  assert.equal(container.resources.requests?.cpu, '200m');
  assert.equal(container.resources.requests?.memory, '64Mi');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^annotation tapr\.io\/gateway-memory="big" is ignored/);
});

test('WS_MAX_CONNECTIONS follows the final memory limit: annotation first, admin value over both, 0 = no cap, none without a limit', () => {
  const cap = (input: Partial<GatewaySettingsInput>, annotations: Record<string, string> = {}) =>
    buildGatewayContainer(settings(input), app, annotations).container.env.filter((entry) => entry.name === 'WS_MAX_CONNECTIONS');
  assert.deepEqual(cap({}), [{ name: 'WS_MAX_CONNECTIONS', value: '8300' }]);
  // The annotation raises the request and, above it, the limit: 512Mi.
  assert.deepEqual(cap({}, { 'tapr.io/gateway-memory': '512Mi' }), [{ name: 'WS_MAX_CONNECTIONS', value: '23000' }]);
  // Below the configured limit it changes only the request: still 256Mi.
  assert.deepEqual(cap({}, { 'tapr.io/gateway-memory': '128Mi' }), [{ name: 'WS_MAX_CONNECTIONS', value: '8300' }]);
  assert.deepEqual(cap({ resources: { requests: {}, limits: { memory: '1Gi' } } }), [{ name: 'WS_MAX_CONNECTIONS', value: '52500' }]);
  assert.deepEqual(cap({ env: { WS_MAX_CONNECTIONS: '500' } }, { 'tapr.io/gateway-memory': '512Mi' }), [{ name: 'WS_MAX_CONNECTIONS', value: '500' }]);
  assert.deepEqual(cap({ env: { WS_MAX_CONNECTIONS: '0' } }), [{ name: 'WS_MAX_CONNECTIONS', value: '0' }]);
  assert.deepEqual(cap({ resources: { requests: {}, limits: {} } }), []);
});

test('the configHash covers the derived cap: another memory limit is another hash', () => {
  const hashOf = (annotations: Record<string, string>, input: Partial<GatewaySettingsInput> = {}) => {
    const result = parseGatewayEnv(buildGatewayContainer(settings(input), app, annotations).literalEnv);
    assert.ok(result.ok);
    return result.configHash;
  };
  assert.notEqual(hashOf({ 'tapr.io/gateway-memory': '512Mi' }), hashOf({}));
  assert.equal(hashOf({ 'tapr.io/gateway-memory': '128Mi' }), hashOf({}), 'a request-only change keeps the cap and the hash');
  assert.equal(hashOf({}, { env: { WS_MAX_CONNECTIONS: '8300' } }), hashOf({}), 'the same value set by the admin is the same config');
});
