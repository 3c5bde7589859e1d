// Webhook TLS in cert-manager mode on the local cluster. The test plays cert-manager (a CA and serving certificates),
// the kubelet (the Secret's files in a directory swapped through a `..data` symlink) and the Helm chart (the
// MutatingWebhookConfiguration with the caBundle). The operator stays not ready without files, then serves them,
// injects pods, picks up a rotation without a restart, keeps the last good pair when the files turn bad, and never
// writes a Secret or the webhook configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../cluster/tls/certificates.ts';
import { startOperator } from '../../operator/src/start-operator.ts';
import { buildWebhookConfiguration } from '../../operator/src/webhook/webhook-configuration.ts';
import {
  createManifest, createNamespace, eventually, manifestText, OPERATOR_NAMESPACE, startTestCluster, testOperatorOptions, testSettings, uniqueName,
} from './operator-env.ts';
import { spawnOperator } from './operator-process.ts';

const WEBHOOK_CONFIGURATIONS = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** Writes tls.crt / tls.key as the kubelet lays out a mounted Secret: a timestamped directory, `..data` → it, files → `..data/…`. */
async function writeMountedSecret(dir: string, generation: number, files: { 'tls.crt': string; 'tls.key': string }): Promise<void> {
  const versioned = `..2026_11_22_${generation}`;
  await mkdir(join(dir, versioned));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, versioned, name), content);
  await symlink(versioned, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  if (generation === 1) for (const name of Object.keys(files)) await symlink(join('..data', name), join(dir, name));
}

/** The serial number of the certificate a new TLS connection to the webhook sees. */
async function servedSerial(port: number, caPem: string): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial.toUpperCase());
    });
    socket.on('error', reject);
  });
}

function serialOf(certificate: IssuedCertificate): string {
  return new X509Certificate(certificate.certPem).serialNumber.toUpperCase();
}

async function secretNames(api: { request<T>(req: { method: 'GET'; path: string }): Promise<T> }): Promise<string[]> {
  const list = await api.request<{ items: { metadata: { namespace: string; name: string } }[] }>({ method: 'GET', path: '/api/v1/secrets' });
  return list.items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`).sort();
}

test('cert-manager mode: serves the mounted pair, injects pods, reloads a rotation without a restart, writes no Secret nor webhook configuration', async (t) => {
  const env = await startTestCluster();
  t.after(() => env.stop());
  const certDir = await mkdtemp(join(tmpdir(), 'tapr-webhook-tls-'));
  t.after(() => rm(certDir, { recursive: true, force: true }));
  const secretsBefore = await secretNames(env.api);

  const logs: Record<string, unknown>[] = [];
  const operator = await startOperator(testOperatorOptions(env.connection, testSettings(), logs, {
    webhookTls: { mode: 'cert-manager', certDir, pollIntervalMs: 100 },
  }));
  t.after(() => operator.stop());
  assert.equal(operator.isReady(), false, 'not ready without a certificate');
  assert.ok(
    logs.some((entry) => entry.level === 'error' && entry.msg === `webhook certificate not loaded: ${join(certDir, 'tls.crt')} does not exist (is the cert-manager Secret mounted there?)`),
    `an error naming the missing file; logs: ${JSON.stringify(logs)}`,
  );

  // cert-manager issues the certificate; the kubelet mounts it; the chart's webhook configuration gets the caBundle.
  const ca = await createCertificateAuthority({ commonName: 'cert-manager-test-ca' });
  const first = await issueCertificate(ca, { commonName: 'tapr-ws-webhook', ipAddresses: ['127.0.0.1'], usage: 'server' });
  await writeMountedSecret(certDir, 1, { 'tls.crt': first.certPem, 'tls.key': first.keyPem });
  await eventually('the operator to be ready', () => (operator.isReady() ? true : undefined), 10_000);
  assert.equal(await servedSerial(operator.webhook.port, ca.certPem), serialOf(first));

  const configuration = buildWebhookConfiguration({
    name: 'tapr-ws-chart', clientConfig: { url: operator.webhook.url }, caBundle: Buffer.from(ca.certPem).toString('base64'),
    excludedNamespaces: ['kube-system', OPERATOR_NAMESPACE],
  });
  (configuration.metadata as Record<string, unknown>).annotations = { 'cert-manager.io/inject-ca-from': `${OPERATOR_NAMESPACE}/tapr-ws-webhook` };
  const created = await env.api.request<{ metadata: { resourceVersion: string } }>({ method: 'POST', path: WEBHOOK_CONFIGURATIONS, body: configuration });

  const namespace = uniqueName('cm');
  await createNamespace(env.api, namespace);
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  await eventually('the ConfigMap in the cache', () => operator.informers.configMaps.get(namespace, 'm'));
  const createPod = async (name: string): Promise<boolean> => {
    const pod = await env.api.request<{ spec: { initContainers?: { name: string }[] } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/pods`,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { 'tapr.io/manifest': 'm' } }, spec: { containers: [{ name: 'app', image: 'a:1' }] } },
    });
    return pod.spec.initContainers?.some((container) => container.name === 'ws-gateway') === true;
  };
  assert.equal(await createPod('before-rotation'), true, 'an opted-in pod is injected');

  // cert-manager renews: a new certificate from the same CA, swapped in by the kubelet while pods are being created.
  const second = await issueCertificate(ca, { commonName: 'tapr-ws-webhook', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const during = Promise.all(Array.from({ length: 8 }, (_, index) => createPod(`during-${index}`)));
  await writeMountedSecret(certDir, 2, { 'tls.crt': second.certPem, 'tls.key': second.keyPem });
  assert.deepEqual((await during).filter((injected) => !injected), [], 'no pod admitted without the gateway during the rotation');
  await eventually('the new certificate served', async () => ((await servedSerial(operator.webhook.port, ca.certPem)) === serialOf(second) ? true : undefined), 10_000);
  assert.equal(await createPod('after-rotation'), true, 'admissions work with the new certificate');

  // A bad pair (a key of another certificate) is refused naming the file; the last good certificate stays in use.
  const stranger = await issueCertificate(ca, { commonName: 'other', ipAddresses: ['127.0.0.1'], usage: 'server' });
  await writeMountedSecret(certDir, 3, { 'tls.crt': second.certPem, 'tls.key': stranger.keyPem });
  const mismatch = `webhook certificate not loaded: ${join(certDir, 'tls.key')} does not belong to the certificate in ${join(certDir, 'tls.crt')} (the previous one stays in use)`;
  await eventually('the bad pair reported', () => (logs.some((entry) => entry.msg === mismatch) ? true : undefined), 10_000);
  assert.equal(await servedSerial(operator.webhook.port, ca.certPem), serialOf(second));
  assert.equal(operator.isReady(), true);
  assert.equal(await createPod('after-bad-files'), true);

  assert.deepEqual(await secretNames(env.api), secretsBefore, 'the operator created no Secret');
  const configurations = await env.api.request<{ items: { metadata: { name: string; resourceVersion: string } }[] }>({ method: 'GET', path: WEBHOOK_CONFIGURATIONS });
  assert.deepEqual(configurations.items.map((item) => [item.metadata.name, item.metadata.resourceVersion]), [['tapr-ws-chart', created.metadata.resourceVersion]],
    'the operator neither created nor changed a webhook configuration');
});

test('npm run operator -- --webhook-mode cert-manager: /readyz answers 503 (the missing file named in the log) until the mounted files appear, then 200', async (t) => {
  const env = await startTestCluster({ images: false });
  t.after(() => env.stop());
  const certDir = await mkdtemp(join(tmpdir(), 'tapr-webhook-tls-'));
  t.after(() => rm(certDir, { recursive: true, force: true }));
  const operator = spawnOperator([
    '--namespace', OPERATOR_NAMESPACE, '--webhook-mode', 'cert-manager', '--webhook-cert-dir', certDir,
    '--webhook-port', '0', '--health-host', '127.0.0.1', '--health-port', '0', '--leader-election', 'off',
  ], { KUBECONFIG: env.cluster.kubeconfigPath });
  t.after(() => operator.stop());
  const { logs } = operator;
  const ready = await eventually('the "operator ready" line', () => {
    if (operator.child.exitCode !== null) throw new Error(`operator exited ${operator.child.exitCode}: ${operator.stderr()}`);
    return logs.find((entry) => entry.msg === 'operator ready');
  }, 60_000);
  assert.equal(ready.webhookTls, 'cert-manager');
  assert.ok(logs.some((entry) => entry.msg === `webhook certificate not loaded: ${join(certDir, 'tls.crt')} does not exist (is the cert-manager Secret mounted there?)`));
  assert.equal((await fetch(`${String(ready.healthUrl)}/readyz`)).status, 503);

  const ca = await createCertificateAuthority({ commonName: 'cert-manager-test-ca' });
  const serving = await issueCertificate(ca, { commonName: 'tapr-ws-webhook', ipAddresses: ['127.0.0.1'], usage: 'server' });
  await writeMountedSecret(certDir, 1, { 'tls.crt': serving.certPem, 'tls.key': serving.keyPem });
  // Read again within the 5 s poll interval.
  await eventually('/readyz 200', async () => ((await fetch(`${String(ready.healthUrl)}/readyz`)).status === 200 ? true : undefined), 15_000);
  assert.ok(logs.some((entry) => entry.msg === 'webhook certificate loaded' && entry.serialNumber === serialOf(serving)));
  const configurations = await env.api.request<{ items: unknown[] }>({ method: 'GET', path: WEBHOOK_CONFIGURATIONS });
  assert.deepEqual(configurations.items, [], 'no webhook configuration registered by the operator');
});
