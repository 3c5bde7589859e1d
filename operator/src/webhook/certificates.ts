// The webhook's own CA and serving certificates as PEM (@peculiar/x509 over WebCrypto). No I/O, but async.
// The same approach as the local cluster's test/cluster/tls, plus loading a CA back from PEM (it lives in a Secret).
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Certificates start an hour in the past, so a clock a little behind still accepts them. */
const BACKDATE_MS = 3600_000;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  readonly privateKey: webcrypto.CryptoKey;
  readonly cert: x509.X509Certificate;
}

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

export interface ServingNames {
  dnsNames: string[];
  ipAddresses: string[];
}

function randomSerial(): string {
  return '01' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex');
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function createCertificateAuthority(options: { commonName: string; validMs: number; now: Date }): Promise<CertificateAuthority> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${options.commonName}`,
    notBefore: new Date(options.now.getTime() - BACKDATE_MS),
    notAfter: new Date(options.now.getTime() + options.validMs),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), privateKey: keys.privateKey, cert };
}

/** A CA read back from its PEM pair (as stored in the Secret). */
export async function loadCertificateAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(certPem);
  const der = x509.PemConverter.decodeFirst(keyPem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
  return { certPem, keyPem, privateKey, cert };
}

export async function issueServingCertificate(ca: CertificateAuthority, options: ServingNames & { commonName: string; validMs: number; now: Date }): Promise<ServingCertificate> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const names = [
    ...options.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...options.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${options.commonName}`,
    issuer: ca.cert.subject,
    notBefore: new Date(options.now.getTime() - BACKDATE_MS),
    notAfter: new Date(options.now.getTime() + options.validMs),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export type CertificateCheck = { ok: true; notAfter: Date } | { ok: false; reason: string };

/**
 * Whether a serving certificate can be kept: it parses, was signed by the CA, covers the names and is not within
 * `renewBeforeMs` of its expiry.
 */
export function checkServingCertificate(input: { certPem: string; caPem: string; names: ServingNames; now: Date; renewBeforeMs: number }): CertificateCheck {
  let cert: NodeX509Certificate;
  let ca: NodeX509Certificate;
  try {
    cert = new NodeX509Certificate(input.certPem);
    ca = new NodeX509Certificate(input.caPem);
  } catch (error) {
    return { ok: false, reason: `unreadable certificate: ${(error as Error).message}` };
  }
  if (!cert.verify(ca.publicKey)) return { ok: false, reason: 'not signed by the current CA' };
  for (const name of input.names.dnsNames) if (cert.checkHost(name) === undefined) return { ok: false, reason: `does not cover ${name}` };
  for (const ip of input.names.ipAddresses) if (cert.checkIP(ip) === undefined) return { ok: false, reason: `does not cover ${ip}` };
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() - input.now.getTime() < input.renewBeforeMs) return { ok: false, reason: `expires at ${notAfter.toISOString()}` };
  return { ok: true, notAfter };
}

/** The time a CA stops being valid, or undefined when unreadable. */
export function certificateNotAfter(certPem: string): Date | undefined {
  try {
    return new Date(new NodeX509Certificate(certPem).validTo);
  } catch {
    return undefined;
  }
}
