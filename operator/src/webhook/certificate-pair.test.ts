// Validation of a serving pair read from files (cert-manager mode): a good pair loads with its serial and expiry; a
// key of another certificate, an expired or not yet valid certificate, garbage and empty files are refused naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { checkCertificatePair } from './certificate-pair.ts';
import { createCertificateAuthority, issueServingCertificate } from './certificates.ts';

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-11-22T12:00:00Z');
const labels = { certLabel: '/certs/tls.crt', keyLabel: '/certs/tls.key' };

async function pair(validMs = 90 * DAY): Promise<{ certPem: string; keyPem: string; caPem: string }> {
  const ca = await createCertificateAuthority({ commonName: 'test-ca', validMs: 365 * DAY, now });
  const serving = await issueServingCertificate(ca, { commonName: 'webhook', dnsNames: ['tapr-ws-webhook.tapr-system.svc'], ipAddresses: [], validMs, now });
  return { ...serving, caPem: ca.certPem };
}

test('a matching, valid pair loads with its serial number, expiry and no warning; a chain after the leaf is accepted', async () => {
  const { certPem, keyPem, caPem } = await pair();
  const chain = `${certPem}\n${caPem}\n`;
  const check = checkCertificatePair({ certPem: chain, keyPem, ...labels, now, names: { dnsNames: ['tapr-ws-webhook.tapr-system.svc'], ipAddresses: [] } });
  assert.equal(check.ok, true);
  if (!check.ok) return;
  assert.equal(check.serialNumber, new X509Certificate(certPem).serialNumber);
  assert.equal(check.notAfter.getTime(), new Date(new X509Certificate(certPem).validTo).getTime());
  assert.deepEqual(check.warnings, []);
  assert.deepEqual(check.certificate, { certPem: chain, keyPem });
});

test('a certificate that does not cover the name the API server calls loads with a warning naming it', async () => {
  const { certPem, keyPem } = await pair();
  const check = checkCertificatePair({ certPem, keyPem, ...labels, now, names: { dnsNames: ['other.tapr-system.svc'], ipAddresses: ['127.0.0.1'] } });
  assert.equal(check.ok, true);
  assert.deepEqual(check.ok ? check.warnings : [], [
    '/certs/tls.crt does not cover other.tapr-system.svc: the API server will refuse it',
    '/certs/tls.crt does not cover 127.0.0.1: the API server will refuse it',
  ]);
});

test('a key of another certificate is refused (as during a half-written rotation)', async () => {
  const first = await pair();
  const second = await pair();
  assert.deepEqual(checkCertificatePair({ certPem: first.certPem, keyPem: second.keyPem, ...labels, now }), {
    ok: false, reason: '/certs/tls.key does not belong to the certificate in /certs/tls.crt',
  });
});

test('expired and not yet valid certificates are refused with the time', async () => {
  const { certPem, keyPem } = await pair(10 * DAY);
  const notAfter = new Date(new X509Certificate(certPem).validTo).toISOString();
  assert.deepEqual(checkCertificatePair({ certPem, keyPem, ...labels, now: new Date(now.getTime() + 11 * DAY) }), {
    ok: false, reason: `/certs/tls.crt expired at ${notAfter}`,
  });
  const early = checkCertificatePair({ certPem, keyPem, ...labels, now: new Date(now.getTime() - 2 * DAY) });
  assert.match(early.ok ? '' : early.reason, /^\/certs\/tls\.crt is not valid before /);
});

test('empty files and text that is not PEM are refused naming the file', async () => {
  const { certPem, keyPem } = await pair();
  assert.deepEqual(checkCertificatePair({ certPem: '', keyPem, ...labels, now }), { ok: false, reason: '/certs/tls.crt is empty' });
  assert.deepEqual(checkCertificatePair({ certPem, keyPem: '\n', ...labels, now }), { ok: false, reason: '/certs/tls.key is empty' });
  const badCert = checkCertificatePair({ certPem: 'not a certificate', keyPem, ...labels, now });
  assert.match(badCert.ok ? '' : badCert.reason, /^\/certs\/tls\.crt is not a PEM certificate: /);
  const badKey = checkCertificatePair({ certPem, keyPem: certPem, ...labels, now });
  assert.match(badKey.ok ? '' : badKey.reason, /^\/certs\/tls\.key is not a PEM private key: /);
});
