// The operator's configuration: defaults, flags over env, errors naming the flag or variable, native sidecar mode,
// and the README table listing every option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideNativeSidecars, DEFAULT_GATEWAY_IMAGE, parseOperatorConfig, type OperatorConfig } from './config.ts';

function ok(argv: string[], env: Record<string, string> = {}): OperatorConfig {
  const result = parseOperatorConfig(argv, env);
  if (!result.ok) throw new Error(result.error);
  return result.config;
}

function error(argv: string[], env: Record<string, string> = {}): string {
  const result = parseOperatorConfig(argv, env);
  assert.equal(result.ok, false, 'expected an error');
  return result.ok ? '' : result.error;
}

test('defaults: out of cluster webhook on 127.0.0.1:9443, health on 8080, 10 s status interval, auto native sidecars', () => {
  const config = ok([]);
  assert.equal(config.kubeconfigPath, undefined);
  assert.equal(config.namespace, 'tapr-system');
  assert.deepEqual(config.settings, {
    image: DEFAULT_GATEWAY_IMAGE, runAsUser: 65532, resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } }, env: {},
  });
  assert.equal(config.redis, undefined);
  assert.equal(config.statusIntervalMs, 10_000);
  assert.equal(config.nativeSidecars, 'auto');
  assert.equal(config.restartOutdated, false);
  assert.equal(config.logLevel, 'info');
  assert.deepEqual(config.leaderElection, { leaseName: 'tapr-ws-operator', leaseDurationSeconds: 15 });
  assert.deepEqual(config.webhook, { kind: 'url', host: '127.0.0.1', port: 9443 });
  assert.deepEqual(config.health, { host: '0.0.0.0', port: 8080 });
});

test('flags win over env; POD_NAMESPACE is the fallback for the namespace', () => {
  assert.equal(ok([], { POD_NAMESPACE: 'from-pod' }).namespace, 'from-pod');
  assert.equal(ok([], { POD_NAMESPACE: 'from-pod', OPERATOR_NAMESPACE: 'from-env' }).namespace, 'from-env');
  assert.equal(ok(['--namespace', 'from-flag'], { OPERATOR_NAMESPACE: 'from-env' }).namespace, 'from-flag');
  assert.equal(ok(['--log-level=warn'], { OPERATOR_LOG_LEVEL: 'debug' }).logLevel, 'warn');
  assert.equal(ok([], { KUBECONFIG: '/tmp/kc' }).kubeconfigPath, '/tmp/kc');
});

test('gateway settings: image, resources (none unsets), env defaults from repeated flags or a JSON variable, runAsUser', () => {
  const config = ok([
    '--gateway-image', 'reg/gw:2', '--gateway-cpu-request', '100m', '--gateway-cpu-limit', '1', '--gateway-memory-limit', 'none',
    '--gateway-env', 'WS_REQUIRE_USER=true', '--gateway-env', 'WS_ALLOWED_ORIGINS=https://a,https://b', '--gateway-run-as-user', '1000',
  ]);
  assert.equal(config.settings.image, 'reg/gw:2');
  assert.equal(config.settings.runAsUser, 1000);
  assert.deepEqual(config.settings.resources, { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1' } });
  assert.deepEqual(config.settings.env, { WS_REQUIRE_USER: 'true', WS_ALLOWED_ORIGINS: 'https://a,https://b' });
  assert.deepEqual(ok([], { OPERATOR_GATEWAY_ENV: '{"WS_OPEN_MODE":"authorize"}' }).settings.env, { WS_OPEN_MODE: 'authorize' });
});

test('Redis from a Secret: name, key (default url), prefix, and whether pods reference the Secret', () => {
  // By default the URL (with its password) stays in Secrets: pods reference a copy in their own namespace.
  assert.deepEqual(ok(['--redis-secret', 'redis-url']).redis, { secretName: 'redis-url', secretKey: 'url', prefix: 'tapr:ws', secretInPods: true });
  assert.deepEqual(ok([], { OPERATOR_REDIS_SECRET: 'r', OPERATOR_REDIS_SECRET_KEY: 'u', OPERATOR_REDIS_PREFIX: 'p', OPERATOR_REDIS_SECRET_IN_PODS: 'off' }).redis, {
    secretName: 'r', secretKey: 'u', prefix: 'p', secretInPods: false,
  });
});

test('durations, webhook exposure through a Service, and the on/off switches', () => {
  assert.equal(ok(['--status-interval', '500ms']).statusIntervalMs, 500);
  assert.equal(ok(['--status-interval', '2m']).statusIntervalMs, 120_000);
  assert.equal(ok(['--status-interval', '3']).statusIntervalMs, 3000);
  assert.deepEqual(ok(['--webhook-service', 'tapr-ws-webhook', '--webhook-port', '9443']).webhook, {
    kind: 'service', host: '0.0.0.0', port: 9443, serviceName: 'tapr-ws-webhook', servicePort: 443,
  });
  assert.equal(ok(['--restart-outdated', 'on']).restartOutdated, true);
  assert.equal(ok(['--native-sidecars', 'off']).nativeSidecars, 'off');
  assert.equal(ok(['--leader-election', 'off']).leaderElection, undefined);
  assert.deepEqual(ok(['--lease-name', 'other', '--lease-duration', '4.5s']).leaderElection, { leaseName: 'other', leaseDurationSeconds: 5 });
  assert.match(error(['--lease-duration', '500ms']), /^--lease-duration="500ms" is invalid: expected at least 1s/);
});

test('errors name the flag or variable, the value, and what is allowed', () => {
  assert.equal(error(['--webhook-port', '70000']), '--webhook-port="70000" is invalid: expected an integer from 0 to 65535');
  assert.equal(error([], { OPERATOR_HEALTH_PORT: 'x' }), 'OPERATOR_HEALTH_PORT="x" is invalid: expected an integer from 0 to 65535');
  assert.equal(error(['--native-sidecars', 'yes']), '--native-sidecars="yes" is invalid: expected auto, on or off');
  assert.equal(error(['--restart-outdated', 'true']), '--restart-outdated="true" is invalid: expected on or off');
  assert.equal(error(['--status-interval', '10 s']), '--status-interval="10 s" is invalid: expected a duration such as 500ms, 10s or 1m');
  assert.equal(error(['--status-interval', '10ms']), '--status-interval="10ms" is invalid: expected at least 100ms');
  assert.equal(error(['--bogus', 'x']), 'unknown flag --bogus (--help lists every option)');
  assert.equal(error(['--namespace']), '--namespace needs a value');
  assert.match(error(['--gateway-memory-request', 'lots']), /^--gateway-memory-request="lots" is invalid: expected a resource quantity/);
  assert.equal(error(['--gateway-cpu-request', '2', '--gateway-cpu-limit', '1']), '--gateway-cpu-request="2" is invalid: 2 is above the limit 1');
  assert.equal(error(['--gateway-env', 'WS_PORT=1']), '--gateway-env is invalid: WS_PORT is set by the operator; remove it from the defaults');
  assert.equal(error(['--gateway-env', 'WS_NOPE=1']), '--gateway-env is invalid: WS_NOPE is not a gateway variable (SPEC A1)');
  assert.match(error(['--gateway-env', 'WS_OPEN_MODE=maybe']), /^--gateway-env is invalid: WS_OPEN_MODE="maybe" is invalid: expected notify or authorize/);
  assert.match(error([], { OPERATOR_GATEWAY_ENV: 'WS_REQUIRE_USER=true' }), /^OPERATOR_GATEWAY_ENV is invalid: expected a JSON object of strings/);
  assert.match(error(['--namespace', 'Bad_NS']), /^--namespace="Bad_NS" is invalid: expected a lowercase DNS name/);
});

test('webhook TLS: self-managed by default; cert-manager reads the mounted Secret from --webhook-cert-dir (default /etc/tapr-ws/webhook-tls)', () => {
  assert.deepEqual(ok([]).webhookTls, { mode: 'self-managed' });
  assert.deepEqual(ok(['--webhook-mode', 'self-managed', '--webhook-cert-dir', '/ignored']).webhookTls, { mode: 'self-managed' });
  assert.deepEqual(ok(['--webhook-mode', 'cert-manager']).webhookTls, { mode: 'cert-manager', certDir: '/etc/tapr-ws/webhook-tls' });
  assert.deepEqual(ok([], { OPERATOR_WEBHOOK_MODE: 'cert-manager', OPERATOR_WEBHOOK_CERT_DIR: '/certs' }).webhookTls, { mode: 'cert-manager', certDir: '/certs' });
  assert.deepEqual(ok(['--webhook-cert-dir', '/flag'], { OPERATOR_WEBHOOK_MODE: 'cert-manager', OPERATOR_WEBHOOK_CERT_DIR: '/env' }).webhookTls, {
    mode: 'cert-manager', certDir: '/flag',
  });
  assert.equal(error(['--webhook-mode', 'manual']), '--webhook-mode="manual" is invalid: expected self-managed or cert-manager');
  assert.equal(error(['--webhook-mode', 'cert-manager', '--webhook-cert-dir', 'certs']), '--webhook-cert-dir="certs" is invalid: expected an absolute directory path');
});

test('restart of outdated pods: off by default, on/off only', () => {
  assert.equal(ok([]).restartOutdated, false);
  assert.equal(ok([], { OPERATOR_RESTART_OUTDATED: 'on' }).restartOutdated, true);
  assert.equal(ok(['--restart-outdated', 'off'], { OPERATOR_RESTART_OUTDATED: 'on' }).restartOutdated, false);
  assert.equal(error([], { OPERATOR_RESTART_OUTDATED: 'yes' }), 'OPERATOR_RESTART_OUTDATED="yes" is invalid: expected on or off');
});

test('watched namespaces: all by default, or a validated, deduplicated list; the error names the bad entry', () => {
  assert.equal(ok([]).watchNamespaces, 'all');
  assert.equal(ok(['--watch-namespaces', 'all']).watchNamespaces, 'all');
  assert.deepEqual(ok([], { OPERATOR_WATCH_NAMESPACES: 'team-a, team-b,team-a' }).watchNamespaces, ['team-a', 'team-b']);
  assert.deepEqual(ok(['--watch-namespaces', 'solo'], { OPERATOR_WATCH_NAMESPACES: 'a,b' }).watchNamespaces, ['solo'], 'the flag wins');
  assert.equal(error(['--watch-namespaces', 'team-a,Team_B']),
    '--watch-namespaces="team-a,Team_B" is invalid: "Team_B" is not a namespace name (lowercase letters, digits and \'-\', at most 63, starting and ending with a letter or digit)');
  assert.match(error([], { OPERATOR_WATCH_NAMESPACES: 'a,,b' }), /^OPERATOR_WATCH_NAMESPACES="a,,b" is invalid: entry 2 is empty/);
  assert.match(error(['--watch-namespaces', 'all,a']), /all cannot be combined with namespace names/);
  assert.match(error(['--watch-namespaces', `n${'x'.repeat(63)}`]), /is not a namespace name/);
});

test('native sidecars: auto means on from Kubernetes 1.29', () => {
  assert.equal(decideNativeSidecars('auto', { major: '1', minor: '29' }), true);
  assert.equal(decideNativeSidecars('auto', { major: '1', minor: '28' }), false);
  assert.equal(decideNativeSidecars('auto', { major: '2', minor: '0' }), true);
  assert.equal(decideNativeSidecars('auto', { major: '', minor: '' }), false);
  assert.equal(decideNativeSidecars('on', { major: '1', minor: '20' }), true);
  assert.equal(decideNativeSidecars('off', { major: '1', minor: '32' }), false);
});

test('the webhook configuration and TLS Secret names default to the operator\'s and take the chart\'s', () => {
  const defaults = ok([]);
  assert.equal(defaults.webhookConfigurationName, 'tapr-ws-operator');
  assert.equal(defaults.webhookSecretName, 'tapr-ws-operator-webhook-tls');
  const named = ok([], { OPERATOR_WEBHOOK_CONFIGURATION_NAME: 'team-a-tapr-ws', OPERATOR_WEBHOOK_SECRET: 'team-a-tapr-ws-tls' });
  assert.equal(named.webhookConfigurationName, 'team-a-tapr-ws');
  assert.equal(named.webhookSecretName, 'team-a-tapr-ws-tls');
  assert.equal(error(['--webhook-secret', 'Bad_Name']), '--webhook-secret="Bad_Name" is invalid: expected a lowercase DNS name');
});

test('reconcile concurrency: 4 by default, 1-64 from the flag or OPERATOR_RECONCILE_CONCURRENCY', () => {
  assert.equal(ok([]).reconcileConcurrency, 4);
  assert.equal(ok(['--reconcile-concurrency', '16']).reconcileConcurrency, 16);
  assert.equal(ok([], { OPERATOR_RECONCILE_CONCURRENCY: '1' }).reconcileConcurrency, 1);
  assert.match(error(['--reconcile-concurrency', '0']), /^--reconcile-concurrency="0" is invalid: expected an integer from 1 to 64$/);
});

test('the per-app NetworkPolicy: off by default; on needs a JSON list of peers, whose errors name the entry', () => {
  assert.equal(ok([]).gatewayNetworkPolicy, undefined);
  const peers = '[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress"}}}]';
  assert.deepEqual(ok(['--gateway-network-policy', 'on', '--gateway-network-policy-from', peers]).gatewayNetworkPolicy, {
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }],
  });
  assert.deepEqual(ok([], { OPERATOR_GATEWAY_NETWORK_POLICY: 'on', OPERATOR_GATEWAY_NETWORK_POLICY_FROM: peers }).gatewayNetworkPolicy?.from.length, 1);
  assert.equal(ok(['--gateway-network-policy-from', peers]).gatewayNetworkPolicy, undefined, 'peers alone do not turn it on');
  assert.match(error(['--gateway-network-policy', 'on']), /^--gateway-network-policy-from \/ OPERATOR_GATEWAY_NETWORK_POLICY_FROM is missing: required with --gateway-network-policy on/);
  assert.match(error(['--gateway-network-policy', 'on', '--gateway-network-policy-from', '[]']), /is invalid: expected at least one peer/);
  assert.match(error(['--gateway-network-policy-from', 'ingress']), /is invalid: expected a JSON list of NetworkPolicy peers/);
  assert.match(error(['--gateway-network-policy-from', '[{"podSelector":{"matchLabels":{"a":1}}}]']), /is invalid: entry 0\.podSelector\.matchLabels\.a: /);
});
