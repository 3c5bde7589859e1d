// The webhook registration: SPEC B3 settings, and "current" ignores API defaults but notices a new caBundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWebhook, buildWebhookConfiguration, isWebhookConfigurationCurrent } from './webhook-configuration.ts';

const input = { name: 'tapr-ws-operator', clientConfig: { url: 'https://127.0.0.1:9443/mutate-pods' }, caBundle: 'Q0E=', excludedNamespaces: ['tapr-system', 'kube-system'] };

test('Pod CREATE only, objectSelector on tapr.io/manifest, Ignore, no side effects, 5 s, system namespaces excluded', () => {
  const configuration = buildWebhookConfiguration(input) as { kind: string; webhooks: Record<string, unknown>[] };
  assert.equal(configuration.kind, 'MutatingWebhookConfiguration');
  const [webhook] = configuration.webhooks;
  assert.equal(webhook!.failurePolicy, 'Ignore');
  assert.equal(webhook!.sideEffects, 'None');
  assert.equal(webhook!.timeoutSeconds, 5);
  assert.deepEqual(webhook!.rules, [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }]);
  assert.deepEqual(webhook!.objectSelector, { matchExpressions: [{ key: 'tapr.io/manifest', operator: 'Exists' }] });
  assert.deepEqual(webhook!.namespaceSelector, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'tapr-system'] }] });
  assert.deepEqual(webhook!.clientConfig, { url: 'https://127.0.0.1:9443/mutate-pods', caBundle: 'Q0E=' });
});

test('a stored configuration with API defaults added is current; another caBundle or URL is not', () => {
  const stored = buildWebhookConfiguration(input) as { webhooks: Record<string, unknown>[] };
  stored.webhooks[0] = { ...stored.webhooks[0], extraDefault: 'x' };
  assert.equal(isWebhookConfigurationCurrent(stored, buildWebhook(input)), true);
  assert.equal(isWebhookConfigurationCurrent(stored, buildWebhook({ ...input, caBundle: 'TkVX' })), false);
  assert.equal(isWebhookConfigurationCurrent(stored, buildWebhook({ ...input, clientConfig: { url: 'https://127.0.0.1:1/mutate-pods' } })), false);
  assert.equal(isWebhookConfigurationCurrent({ webhooks: [] }, buildWebhook(input)), false);
});

test('a Service client config is current as stored; another path is not', () => {
  const service = { ...input, clientConfig: { service: { name: 'op', namespace: 'tapr-system', path: '/mutate-pods', port: 443 } } };
  const stored = structuredClone(buildWebhookConfiguration(service)) as { webhooks: { clientConfig: { service: Record<string, unknown> } }[] };
  assert.equal(isWebhookConfigurationCurrent(stored, buildWebhook(service)), true);
  stored.webhooks[0]!.clientConfig.service.path = '/other';
  assert.equal(isWebhookConfigurationCurrent(stored, buildWebhook(service)), false);
});

test('with watched namespaces, the namespaceSelector also requires one of them, and a stored selector without that list is not current', () => {
  const limited = { ...input, includedNamespaces: ['team-b', 'team-a', 'team-b'] };
  const webhook = buildWebhook(limited);
  assert.deepEqual(webhook.namespaceSelector, { matchExpressions: [
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'tapr-system'] },
    { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a', 'team-b'] },
  ] });
  assert.equal(isWebhookConfigurationCurrent(buildWebhookConfiguration(input), webhook), false, 'switching to a list updates the registration');
  assert.equal(isWebhookConfigurationCurrent(buildWebhookConfiguration(limited), buildWebhook(input)), false, 'and back to all');
});
