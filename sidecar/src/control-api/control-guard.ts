// Who may use the control API: loopback peers, or anyone with the WS_CONTROL_TOKEN bearer token (SPEC A4). Pure.
import { timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  // IPv4 peers of a dual-stack listener arrive as ::ffff:a.b.c.d.
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.startsWith('127.');
  return isIPv6(address) && (address === '::1' || address === '0:0:0:0:0:0:0:1');
}

export type ControlAccess = { allowed: true } | { allowed: false; message: string };

export function decideControlAccess(remoteAddress: string | undefined, authorization: string | undefined, controlToken: string): ControlAccess {
  if (isLoopbackAddress(remoteAddress)) return { allowed: true };
  if (hasControlToken(authorization, controlToken)) return { allowed: true };
  return {
    allowed: false,
    message: controlToken === ''
      ? 'control API: only loopback callers are allowed'
      : 'control API: only loopback callers or a valid bearer token are allowed',
  };
}

/** Whether the request carries the configured bearer token (never true when no token is configured). */
export function hasControlToken(authorization: string | undefined, controlToken: string): boolean {
  return controlToken !== '' && authorization !== undefined && bearerMatches(authorization, controlToken);
}

function bearerMatches(authorization: string, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
