// The cert-manager file source against a temporary directory (no cluster): a missing file is reported once, not on
// every poll; a good pair loads; a bad pair keeps the previous one; an unchanged pair past its expiry is reported once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate, type ServingCertificate } from './certificates.ts';
import { FileCertificateSource } from './file-certificate-source.ts';

const DAY = 24 * 3600 * 1000;

test('missing → reported once; good → loaded; bad → previous kept; expired without renewal → reported once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-file-source-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let now = new Date();
  const loaded: ServingCertificate[] = [];
  const errors: string[] = [];
  const source = new FileCertificateSource({
    dir, now: () => now, onCertificate: (certificate) => loaded.push(certificate), onError: (error) => errors.push(error.message),
  });
  await source.ensure();
  await source.ensure();
  assert.deepEqual(errors, [`webhook certificate not loaded: ${join(dir, 'tls.crt')} does not exist (is the cert-manager Secret mounted there?)`]);
  assert.equal(source.hasCertificate, false);

  const ca = await createCertificateAuthority({ commonName: 'ca', validMs: 365 * DAY, now });
  const good = await issueServingCertificate(ca, { commonName: 'w', dnsNames: [], ipAddresses: ['127.0.0.1'], validMs: 30 * DAY, now });
  await writeFile(join(dir, 'tls.crt'), good.certPem);
  await writeFile(join(dir, 'tls.key'), good.keyPem);
  await source.ensure();
  await source.ensure();
  assert.deepEqual(loaded, [good], 'loaded once');
  assert.equal(source.hasCertificate, true);

  await writeFile(join(dir, 'tls.key'), 'garbage');
  await source.ensure();
  await source.ensure();
  assert.equal(loaded.length, 1);
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors[1]!, /^webhook certificate not loaded: .*tls\.key is not a PEM private key: .*\(the previous one stays in use\)$/);
  assert.equal(source.hasCertificate, true);

  await writeFile(join(dir, 'tls.key'), good.keyPem);
  await source.ensure();
  assert.equal(loaded.length, 2, 'the same good pair again after a bad one is loaded again');
  now = new Date(now.getTime() + 31 * DAY);
  await source.ensure();
  await source.ensure();
  assert.equal(errors.length, 3);
  assert.match(errors[2]!, /tls\.crt expired at .* and was not replaced \(is cert-manager renewing it\?\)$/);
});
