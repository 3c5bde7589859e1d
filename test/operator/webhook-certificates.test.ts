// Webhook TLS managed by the operator: Secret + caBundle on first start, renewal before expiry without a restart,
// a second replica reusing the Secret, and a rotation during pod creation failing no admission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../cluster/start-cluster.ts';
import { createApiClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import { CertificateManager } from '../../operator/src/webhook/certificate-manager.ts';
import type { ServingCertificate } from '../../operator/src/webhook/certificates.ts';
import { createManifest, createNamespace, eventually, manifestText, OPERATOR_NAMESPACE, startOperatorEnv, uniqueName } from './operator-env.ts';

const DAY = 24 * 3600 * 1000;

interface SecretBody { data: Record<string, string> }
interface WebhookConfigurationBody { webhooks: { clientConfig: { caBundle: string; url?: string } }[] }

/** The certificate a TLS client sees on a new connection. */
async function servedFingerprint(port: number, caPem: string): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

test('the certificate manager creates the Secret and caBundle, keeps them while valid, and renews the serving certificate before expiry', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-certs-'));
  const cluster = await startCluster({ dir });
  t.after(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const api = createApiClient(await connectWithKubeconfigText(cluster.kubeconfig, dir));
  t.after(() => api.close());
  await createNamespace(api, 'ops');
  let now = new Date();
  const loaded: ServingCertificate[] = [];
  const options = {
    api, namespace: 'ops', secretName: 'webhook-tls', names: { dnsNames: [], ipAddresses: ['127.0.0.1'] },
    webhook: { name: 'tapr-ws-test', clientConfig: { url: 'https://127.0.0.1:9/mutate-pods' }, excludedNamespaces: ['kube-system', 'ops'] },
    now: () => now,
  };
  const manager = new CertificateManager({ ...options, onCertificate: (certificate) => loaded.push(certificate) });
  await manager.ensure();
  const secretPath = '/api/v1/namespaces/ops/secrets/webhook-tls';
  const secret = await api.request<SecretBody>({ method: 'GET', path: secretPath });
  const caPem = Buffer.from(secret.data['ca.crt']!, 'base64').toString();
  const configuration = await api.request<WebhookConfigurationBody>({ method: 'GET', path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/tapr-ws-test' });
  assert.equal(Buffer.from(configuration.webhooks[0]!.clientConfig.caBundle, 'base64').toString().trim(), caPem.trim());
  assert.equal(loaded.length, 1);
  assert.ok(new X509Certificate(loaded[0]!.certPem).verify(new X509Certificate(caPem).publicKey));

  await manager.ensure();
  assert.equal(loaded.length, 1, 'nothing changes while the certificate is valid');
  assert.equal(manager.rotations, 1);

  const replica: ServingCertificate[] = [];
  await new CertificateManager({ ...options, onCertificate: (certificate) => replica.push(certificate) }).ensure();
  assert.deepEqual(replica, loaded, 'another replica serves the same certificate from the Secret');

  now = new Date(now.getTime() + 300 * DAY);
  await manager.ensure();
  assert.equal(loaded.length, 2, 'renewed within 90 days of expiry');
  assert.notEqual(loaded[1]!.certPem, loaded[0]!.certPem);
  const renewedSecret = await api.request<SecretBody>({ method: 'GET', path: secretPath });
  assert.equal(Buffer.from(renewedSecret.data['ca.crt']!, 'base64').toString(), caPem, 'the CA is kept, so the caBundle stays valid');
  assert.equal(Buffer.from(renewedSecret.data['tls.crt']!, 'base64').toString(), loaded[1]!.certPem);
});

test('a certificate rotated while pods are being created: every pod is injected, and the server serves the new certificate without a restart', async (t) => {
  const env = await startOperatorEnv();
  t.after(() => env.stop());
  const namespace = uniqueName('rot');
  await createNamespace(env.api, namespace);
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  await eventually('the ConfigMap in the cache', () => env.operator.informers.configMaps.get(namespace, 'm'));
  const secretPath = `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets/tapr-ws-operator-webhook-tls`;
  const secret = await env.api.request<SecretBody & { metadata: Record<string, unknown> }>({ method: 'GET', path: secretPath });
  const caPem = Buffer.from(secret.data['ca.crt']!, 'base64').toString();
  const before = await servedFingerprint(env.operator.webhook.port, caPem);

  const createPod = async (index: number): Promise<boolean> => {
    const pod = await env.api.request<{ spec: { initContainers?: { name: string }[] } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/pods`,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${index}`, labels: { 'tapr.io/manifest': 'm' } }, spec: { containers: [{ name: 'app', image: 'a:1' }] } },
    });
    return pod.spec.initContainers?.some((container) => container.name === 'ws-gateway') === true;
  };
  // Dropping the serving certificate from the Secret forces the next check to issue and load a new one.
  const { 'tls.crt': _cert, 'tls.key': _key, ...keep } = secret.data;
  const rotate = async (): Promise<void> => {
    await env.api.request({ method: 'PUT', path: secretPath, body: { ...secret, data: keep } });
    await env.operator.certificates.ensure();
  };
  const results = await Promise.all([...Array.from({ length: 15 }, (_, index) => createPod(index)), rotate().then(() => true)]);
  const more = await Promise.all(Array.from({ length: 5 }, (_, index) => createPod(100 + index)));
  assert.deepEqual([...results, ...more].filter((injected) => !injected).length, 0, 'a pod was admitted without the gateway');
  const after = await servedFingerprint(env.operator.webhook.port, caPem);
  assert.notEqual(after, before, 'the new certificate is served on new connections');
});
