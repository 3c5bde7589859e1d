// The dev proxy's decisions: demo session cookies and the rewritten upgrade request head. Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'demo_user';
export const USER_NAME = /^[A-Za-z0-9_-]{1,32}$/;

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

function signature(name: string, key: Buffer): string {
  return createHmac('sha256', key).update(name).digest('base64url');
}

/** Cookie value `<name>.<hmac>`: the name stays readable, and a page cannot forge another user's. */
export function buildSessionValue(name: string, key: Buffer): string {
  return `${name}.${signature(name, key)}`;
}

/** The user of a `Cookie` header, or null when there is no valid session cookie. */
export function readSessionUser(cookieHeader: string | undefined, key: Buffer): string | null {
  const value = parseCookies(cookieHeader).get(SESSION_COOKIE);
  if (value === undefined) return null;
  const dot = value.lastIndexOf('.');
  const name = value.slice(0, dot);
  if (dot <= 0 || !USER_NAME.test(name)) return null;
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(name, key));
  return given.length === expected.length && timingSafeEqual(given, expected) ? name : null;
}

export interface UpgradeRequest {
  method: string;
  url: string;
  httpVersion: string;
  /** Node's `req.rawHeaders`: name, value, name, value, ... */
  rawHeaders: string[];
}

/**
 * The request head to send to the gateway: the client's own head, minus any user header it sent
 * (a browser must not choose its identity), plus the user header with the authenticated name.
 */
export function buildUpgradeHead(req: UpgradeRequest, user: string, userHeader: string): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  const stripped = userHeader.toLowerCase();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.toLowerCase() === stripped) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]!}`);
  }
  lines.push(`${userHeader}: ${user}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A complete HTTP response to write on a socket whose upgrade is refused. */
export function buildRefusal(status: number, statusText: string, message: string): string {
  const body = `${message}\n`;
  return `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
