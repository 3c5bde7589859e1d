// Decides whether a WebSocket upgrade request becomes a connection, and who it belongs to (SPEC A2, A4.1). Pure.
import { readAuthTokenCookie } from './auth-token.ts';

export interface UpgradeRequest {
  /** Request target, e.g. `/ws?x=1`. */
  url: string;
  origin: string | undefined;
  /** Value of the configured user header (WS_USER_HEADER). */
  user: string | undefined;
  cookie: string | undefined;
  /** Sec-WebSocket-Key and Sec-WebSocket-Version, checked here so no open callback goes out for a handshake ws would refuse. */
  key: string | undefined;
  version: string | undefined;
}

export interface UpgradePolicy {
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

export type UpgradeDecision =
  | { kind: 'accept'; userName: string; token: string; accessPublic: boolean }
  | { kind: 'reject'; status: 400 | 401 | 403 | 404 | 429 | 503; message: string };

export const clientPath = '/ws';

export function decideUpgrade(request: UpgradeRequest, policy: UpgradePolicy, load: UpgradeLoad, newToken: () => string): UpgradeDecision {
  const path = request.url.split('?', 1)[0];
  if (path !== clientPath) return { kind: 'reject', status: 404, message: `no WebSocket endpoint at ${path}; use ${clientPath}` };
  if (request.version !== '13' || request.key === undefined || !/^[+/0-9A-Za-z]{22}==$/.test(request.key)) {
    return { kind: 'reject', status: 400, message: 'invalid WebSocket handshake (Sec-WebSocket-Key or Sec-WebSocket-Version)' };
  }
  if (load.draining) return { kind: 'reject', status: 503, message: 'gateway is shutting down' };
  // Only browsers send Origin, and they always do: a missing Origin is a non-browser client and is allowed.
  if (request.origin !== undefined && policy.allowedOrigins.length > 0 && !policy.allowedOrigins.includes(request.origin)) {
    return { kind: 'reject', status: 403, message: 'origin not allowed' };
  }
  const userName = request.user?.trim() ?? '';
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
