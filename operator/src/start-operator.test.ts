// The pure steps of startOperator: webhook certificate names and client config, resuming a regained Lease, the first-round wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstSamplingWaitMs, REGAIN_WITHOUT_SAMPLING_MS, resumesWithoutSampling, webhookCertificateNames, webhookClientConfig } from './start-operator.ts';

test('out of cluster the certificate names the URL host, as an IP address or a DNS name', () => {
  assert.deepEqual(webhookCertificateNames({ kind: 'url', host: '127.0.0.1', port: 0 }, 'tapr-system'), { dnsNames: [], ipAddresses: ['127.0.0.1'] });
  assert.deepEqual(webhookCertificateNames({ kind: 'url', host: 'op.local', port: 0 }, 'tapr-system'), { dnsNames: ['op.local'], ipAddresses: [] });
});

test('in cluster the certificate names the Service, short form first', () => {
  const exposure = { kind: 'service', host: '0.0.0.0', port: 9443, serviceName: 'tapr-ws', servicePort: 443 } as const;
  assert.deepEqual(webhookCertificateNames(exposure, 'ops'), { dnsNames: ['tapr-ws.ops.svc', 'tapr-ws.ops.svc.cluster.local'], ipAddresses: [] });
  assert.deepEqual(webhookClientConfig(exposure, 'ops', 'https://0.0.0.0:9443/mutate-pods'), {
    service: { name: 'tapr-ws', namespace: 'ops', path: '/mutate-pods', port: 443 },
  });
});

test('out of cluster the API server calls the listening URL', () => {
  assert.deepEqual(webhookClientConfig({ kind: 'url', host: '127.0.0.1', port: 0 }, 'ops', 'https://127.0.0.1:41234/mutate-pods'), { url: 'https://127.0.0.1:41234/mutate-pods' });
});

test('a Lease regained within the window resumes at once; a first term or a late regain samples first', () => {
  assert.equal(resumesWithoutSampling({ ledBefore: false, lostLeadershipAt: undefined }, 1_000), false);
  assert.equal(resumesWithoutSampling({ ledBefore: true, lostLeadershipAt: 1_000 }, 1_000 + REGAIN_WITHOUT_SAMPLING_MS), true);
  assert.equal(resumesWithoutSampling({ ledBefore: true, lostLeadershipAt: 1_000 }, 1_001 + REGAIN_WITHOUT_SAMPLING_MS), false);
});

test('the first sampling round is waited for at most three /stats timeouts', () => {
  assert.equal(firstSamplingWaitMs({}), 3000);
  assert.equal(firstSamplingWaitMs({ sampleTimeoutMs: 200 }), 600);
});
