// Validates a serving certificate and key read from files (cert-manager's tls.crt / tls.key): both parse, the key
// belongs to the certificate, and the certificate is valid now. Errors name the file. Pure (node:crypto parsing only).
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ServingCertificate, ServingNames } from './certificates.ts';

export interface CertificatePairInput {
  certPem: string;
  keyPem: string;
  /** How the files are named in errors (their paths). */
  certLabel: string;
  keyLabel: string;
  now: Date;
  /** Names the API server will check; a certificate that misses one is still loaded, with a warning. */
  names?: ServingNames;
}

export type CertificatePairCheck =
  | { ok: true; certificate: ServingCertificate; serialNumber: string; notAfter: Date; warnings: string[] }
  | { ok: false; reason: string };

export function checkCertificatePair(input: CertificatePairInput): CertificatePairCheck {
  if (input.certPem.trim() === '') return { ok: false, reason: `${input.certLabel} is empty` };
  if (input.keyPem.trim() === '') return { ok: false, reason: `${input.keyLabel} is empty` };
  let cert: X509Certificate;
  try {
    // The first certificate is the serving one; cert-manager may append its issuer chain after it.
    cert = new X509Certificate(input.certPem);
  } catch (error) {
    return { ok: false, reason: `${input.certLabel} is not a PEM certificate: ${messageOf(error)}` };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(input.keyPem);
  } catch (error) {
    return { ok: false, reason: `${input.keyLabel} is not a PEM private key: ${messageOf(error)}` };
  }
  if (!cert.checkPrivateKey(key)) return { ok: false, reason: `${input.keyLabel} does not belong to the certificate in ${input.certLabel}` };
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (input.now < notBefore) return { ok: false, reason: `${input.certLabel} is not valid before ${notBefore.toISOString()}` };
  if (input.now >= notAfter) return { ok: false, reason: `${input.certLabel} expired at ${notAfter.toISOString()}` };
  const warnings: string[] = [];
  for (const name of input.names?.dnsNames ?? []) {
    if (cert.checkHost(name) === undefined) warnings.push(`${input.certLabel} does not cover ${name}: the API server will refuse it`);
  }
  for (const ip of input.names?.ipAddresses ?? []) {
    if (cert.checkIP(ip) === undefined) warnings.push(`${input.certLabel} does not cover ${ip}: the API server will refuse it`);
  }
  return { ok: true, certificate: { certPem: input.certPem, keyPem: input.keyPem }, serialNumber: cert.serialNumber, notAfter, warnings };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
