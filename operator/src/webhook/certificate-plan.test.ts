// Certificate decisions with real certificates: keep, renew the serving certificate (names, expiry, other CA), renew the CA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCertificateAuthority, issueServingCertificate, loadCertificateAuthority } from './certificates.ts';
import { buildCaBundle, planCertificates, type CertificatePolicy } from './certificate-plan.ts';

const DAY = 24 * 3600 * 1000;
const policy: CertificatePolicy = { caValidMs: 3650 * DAY, servingValidMs: 365 * DAY, renewBeforeMs: 90 * DAY };
const names = { dnsNames: [], ipAddresses: ['127.0.0.1'] };
const now = new Date();

test('a fresh pair is kept; different names, a near expiry or another CA renew the serving certificate', async () => {
  const ca = await createCertificateAuthority({ commonName: 'ca', validMs: policy.caValidMs, now });
  const serving = await issueServingCertificate(ca, { commonName: 'w', ...names, validMs: policy.servingValidMs, now });
  const stored = { caCert: ca.certPem, caKey: ca.keyPem, tlsCert: serving.certPem, tlsKey: serving.keyPem };
  assert.deepEqual(planCertificates(stored, names, policy, now), { kind: 'keep' });
  assert.equal(planCertificates(stored, { dnsNames: ['op.tapr-system.svc'], ipAddresses: [] }, policy, now).kind, 'newServing');
  assert.equal(planCertificates(stored, names, policy, new Date(now.getTime() + 300 * DAY)).kind, 'newServing');
  const other = await createCertificateAuthority({ commonName: 'other', validMs: policy.caValidMs, now });
  assert.match(JSON.stringify(planCertificates({ ...stored, caCert: other.certPem, caKey: other.keyPem }, names, policy, now)), /not signed by the current CA/);
  assert.equal(planCertificates({ ...stored, tlsCert: undefined }, names, policy, now).kind, 'newServing');
});

test('no CA, an unreadable CA or one about to expire means a new CA', async () => {
  assert.equal(planCertificates({}, names, policy, now).kind, 'newCa');
  assert.equal(planCertificates({ caCert: 'junk', caKey: 'junk' }, names, policy, now).kind, 'newCa');
  const shortCa = await createCertificateAuthority({ commonName: 'ca', validMs: 100 * DAY, now });
  assert.equal(planCertificates({ caCert: shortCa.certPem, caKey: shortCa.keyPem }, names, policy, now).kind, 'newCa');
});

test('a CA loaded back from PEM issues certificates that verify against it', async () => {
  const ca = await createCertificateAuthority({ commonName: 'ca', validMs: policy.caValidMs, now });
  const loaded = await loadCertificateAuthority(ca.certPem, ca.keyPem);
  const serving = await issueServingCertificate(loaded, { commonName: 'w', dnsNames: ['op.ns.svc'], ipAddresses: [], validMs: DAY, now });
  const cert = new X509Certificate(serving.certPem);
  assert.equal(cert.verify(new X509Certificate(ca.certPem).publicKey), true);
  assert.equal(cert.checkHost('op.ns.svc'), 'op.ns.svc');
});

test('after a CA rotation the bundle trusts the new CA and the previous one while it is valid', async () => {
  const previous = await createCertificateAuthority({ commonName: 'old', validMs: policy.caValidMs, now });
  const current = await createCertificateAuthority({ commonName: 'new', validMs: policy.caValidMs, now });
  const bundle = buildCaBundle(current.certPem, previous.certPem, now);
  assert.equal(bundle.match(/BEGIN CERTIFICATE/g)?.length, 2);
  assert.ok(bundle.startsWith(current.certPem.trim()));
  assert.equal(buildCaBundle(current.certPem, previous.certPem, new Date(now.getTime() + 4000 * DAY)).match(/BEGIN CERTIFICATE/g)?.length, 1);
  assert.equal(buildCaBundle(current.certPem, current.certPem, now).match(/BEGIN CERTIFICATE/g)?.length, 1);
});
