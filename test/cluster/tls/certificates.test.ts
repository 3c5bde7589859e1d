// Unit test: a CA-issued server certificate is accepted by a real TLS handshake that trusts only the CA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueCertificate } from './certificates.ts';

test('server certificate verifies against the CA over TLS on 127.0.0.1', async () => {
  const ca = await createCertificateAuthority({ commonName: 'test-ca' });
  const leaf = await issueCertificate(ca, { commonName: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  const parsed = new X509Certificate(leaf.certPem);
  assert.equal(parsed.verify(new X509Certificate(ca.certPem).publicKey), true);
  assert.match(parsed.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, ca: ca.certPem }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve(text));
      }).on('error', reject).end();
    });
    assert.equal(body, 'hello');
    await assert.rejects(new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port }, resolve).on('error', reject).end();
    }), /self-signed|unable to verify|certificate/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
