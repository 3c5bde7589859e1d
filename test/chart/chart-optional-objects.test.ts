// NetworkPolicy and ServiceMonitor appear only when enabled and open exactly what the operator uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findObject, objectsOfKind, renderChart } from './support/render-chart.ts';
import { operatorContainer, podLabelsOf } from './support/pod-template.ts';

test('by default: no NetworkPolicy and no ServiceMonitor', async () => {
  const objects = await renderChart();
  assert.deepEqual(objectsOfKind(objects, 'NetworkPolicy'), []);
  assert.deepEqual(objectsOfKind(objects, 'ServiceMonitor'), []);
});

interface NetworkPolicyPort { port: string | number; protocol: string }
interface NetworkPolicyRule { ports: NetworkPolicyPort[]; to?: Record<string, unknown>[]; from?: Record<string, unknown>[] }

test('NetworkPolicy: in to the webhook and metrics ports only; out to the API server, DNS and the gateways\' /stats port only', async () => {
  const objects = await renderChart({ valuesFiles: ['network-policy.yaml'] });
  const policy = findObject(objects, 'NetworkPolicy');
  const spec = policy.spec as { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: NetworkPolicyRule[]; egress: NetworkPolicyRule[] };
  const podLabels = podLabelsOf(findObject(objects, 'Deployment'));
  for (const [key, value] of Object.entries(spec.podSelector.matchLabels)) assert.equal(podLabels[key], value);
  assert.deepEqual(spec.policyTypes, ['Ingress', 'Egress']);

  const containerPorts = operatorContainer(findObject(objects, 'Deployment')).ports ?? [];
  assert.deepEqual(spec.ingress.flatMap((rule) => rule.ports.map((port) => port.port)).sort(), containerPorts.map((port) => port.name).sort());
  const metricsRule = spec.ingress.find((rule) => rule.ports.some((port) => port.port === 'metrics'));
  assert.deepEqual(metricsRule?.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);

  const egressPorts = spec.egress.map((rule) => rule.ports.map((port) => `${port.protocol}/${port.port}`).join(','));
  assert.deepEqual(egressPorts, ['TCP/6443', 'UDP/53,TCP/53', 'TCP/40010']);
  assert.deepEqual(spec.egress[0]!.to, [{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  assert.deepEqual(spec.egress[2]!.to, [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tapr.io/manifest', operator: 'Exists' }] } }]);
});

test('NetworkPolicy: webhookFrom limits who reaches the webhook port (by default: anyone, the API server is not a pod)', async () => {
  const ingressOf = async (files: string[]): Promise<NetworkPolicyRule[]> =>
    (findObject(await renderChart({ valuesFiles: files }), 'NetworkPolicy').spec as { ingress: NetworkPolicyRule[] }).ingress;
  const webhookRule = (rules: NetworkPolicyRule[]) => rules.find((rule) => rule.ports.some((port) => port.port === 'webhook'));
  assert.equal(webhookRule(await ingressOf(['network-policy.yaml']))?.from, undefined);
  assert.deepEqual(webhookRule(await ingressOf(['gateway-network-policy.yaml']))?.from, [{ ipBlock: { cidr: '10.0.0.1/32' } }]);
});

test('the per-app NetworkPolicy is the operator\'s (per app, at run time): the chart renders none for it', async () => {
  const objects = await renderChart({ set: ['gateway.networkPolicy.enabled=true', 'gateway.networkPolicy.from[0].namespaceSelector.matchLabels.team=edge'] });
  assert.deepEqual(objectsOfKind(objects, 'NetworkPolicy'), []);
});

test('NetworkPolicy with watched namespaces: /stats only to gateways in those namespaces', async () => {
  const objects = await renderChart({ valuesFiles: ['network-policy.yaml', 'one-namespace.yaml'] });
  const egress = (findObject(objects, 'NetworkPolicy').spec as { egress: NetworkPolicyRule[] }).egress;
  assert.deepEqual(egress.find((rule) => rule.ports.some((port) => port.port === 40010))?.to, [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
    podSelector: { matchExpressions: [{ key: 'tapr.io/manifest', operator: 'Exists' }] },
  }]);
});

test('ServiceMonitor: scrapes /metrics through the metrics Service only, with the admin\'s labels', async () => {
  const objects = await renderChart({ valuesFiles: ['production.yaml'] });
  const monitor = findObject(objects, 'ServiceMonitor');
  assert.equal(monitor.metadata.labels?.release, 'prometheus');
  const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; endpoints: Record<string, unknown>[] };
  assert.deepEqual(spec.namespaceSelector.matchNames, ['tapr-system']);
  assert.deepEqual(spec.endpoints, [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s', scrapeTimeout: '10s' }]);
  const selected = objectsOfKind(objects, 'Service').filter((service) => Object.entries(spec.selector.matchLabels)
    .every(([key, value]) => service.metadata.labels?.[key] === value));
  assert.deepEqual(selected.map((service) => service.metadata.name), ['tapr-ws-metrics']);
  const servicePorts = (selected[0]!.spec as { ports: { name: string; targetPort: string }[] }).ports;
  assert.deepEqual(servicePorts.map((port) => [port.name, port.targetPort]), [['metrics', 'metrics']]);
});
