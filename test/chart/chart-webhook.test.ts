// The MutatingWebhookConfiguration (SPEC B3) is the very one the operator builds, so in self-managed mode the operator
// only adds its caBundle; cert-manager mode wires Certificate → Secret → mounted files → injected caBundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOperatorConfig } from '../../operator/src/config.ts';
import { buildWebhook, isWebhookConfigurationCurrent } from '../../operator/src/webhook/webhook-configuration.ts';
import { findObject, objectsOfKind, renderChart, type RenderOptions } from './support/render-chart.ts';
import type { KubeObject } from './support/parse-manifests.ts';
import { operatorContainer, podSpecOf, processEnv } from './support/pod-template.ts';

/** The default release's names: its full name, and that name with -webhook-tls for the self-managed Secret. */
const OPERATOR_WEBHOOK_CONFIGURATION = 'tapr-ws';

interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  rules: { operations: string[]; apiGroups: string[]; resources: string[] }[];
  objectSelector: unknown;
  namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  clientConfig: { caBundle?: string; service?: { name: string; namespace: string; path: string; port: number } };
}

async function renderWebhook(options: RenderOptions): Promise<{ objects: KubeObject[]; configuration: KubeObject; webhook: Webhook }> {
  const objects = await renderChart(options);
  const configuration = findObject(objects, 'MutatingWebhookConfiguration');
  const webhooks = configuration.webhooks as Webhook[];
  assert.equal(webhooks.length, 1);
  return { objects, configuration, webhook: webhooks[0]! };
}

test('SPEC B3: Pod CREATE only, filtered on tapr.io/manifest, failurePolicy Ignore, sideEffects None, timeout at most 5 s', async () => {
  const { configuration, webhook } = await renderWebhook({});
  assert.equal(configuration.metadata.name, OPERATOR_WEBHOOK_CONFIGURATION);
  assert.equal(webhook.failurePolicy, 'Ignore');
  assert.equal(webhook.sideEffects, 'None');
  assert.ok(webhook.timeoutSeconds >= 1 && webhook.timeoutSeconds <= 5);
  assert.deepEqual(webhook.rules.map((rule) => [rule.operations, rule.apiGroups, rule.resources]), [[['CREATE'], [''], ['pods']]]);
  assert.deepEqual(webhook.objectSelector, { matchExpressions: [{ key: 'tapr.io/manifest', operator: 'Exists' }] });
  assert.equal(webhook.clientConfig.caBundle, undefined, 'the chart never writes a caBundle (the operator or cert-manager does)');
});

test('the namespaceSelector excludes kube-system and the release namespace, and limits to the watched namespaces', async () => {
  const excluded = (await renderWebhook({ namespace: 'platform' })).webhook.namespaceSelector.matchExpressions;
  assert.deepEqual(excluded, [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'platform'] }]);
  const limited = (await renderWebhook({ valuesFiles: ['one-namespace.yaml'] })).webhook.namespaceSelector.matchExpressions;
  assert.deepEqual(limited, [
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'tapr-system'] },
    { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['apps'] },
  ]);
});

for (const options of [{}, { namespace: 'platform', releaseName: 'ws' }, { valuesFiles: ['one-namespace.yaml'] }, { valuesFiles: ['production.yaml'] }]) {
  test(`self-managed ${JSON.stringify(options)}: the operator finds the chart's webhook current once it has added its caBundle`, async () => {
    const { objects, webhook, configuration } = await renderWebhook(options);
    const deployment = findObject(objects, 'Deployment');
    const namespace = options.namespace ?? 'tapr-system';
    const parsed = parseOperatorConfig([], processEnv(operatorContainer(deployment), { namespace, name: 'operator-abc' }));
    assert.ok(parsed.ok && parsed.config.webhook.kind === 'service');
    const { config } = parsed;
    if (config.webhook.kind !== 'service') return;
    // What start-operator.ts hands the certificate manager for this configuration.
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
    const desired = buildWebhook({
      name: config.webhookConfigurationName,
      clientConfig: { service: { name: config.webhook.serviceName, namespace: config.namespace, path: '/mutate-pods', port: config.webhook.servicePort } },
      caBundle,
      excludedNamespaces: ['kube-system', config.namespace],
      ...(config.watchNamespaces === 'all' ? {} : { includedNamespaces: config.watchNamespaces }),
    });
    const afterOperator = { webhooks: [{ ...webhook, clientConfig: { ...webhook.clientConfig, caBundle } }] };
    assert.ok(isWebhookConfigurationCurrent(afterOperator, desired), `the operator would rewrite the chart's webhook:\n${JSON.stringify(webhook)}\n${JSON.stringify(desired)}`);
    const { caBundle: _ignored, ...desiredClientConfig } = desired.clientConfig as Record<string, unknown>;
    assert.deepEqual(webhook, { ...desired, clientConfig: desiredClientConfig }, 'field for field what the operator writes, less the caBundle');

    const service = findObject(objects, 'Service', config.webhook.serviceName);
    assert.equal(service.metadata.namespace, namespace);
    // The operator keeps current exactly the objects the chart renders (and helm uninstall removes).
    assert.equal(configuration.metadata.name, config.webhookConfigurationName);
    const secret = findObject(objects, 'Secret', config.webhookSecretName);
    assert.equal(secret.data, undefined, 'the operator fills the Secret; the chart only owns its lifecycle');
    assert.equal(config.webhookTls.mode, 'self-managed');
  });
}

test('cert-manager with the chart\'s CA: self-signed Issuer → CA Certificate → CA Issuer → serving Certificate for the Service, mounted where the operator reads it', async () => {
  const { objects, configuration, webhook } = await renderWebhook({ valuesFiles: ['cert-manager.yaml'] });
  const issuers = objectsOfKind(objects, 'Issuer');
  const selfSigned = issuers.find((issuer) => (issuer.spec as { selfSigned?: unknown }).selfSigned !== undefined);
  const caIssuer = issuers.find((issuer) => (issuer.spec as { ca?: unknown }).ca !== undefined);
  assert.ok(selfSigned !== undefined && caIssuer !== undefined);
  const certificates = objectsOfKind(objects, 'Certificate');
  const ca = certificates.find((certificate) => (certificate.spec as { isCA?: boolean }).isCA === true);
  assert.ok(ca !== undefined);
  const caSpec = ca.spec as { secretName: string; issuerRef: { name: string; kind: string } };
  assert.deepEqual(caSpec.issuerRef, { name: selfSigned.metadata.name, kind: 'Issuer', group: 'cert-manager.io' });
  assert.equal((caIssuer.spec as { ca: { secretName: string } }).ca.secretName, caSpec.secretName);
  const serving = certificates.find((certificate) => certificate !== ca);
  assert.ok(serving !== undefined);
  assert.deepEqual((serving.spec as { issuerRef: unknown }).issuerRef, { name: caIssuer.metadata.name, kind: 'Issuer', group: 'cert-manager.io' });
  assertCertManagerWiring(objects, configuration, webhook, serving);
});

test('cert-manager with the admin\'s ClusterIssuer: only the serving Certificate, issued by it', async () => {
  const { objects, configuration, webhook } = await renderWebhook({ valuesFiles: ['cert-manager-issuer.yaml'] });
  assert.deepEqual(objectsOfKind(objects, 'Issuer'), []);
  const certificates = objectsOfKind(objects, 'Certificate');
  assert.equal(certificates.length, 1);
  assert.deepEqual((certificates[0]!.spec as { issuerRef: unknown }).issuerRef, { name: 'company-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  assertCertManagerWiring(objects, configuration, webhook, certificates[0]!);
});

function assertCertManagerWiring(objects: KubeObject[], configuration: KubeObject, webhook: Webhook, serving: KubeObject): void {
  assert.equal(configuration.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${serving.metadata.namespace}/${serving.metadata.name}`);
  assert.equal(webhook.clientConfig.caBundle, undefined);
  const service = webhook.clientConfig.service!;
  const spec = serving.spec as { dnsNames: string[]; secretName: string };
  assert.ok(spec.dnsNames.includes(`${service.name}.${service.namespace}.svc`), `the certificate names the Service the API server calls: ${spec.dnsNames.join(', ')}`);
  assert.deepEqual(objectsOfKind(objects, 'Secret'), [], 'cert-manager writes the Secret');

  const deployment = findObject(objects, 'Deployment');
  const container = operatorContainer(deployment);
  const volume = podSpecOf(deployment).volumes?.find((candidate) => candidate.secret?.secretName === spec.secretName);
  assert.ok(volume !== undefined, 'the serving certificate\'s Secret is a volume');
  const mount = container.volumeMounts?.find((candidate) => candidate.name === volume.name);
  assert.equal(mount?.readOnly, true);
  const parsed = parseOperatorConfig([], processEnv(container, { namespace: 'tapr-system', name: 'operator-abc' }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.deepEqual(parsed.config.webhookTls, { mode: 'cert-manager', certDir: mount.mountPath });
}
