// Decides what the webhook's certificate Secret needs: keep everything, a new serving certificate, or a new CA too. Pure.
import { certificateNotAfter, checkServingCertificate, type ServingNames } from './certificates.ts';

/** Data keys of the Secret. `ca-bundle.crt` is what the webhook configuration trusts: the current CA, plus the previous one while it is valid. */
export const SECRET_KEYS = { caCert: 'ca.crt', caKey: 'ca.key', tlsCert: 'tls.crt', tlsKey: 'tls.key', caBundle: 'ca-bundle.crt' } as const;

export interface StoredCertificates {
  caCert?: string;
  caKey?: string;
  tlsCert?: string;
  tlsKey?: string;
  caBundle?: string;
}

export interface CertificatePolicy {
  caValidMs: number;
  servingValidMs: number;
  /** A serving certificate closer than this to its expiry is replaced. */
  renewBeforeMs: number;
}

export type CertificatePlan =
  | { kind: 'keep' }
  | { kind: 'newServing'; reason: string }
  | { kind: 'newCa'; reason: string };

export function planCertificates(stored: StoredCertificates, names: ServingNames, policy: CertificatePolicy, now: Date): CertificatePlan {
  const { caCert, caKey, tlsCert, tlsKey } = stored;
  if (caCert === undefined || caKey === undefined) return { kind: 'newCa', reason: 'no CA yet' };
  const caNotAfter = certificateNotAfter(caCert);
  if (caNotAfter === undefined) return { kind: 'newCa', reason: 'the stored CA is unreadable' };
  // The CA must outlive every certificate it issues.
  if (caNotAfter.getTime() - now.getTime() < policy.servingValidMs + policy.renewBeforeMs) {
    return { kind: 'newCa', reason: `the CA expires at ${caNotAfter.toISOString()}` };
  }
  if (tlsCert === undefined || tlsKey === undefined) return { kind: 'newServing', reason: 'no serving certificate yet' };
  const check = checkServingCertificate({ certPem: tlsCert, caPem: caCert, names, now, renewBeforeMs: policy.renewBeforeMs });
  if (!check.ok) return { kind: 'newServing', reason: `the serving certificate ${check.reason}` };
  return { kind: 'keep' };
}

/** The CAs to trust after a rotation: the new one first, then the previous one while it is still valid. */
export function buildCaBundle(currentCaPem: string, previousCaPem: string | undefined, now: Date): string {
  const parts = [currentCaPem.trim()];
  if (previousCaPem !== undefined && previousCaPem.trim() !== currentCaPem.trim()) {
    const notAfter = certificateNotAfter(previousCaPem);
    if (notAfter !== undefined && notAfter > now) parts.push(previousCaPem.trim());
  }
  return `${parts.join('\n')}\n`;
}
