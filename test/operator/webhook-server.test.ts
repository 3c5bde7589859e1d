// The webhook's HTTPS edge on loopback: AdmissionReview in and out over TLS, 400 for bodies it cannot answer,
// and a certificate swapped in place without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createCertificateAuthority, issueServingCertificate } from '../../operator/src/webhook/certificates.ts';
import { startWebhookServer } from '../../operator/src/webhook/webhook-server.ts';
import { testSettings } from './operator-env.ts';

async function post(url: string, caPem: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return await new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', ca: caPem, headers: { 'Content-Type': 'application/json' }, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

test('AdmissionReviews are answered over TLS; unreadable bodies get 400; a new certificate is served without a restart', async (t) => {
  const now = new Date();
  const firstCa = await createCertificateAuthority({ commonName: 'first', validMs: 86_400_000, now });
  const names = { dnsNames: [], ipAddresses: ['127.0.0.1'] };
  const first = await issueServingCertificate(firstCa, { commonName: 'w', ...names, validMs: 86_400_000, now });
  const settings = testSettings();
  const server = await startWebhookServer({
    host: '127.0.0.1', port: 0, certificate: first,
    context: () => ({ lookupManifest: () => ({ kind: 'websocket', url: '/ws', port: 8888 }), settings, nativeSidecars: false }),
  });
  t.after(() => server.close());
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/mutate-pods$/);
  const review = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: 'u1', kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'apps', operation: 'CREATE',
      object: { metadata: { name: 'p', labels: { 'tapr.io/manifest': 'm' } }, spec: { containers: [{ name: 'app', image: 'a' }] } },
    },
  });
  const answer = await post(server.url, firstCa.certPem, review);
  assert.equal(answer.status, 200);
  const response = answer.json.response as { uid: string; allowed: boolean; patchType: string };
  assert.deepEqual([response.uid, response.allowed, response.patchType], ['u1', true, 'JSONPatch']);
  assert.equal((await post(server.url, firstCa.certPem, '{not json')).status, 400);
  assert.equal((await post(server.url, firstCa.certPem, '{"kind":"AdmissionReview"}')).status, 400);

  const secondCa = await createCertificateAuthority({ commonName: 'second', validMs: 86_400_000, now });
  server.setCertificate(await issueServingCertificate(secondCa, { commonName: 'w', ...names, validMs: 86_400_000, now }));
  assert.equal((await post(server.url, secondCa.certPem, review)).status, 200);
  await assert.rejects(post(server.url, firstCa.certPem, review), /certificate|verify|self-signed/i);
});

test('a review whose pod nests 200,000 levels deep is admitted unchanged and reported as reviewed, not as a failure (F16)', async (t) => {
  const now = new Date();
  const ca = await createCertificateAuthority({ commonName: 'deep', validMs: 86_400_000, now });
  const certificate = await issueServingCertificate(ca, { commonName: 'w', dnsNames: [], ipAddresses: ['127.0.0.1'], validMs: 86_400_000, now });
  const settings = testSettings();
  const outcomes: string[] = [];
  const server = await startWebhookServer({
    host: '127.0.0.1', port: 0, certificate,
    context: () => ({ lookupManifest: () => ({ kind: 'websocket', url: '/ws', port: 8888 }), settings, nativeSidecars: false }),
    onAdmission: (outcome) => outcomes.push(outcome.kind === 'reviewed' ? `reviewed/${outcome.decision.kind}` : outcome.kind),
  });
  t.after(() => server.close());
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
  const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-deep","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"apps","operation":"CREATE","object":{"metadata":{"name":"p","labels":{"tapr.io/manifest":"m"}},"spec":{"containers":[{"name":"app","image":"a","x":${deep}}]}}}}`;
  const answer = await post(server.url, ca.certPem, body);
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json.response, { uid: 'u-deep', allowed: true });
  assert.deepEqual(outcomes, ['reviewed/ignored']);
});
