// Refuses control API requests that a browser made or could have been tricked into making: CSRF and DNS rebinding (F11). Pure.
import { isIPv4 } from 'node:net';

/** The request headers the decision reads (lower-case names, as Node gives them). */
export interface BrowserSignals {
  origin?: string;
  host?: string;
  'sec-fetch-site'?: string;
  'sec-fetch-mode'?: string;
  'sec-fetch-dest'?: string;
  'sec-fetch-user'?: string;
}

export type BrowserGuard = { allowed: true } | { allowed: false; message: string };

/**
 * Apps call the control API from a server, which never sends `Origin` or `Sec-Fetch-Site`/`-Dest`/`-User`; browsers
 * do (on every cross-site request, and on every request to a loopback address). The gateway serves no pages, so
 * there is no legitimate same-origin browser caller either. `Sec-Fetch-Mode: cors` alone is allowed because
 * Node's (undici's) fetch sends it on every request. `checkHost`: for callers let in as loopback peers (no bearer
 * token), the Host must be a loopback name, which a page that rebound its own DNS name to 127.0.0.1 cannot send.
 */
export function decideBrowserGuard(headers: BrowserSignals, checkHost: boolean): BrowserGuard {
  if (headers.origin !== undefined) return refuse(`Origin header present (${clip(headers.origin)}): browsers send it, apps calling the control API do not`);
  for (const name of ['sec-fetch-site', 'sec-fetch-dest', 'sec-fetch-user'] as const) {
    if (headers[name] !== undefined) return refuse(`${name} header present: only browsers send it`);
  }
  const mode = headers['sec-fetch-mode'];
  if (mode !== undefined && mode.trim().toLowerCase() !== 'cors') return refuse(`sec-fetch-mode: ${clip(mode)} is only sent by browsers`);
  if (checkHost && !isLoopbackHost(headers.host)) {
    return refuse(`Host ${clip(headers.host ?? '(none)')} is not a loopback name (localhost, 127.x.x.x, [::1]); use one, or WS_CONTROL_TOKEN for other names`);
  }
  return { allowed: true };
}

export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const value = host.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) {
    const address = bracketed[1]!;
    return address === '::1' || (address.startsWith('::ffff:') && isLoopbackV4(address.slice(7)));
  }
  const name = value.replace(/:\d{1,5}$/, '');
  return name === 'localhost' || isLoopbackV4(name);
}

function isLoopbackV4(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.');
}

function refuse(reason: string): BrowserGuard {
  return { allowed: false, message: `control API: refused, ${reason}` };
}

/** Header values are echoed in the answer, never logged; keep them short. */
function clip(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
