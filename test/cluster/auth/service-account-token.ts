// Pure (HMAC only): ServiceAccount tokens as JWTs with the claims the apiserver puts in them — bound tokens from
// TokenRequest and legacy Secret-based tokens. Signed with HS256 and a per-cluster key (the apiserver uses RS256/ES256).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface TokenSubject {
  namespace: string;
  name: string;
  uid: string;
}

export type TokenClaims =
  | { kind: 'bound'; sa: TokenSubject; audiences: string[]; issuedAt: number; expiresAt: number }
  | { kind: 'legacy'; sa: TokenSubject; secretName: string };

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function sign(key: Buffer, signingInput: string): string {
  return createHmac('sha256', key).update(signingInput).digest('base64url');
}

/** Builds a signed JWT; times are seconds since the epoch. */
export function buildServiceAccountToken(key: Buffer, claims: TokenClaims): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: 'tapr-local' }));
  const sub = `system:serviceaccount:${claims.sa.namespace}:${claims.sa.name}`;
  const payload = claims.kind === 'bound'
    ? {
      aud: claims.audiences, exp: claims.expiresAt, iat: claims.issuedAt, iss: DEFAULT_ISSUER, nbf: claims.issuedAt, sub,
      'kubernetes.io': { namespace: claims.sa.namespace, serviceaccount: { name: claims.sa.name, uid: claims.sa.uid } },
    }
    : {
      iss: LEGACY_ISSUER, sub,
      'kubernetes.io/serviceaccount/namespace': claims.sa.namespace,
      'kubernetes.io/serviceaccount/secret.name': claims.secretName,
      'kubernetes.io/serviceaccount/service-account.name': claims.sa.name,
      'kubernetes.io/serviceaccount/service-account.uid': claims.sa.uid,
    };
  const input = `${header}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${sign(key, input)}`;
}

/** Verifies signature and expiry; undefined for anything that is not a valid token of ours. */
export function decodeServiceAccountToken(key: Buffer, token: string, nowSeconds: number): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = Buffer.from(sign(key, `${parts[0]!}.${parts[1]!}`));
  const given = Buffer.from(parts[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined; // signed by us, so never malformed in practice; treat as not a token
  }
  if (p.iss === LEGACY_ISSUER) {
    const str = (k: string): string => (typeof p[k] === 'string' ? p[k] : '');
    return {
      kind: 'legacy', secretName: str('kubernetes.io/serviceaccount/secret.name'),
      sa: { namespace: str('kubernetes.io/serviceaccount/namespace'), name: str('kubernetes.io/serviceaccount/service-account.name'), uid: str('kubernetes.io/serviceaccount/service-account.uid') },
    };
  }
  const k8s = p['kubernetes.io'] as { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
  const exp = typeof p.exp === 'number' ? p.exp : 0;
  if (k8s === undefined || exp <= nowSeconds) return undefined;
  return {
    kind: 'bound', audiences: Array.isArray(p.aud) ? p.aud as string[] : [], issuedAt: typeof p.iat === 'number' ? p.iat : 0, expiresAt: exp,
    sa: { namespace: k8s.namespace ?? '', name: k8s.serviceaccount?.name ?? '', uid: k8s.serviceaccount?.uid ?? '' },
  };
}
