// The operator Deployment: highly available by default, restricted, probed, and configured so that the operator's own
// configuration parser accepts it and ends up with what the values say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOperatorConfig } from '../../operator/src/config.ts';
import { findObject, objectsOfKind, renderChart, renderChartError } from './support/render-chart.ts';
import { operatorContainer, podLabelsOf, podSpecOf, processEnv } from './support/pod-template.ts';
import { SCENARIOS } from './scenarios.ts';

test('by default: 2 replicas, a PodDisruptionBudget keeping 1, replicas spread over nodes, leader election on', async () => {
  const objects = await renderChart();
  const deployment = findObject(objects, 'Deployment');
  assert.equal((deployment.spec as { replicas: number }).replicas, 2);
  assert.deepEqual((deployment.spec as { strategy: unknown }).strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    'a rollout never takes a webhook replica away first');
  const labels = podLabelsOf(deployment);

  const pdb = findObject(objects, 'PodDisruptionBudget');
  const pdbSpec = pdb.spec as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
  assert.equal(pdbSpec.minAvailable, 1);
  assertSelects(pdbSpec.selector.matchLabels, labels, 'the PodDisruptionBudget');

  const antiAffinity = podSpecOf(deployment).affinity?.podAntiAffinity as {
    preferredDuringSchedulingIgnoredDuringExecution: { podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } } }[];
  };
  const term = antiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]!.podAffinityTerm;
  assert.equal(term.topologyKey, 'kubernetes.io/hostname');
  assertSelects(term.labelSelector.matchLabels, labels, 'the anti-affinity term');

  const env = processEnv(operatorContainer(deployment), { namespace: 'tapr-system', name: 'tapr-ws-abc' });
  assert.equal(env.OPERATOR_LEADER_ELECTION, 'on');
});

test('hard anti-affinity requires one node per replica; one replica gets no PodDisruptionBudget', async () => {
  const hard = findObject(await renderChart({ valuesFiles: ['production.yaml'] }), 'Deployment');
  const required = (podSpecOf(hard).affinity?.podAntiAffinity as { requiredDuringSchedulingIgnoredDuringExecution?: unknown[] })
    .requiredDuringSchedulingIgnoredDuringExecution;
  assert.equal(required?.length, 1);

  const single = await renderChart({ set: ['replicaCount=1'] });
  assert.deepEqual(objectsOfKind(single, 'PodDisruptionBudget'), []);
});

test('several replicas without leader election are refused with a message naming the values', async () => {
  await assert.rejects(renderChart({ set: ['replicaCount=3', 'leaderElection.enabled=false'] }), /leaderElection\.enabled must be true when replicaCount > 1/);
});

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: the pod runs restricted (non-root, read-only root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp)`, async () => {
    const deployment = findObject(await renderChart(scenario.options), 'Deployment');
    const pod = podSpecOf(deployment);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
    for (const container of pod.containers) {
      const security = container.securityContext ?? {};
      assert.equal(security.allowPrivilegeEscalation, false, container.name);
      assert.equal(security.readOnlyRootFilesystem, true, container.name);
      assert.equal(security.privileged, false, container.name);
      assert.deepEqual(security.capabilities, { drop: ['ALL'] }, container.name);
      assert.ok(container.resources?.requests?.memory !== undefined && container.resources.limits?.memory !== undefined, `${container.name}: memory request and limit`);
    }
    assert.ok((pod.volumes ?? []).every((volume) => volume.hostPath === undefined && volume.emptyDir === undefined), 'no hostPath, no writable scratch space');
  });

  test(`${scenario.name}: the operator accepts the rendered configuration and its webhook, health and Lease match the chart's objects`, async () => {
    const objects = await renderChart(scenario.options);
    const namespace = scenario.options.namespace ?? 'tapr-system';
    const deployment = findObject(objects, 'Deployment');
    const container = operatorContainer(deployment);
    const parsed = parseOperatorConfig([], processEnv(container, { namespace, name: `${deployment.metadata.name}-abc` }));
    assert.ok(parsed.ok, parsed.ok ? '' : `the operator refuses the chart's configuration: ${parsed.error}`);
    const { config } = parsed;
    assert.equal(config.namespace, namespace);

    const webhookService = objectsOfKind(objects, 'Service').find((service) => service.metadata.name.endsWith('-webhook'));
    assert.ok(webhookService !== undefined);
    const servicePort = (webhookService.spec as { ports: { port: number; targetPort: string }[] }).ports[0]!;
    assert.equal(config.webhook.kind, 'service');
    if (config.webhook.kind !== 'service') return;
    assert.equal(config.webhook.serviceName, webhookService.metadata.name);
    assert.equal(config.webhook.servicePort, servicePort.port);
    assert.equal(config.webhook.host, '0.0.0.0', 'reachable through the Service');
    const containerPort = (name: string): number | undefined => container.ports?.find((port) => port.name === name)?.containerPort;
    assert.equal(containerPort(servicePort.targetPort), config.webhook.port, 'the Service targets the port the webhook listens on');
    assert.equal(containerPort('metrics'), config.health.port);
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
      assert.equal(containerPort(String(probe?.httpGet?.port)), config.health.port, 'probes reach the health server');
    }
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');

    const replicas = (deployment.spec as { replicas: number }).replicas;
    if (replicas > 1) assert.ok(config.leaderElection !== undefined, 'several replicas elect a leader');
    const roleNames = objectsOfKind(objects, 'Role').flatMap((role) => (role.rules as { resources: string[]; resourceNames?: string[] }[])
      .filter((rule) => rule.resources.includes('leases')).flatMap((rule) => rule.resourceNames ?? []));
    if (config.leaderElection !== undefined) assert.deepEqual(roleNames, [config.leaderElection.leaseName], 'RBAC names the Lease the operator uses');
  });
}

test('values reach the operator: gateway image and resources, Redis Secret, status interval, native sidecars, restarts, log level', async () => {
  const deployment = findObject(await renderChart({ valuesFiles: ['production.yaml'] }), 'Deployment');
  const parsed = parseOperatorConfig([], processEnv(operatorContainer(deployment), { namespace: 'tapr-system', name: 'tapr-ws-abc' }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  const { config } = parsed;
  assert.equal(config.settings.image, 'ghcr.io/tapr-ws/ws-gateway:0.1.0');
  assert.equal(config.settings.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(config.settings.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
  assert.deepEqual(config.settings.env, { WS_REQUIRE_USER: 'true' });
  assert.deepEqual(config.redis, { secretName: 'tapr-ws-redis', secretKey: 'url', prefix: 'tapr:ws', secretInPods: true });
  assert.equal(config.statusIntervalMs, 30_000);
  assert.equal(config.nativeSidecars, 'on');
  assert.equal(config.restartOutdated, true);
  assert.equal(config.logLevel, 'warn');
  assert.equal(podSpecOf(deployment).priorityClassName, 'system-cluster-critical');
  assert.equal(operatorContainer(deployment).image, 'ghcr.io/tapr-ws/operator:0.1.0');
});

test('defaults: the operator image and the gateway image follow the chart\'s appVersion; no Redis; every namespace', async () => {
  const deployment = findObject(await renderChart(), 'Deployment');
  assert.equal(operatorContainer(deployment).image, 'ghcr.io/tapr-ws/operator:0.1.0');
  const parsed = parseOperatorConfig([], processEnv(operatorContainer(deployment), { namespace: 'tapr-system', name: 'tapr-ws-abc' }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.config.settings.image, 'ghcr.io/tapr-ws/ws-gateway:0.1.0');
  assert.deepEqual(parsed.config.settings.resources, { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
  assert.equal(parsed.config.redis, undefined);
  assert.equal(parsed.config.watchNamespaces, 'all');
  assert.equal(parsed.config.statusIntervalMs, 10_000);
  assert.equal(parsed.config.nativeSidecars, 'auto');
  assert.equal(parsed.config.restartOutdated, false);
  assert.equal(parsed.config.logLevel, 'info');
});

test('one namespace: the operator watches exactly the listed namespaces', async () => {
  const deployment = findObject(await renderChart({ set: ['watchNamespaces[0]=team-b', 'watchNamespaces[1]=team-a'] }), 'Deployment');
  const parsed = parseOperatorConfig([], processEnv(operatorContainer(deployment), { namespace: 'tapr-system', name: 'tapr-ws-abc' }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.deepEqual(parsed.config.watchNamespaces, ['team-a', 'team-b']);
});

function assertSelects(selector: Record<string, string>, labels: Record<string, string>, what: string): void {
  for (const [key, value] of Object.entries(selector)) assert.equal(labels[key], value, `${what} selects the operator pods (${key})`);
  assert.ok(Object.keys(selector).length >= 2, `${what} is specific to this release`);
}

test('the per-app NetworkPolicy: off by default; on, the operator gets the admin\'s peers plus its own pods, and the reconcile concurrency', async () => {
  const byDefault = parseOperatorConfig([], processEnv(operatorContainer(findObject(await renderChart(), 'Deployment')), { namespace: 'tapr-system', name: 'tapr-ws-abc' }));
  assert.ok(byDefault.ok, byDefault.ok ? '' : byDefault.error);
  assert.equal(byDefault.config.gatewayNetworkPolicy, undefined);
  assert.equal(byDefault.config.reconcileConcurrency, 4);

  const deployment = findObject(await renderChart({ valuesFiles: ['gateway-network-policy.yaml'] }), 'Deployment');
  const parsed = parseOperatorConfig([], processEnv(operatorContainer(deployment), { namespace: 'tapr-system', name: 'tapr-ws-abc' }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.config.reconcileConcurrency, 8);
  const from = parsed.config.gatewayNetworkPolicy?.from ?? [];
  assert.deepEqual(from[0], {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  });
  // The leader samples /stats on 40010: its own pods are always a peer, selected by labels they carry.
  assert.equal(from.length, 2);
  assert.deepEqual(from[1]!.namespaceSelector, { matchLabels: { 'kubernetes.io/metadata.name': 'tapr-system' } });
  const podLabels = podLabelsOf(deployment);
  for (const [key, value] of Object.entries(from[1]!.podSelector?.matchLabels ?? {})) assert.equal(podLabels[key], value, key);
  assert.ok(Object.keys(from[1]!.podSelector?.matchLabels ?? {}).length > 0);
});

test('gateway.networkPolicy.enabled without peers is refused by the values schema', async () => {
  assert.match(await renderChartError({ set: ['gateway.networkPolicy.enabled=true'] }), /at '\/gateway\/networkPolicy\/from': minItems: got 0, want 1/);
});
