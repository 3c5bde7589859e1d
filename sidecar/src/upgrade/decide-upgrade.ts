// Decides whether a WebSocket upgrade request becomes a connection, and who it belongs to (SPEC A2, A4.1). Pure.
import { readAuthTokenCookie } from './auth-token.ts';
import { hasToken, parseSubprotocols } from './handshake-syntax.ts';

export interface UpgradeRequest {
  method: string;
  /** Request target, e.g. `/ws?x=1`. */
  url: string;
  /**
   * Upgrade, Connection, Sec-WebSocket-Key, -Version and -Protocol: every check `ws` makes runs here, so no open
   * callback goes out (authorize mode) for a handshake `ws` would refuse afterwards.
   */
  upgrade: string | undefined;
  connection: string | undefined;
  key: string | undefined;
  version: string | undefined;
  protocol: string | undefined;
  origin: string | undefined;
  /** Every value of the configured user header (WS_USER_HEADER), one per header line; [] when absent. */
  user: readonly string[];
  /** Whether the TCP peer is one of WS_TRUSTED_PROXIES (always true when that list is empty). */
  peerTrusted: boolean;
  /** The TCP peer's address, for the error message only. */
  peer: string | undefined;
  cookie: string | undefined;
}

export interface UpgradePolicy {
  /** Lower-case header name (WS_USER_HEADER). */
  userHeader: string;
  allowedOrigins: readonly string[];
  requireUser: boolean;
  maxConnections: number;
  maxConnectionsPerUser: number;
}

export interface UpgradeLoad {
  draining: boolean;
  connections: number;
  connectionsOfUser: (user: string) => number;
}

export interface UpgradeRejection {
  kind: 'reject';
  status: 400 | 401 | 403 | 404 | 405 | 426 | 429 | 503;
  message: string;
  /** Extra response headers (Allow, Sec-WebSocket-Version). */
  headers?: Record<string, string>;
}

export type UpgradeDecision =
  | { kind: 'accept'; userName: string; token: string; accessPublic: boolean }
  | UpgradeRejection;

export type UserHeaderDecision = { kind: 'user'; userName: string } | UpgradeRejection;

export const clientPath = '/ws';

/** The user a request claims, or why its user header cannot be trusted (also used for a plain GET /ws). */
export function decideUserHeader(values: readonly string[], peerTrusted: boolean, peer: string | undefined, headerName: string): UserHeaderDecision {
  if (values.length > 0 && !peerTrusted) {
    return { kind: 'reject', status: 403, message: `peer ${peer ?? '(unknown)'} may not set ${headerName}: only WS_TRUSTED_PROXIES may` };
  }
  // Node would join repeated headers with ", ", so a proxy that appends would keep the client's value.
  if (values.length > 1) return { kind: 'reject', status: 400, message: `${headerName} was sent ${values.length} times; expected at most one` };
  return { kind: 'user', userName: values[0]?.trim() ?? '' };
}

export function decideUpgrade(request: UpgradeRequest, policy: UpgradePolicy, load: UpgradeLoad, newToken: () => string): UpgradeDecision {
  const path = request.url.split('?', 1)[0];
  if (path !== clientPath) return { kind: 'reject', status: 404, message: `no WebSocket endpoint at ${path}; use ${clientPath}` };
  const invalid = checkHandshake(request);
  if (invalid) return invalid;
  const identity = decideUserHeader(request.user, request.peerTrusted, request.peer, policy.userHeader);
  if (identity.kind === 'reject') return identity;
  if (load.draining) return { kind: 'reject', status: 503, message: 'gateway is shutting down' };
  // Only browsers send Origin, and they always do: a missing Origin is a non-browser client and is allowed.
  if (request.origin !== undefined && policy.allowedOrigins.length > 0 && !policy.allowedOrigins.includes(request.origin)) {
    return { kind: 'reject', status: 403, message: 'origin not allowed' };
  }
  const { userName } = identity;
  if (policy.requireUser && userName === '') return { kind: 'reject', status: 401, message: 'missing user header' };
  if (policy.maxConnections > 0 && load.connections >= policy.maxConnections) {
    return { kind: 'reject', status: 503, message: 'connection limit reached' };
  }
  // Anonymous connections share the user "" and are not limited per user (SPEC A4.1).
  if (policy.maxConnectionsPerUser > 0 && userName !== '' && load.connectionsOfUser(userName) >= policy.maxConnectionsPerUser) {
    return { kind: 'reject', status: 429, message: 'connection limit per user reached' };
  }
  const cookieToken = readAuthTokenCookie(request.cookie);
  return cookieToken === undefined
    ? { kind: 'accept', userName, token: newToken(), accessPublic: true }
    : { kind: 'accept', userName, token: cookieToken, accessPublic: false };
}

function checkHandshake(request: UpgradeRequest): UpgradeRejection | undefined {
  if (request.method !== 'GET') return { kind: 'reject', status: 405, message: `a WebSocket upgrade must use GET, not ${request.method}`, headers: { Allow: 'GET' } };
  if (request.upgrade?.toLowerCase() !== 'websocket') return { kind: 'reject', status: 400, message: 'invalid Upgrade header: expected websocket' };
  if (!hasToken(request.connection, 'upgrade')) return { kind: 'reject', status: 400, message: 'invalid Connection header: expected upgrade' };
  if (request.key === undefined || !/^[+/0-9A-Za-z]{22}==$/.test(request.key)) {
    return { kind: 'reject', status: 400, message: 'missing or invalid Sec-WebSocket-Key header' };
  }
  // RFC 6455 §4.4: tell the client which version the server speaks.
  if (request.version?.trim() !== '13') {
    return { kind: 'reject', status: 426, message: 'unsupported Sec-WebSocket-Version: expected 13', headers: { 'Sec-WebSocket-Version': '13' } };
  }
  if (request.protocol !== undefined && parseSubprotocols(request.protocol) === undefined) {
    return { kind: 'reject', status: 400, message: 'invalid Sec-WebSocket-Protocol header: expected a comma list of distinct tokens' };
  }
  return undefined;
}
