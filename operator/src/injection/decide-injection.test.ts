// decideInjection: every skip reason, classic vs native sidecar placement, idempotency, and the input left untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../kube/pod.ts';
import { computeAppConfigHash } from './app-config-hash.ts';
import { decideInjection, type InjectionRequest } from './decide-injection.ts';
import { parseGatewaySettings } from './gateway-settings.ts';

const parsedSettings = parseGatewaySettings({ image: 'gw:1', redis: { url: 'redis://r:6379' } });
assert.ok(parsedSettings.ok);
const settings = parsedSettings.settings;

function pod(overrides: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: {
      generateName: 'chat-7c9f-',
      labels: { app: 'chat', 'tapr.io/manifest': 'chat-manifest', 'pod-template-hash': '7c9f' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'chat-7c9f', uid: 'u', controller: true }],
    },
    spec: { containers: [{ name: 'app', image: 'chat:1', ports: [{ containerPort: 8888 }] }], ...overrides },
  };
}

function request(overrides: Partial<InjectionRequest> = {}): InjectionRequest {
  return { pod: pod(), namespace: 'apps', manifest: { kind: 'websocket', url: '/ws/message', port: 8888 }, settings, nativeSidecars: false, ...overrides };
}

test('classic: the gateway is the last container and the pod is annotated with its configHash', () => {
  const decision = decideInjection(request());
  assert.ok(decision.kind === 'inject');
  assert.deepEqual(decision.pod.spec.containers.map((container) => container.name), ['app', 'ws-gateway']);
  assert.equal(decision.pod.spec.initContainers, undefined);
  assert.equal(decision.pod.metadata?.annotations?.['tapr.io/injected'], decision.configHash);
  assert.match(decision.configHash, /^[0-9a-f]{16}$/);
  assert.deepEqual(decision.patch.map((operation) => [operation.op, operation.path]), [
    ['add', '/metadata/annotations'],
    ['add', '/spec/containers/1'],
  ]);
});

test('native: the gateway is an init container with restartPolicy Always, after existing init containers', () => {
  const decision = decideInjection(request({ nativeSidecars: true, pod: pod({ initContainers: [{ name: 'migrate' }] }) }));
  assert.ok(decision.kind === 'inject');
  assert.deepEqual(decision.pod.spec.containers.map((container) => container.name), ['app']);
  const init = decision.pod.spec.initContainers!;
  assert.deepEqual(init.map((container) => container.name), ['migrate', 'ws-gateway']);
  assert.equal(init[1]!.restartPolicy, 'Always');
});

test('the Redis prefix names the namespace and the Deployment (from the ReplicaSet owner)', () => {
  const decision = decideInjection(request());
  assert.ok(decision.kind === 'inject');
  const gateway = decision.pod.spec.containers[1]!;
  assert.ok(JSON.stringify(gateway).includes('"name":"WS_REDIS_PREFIX","value":"tapr:ws:apps:chat"'));
});

test('the input pod is not modified', () => {
  const input = pod();
  const copy = structuredClone(input);
  decideInjection(request({ pod: input }));
  assert.deepEqual(input, copy);
});

test('injection is idempotent: injecting the injected pod again is skipped', () => {
  const first = decideInjection(request());
  assert.ok(first.kind === 'inject');
  assert.deepEqual(decideInjection(request({ pod: first.pod })), { kind: 'skip', reason: 'AlreadyInjected', warnings: [] });
  const native = decideInjection(request({ nativeSidecars: true }));
  assert.ok(native.kind === 'inject');
  assert.deepEqual(decideInjection(request({ pod: native.pod })), { kind: 'skip', reason: 'AlreadyInjected', warnings: [] });
});

test('a pod with the Olares sidecar is left alone', () => {
  const withOlares = pod({ containers: [{ name: 'app' }, { name: 'olares-ws-sidecar' }] });
  assert.deepEqual(decideInjection(request({ pod: withOlares })), { kind: 'skip', reason: 'OlaresSidecarPresent', warnings: [] });
});

test('no websocket block means no gateway and no warning', () => {
  assert.deepEqual(decideInjection(request({ manifest: { kind: 'none' } })), { kind: 'skip', reason: 'NoWebSocketBlock', warnings: [] });
});

test('an invalid manifest skips with a warning naming the field', () => {
  const decision = decideInjection(request({ manifest: { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got "abc"' } }));
  assert.deepEqual(decision, {
    kind: 'skip',
    reason: 'InvalidManifest',
    warnings: ['no gateway injected: invalid OlaresManifest.yaml: options.websocket.port: expected an integer from 1 to 65535, got "abc"'],
  });
});

test('a missing manifest ConfigMap skips with a warning naming it', () => {
  const decision = decideInjection(request({ manifest: { kind: 'missing', configMapName: 'chat-manifest', key: 'OlaresManifest.yaml' } }));
  assert.deepEqual(decision, {
    kind: 'skip',
    reason: 'ManifestMissing',
    warnings: ['no gateway injected: ConfigMap chat-manifest with key OlaresManifest.yaml was not found in namespace apps'],
  });
});

test('a container already using port 40010 skips with a warning', () => {
  const clash = pod({ containers: [{ name: 'app', ports: [{ containerPort: 40010 }] }] });
  assert.deepEqual(decideInjection(request({ pod: clash })), {
    kind: 'skip',
    reason: 'PortConflict',
    warnings: ['no gateway injected: container app already uses port 40010'],
  });
});

test('resource annotation warnings are passed on with the injection', () => {
  const annotated = pod();
  annotated.metadata!.annotations = { 'tapr.io/gateway-memory': '1m' };
  const decision = decideInjection(request({ pod: annotated }));
  assert.ok(decision.kind === 'inject');
  assert.equal(decision.warnings.length, 1);
  assert.match(decision.warnings[0]!, /tapr\.io\/gateway-memory="1m" is ignored/);
});

test('the status side computes the same configHash the webhook annotates', () => {
  const decision = decideInjection(request());
  assert.ok(decision.kind === 'inject');
  assert.equal(computeAppConfigHash(settings, { namespace: 'apps', deploymentName: 'chat', url: '/ws/message', port: 8888 }), decision.configHash);
  assert.notEqual(computeAppConfigHash(settings, { namespace: 'other', deploymentName: 'chat', url: '/ws/message', port: 8888 }), decision.configHash,
    'the per-app Redis prefix is part of the configuration');
});

test('with a tapr.io/gateway-memory annotation the status side still agrees, given the template\'s annotations', () => {
  const annotated = pod();
  annotated.metadata!.annotations = { 'tapr.io/gateway-memory': '512Mi' };
  const decision = decideInjection(request({ pod: annotated }));
  assert.ok(decision.kind === 'inject');
  const app = { namespace: 'apps', deploymentName: 'chat', url: '/ws/message', port: 8888 };
  assert.equal(computeAppConfigHash(settings, app, { 'tapr.io/gateway-memory': '512Mi' }), decision.configHash);
  assert.notEqual(computeAppConfigHash(settings, app), decision.configHash, 'the larger limit means a larger WS_MAX_CONNECTIONS');
});
