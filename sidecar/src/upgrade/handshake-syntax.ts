// The parts of an RFC 6455 opening handshake that `ws` would refuse, checked before anyone is asked about it. Pure.

// RFC 7230 tchar.
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The subprotocols of a Sec-WebSocket-Protocol header (RFC 6455 §4.1: 1#token), or undefined when `ws` would
 * refuse it: an empty element (`a,,b`), a character outside token, or a protocol offered twice (`a, a`, which is
 * also what Node makes of two such headers).
 */
export function parseSubprotocols(header: string): string[] | undefined {
  const protocols = header.split(',').map((part) => part.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (protocols.some((p) => !token.test(p))) return undefined;
  return new Set(protocols).size === protocols.length ? protocols : undefined;
}

/** Whether a comma list header (Connection) contains `name`, case-insensitively. */
export function hasToken(header: string | undefined, name: string): boolean {
  return header !== undefined && header.split(',').some((part) => part.trim().toLowerCase() === name);
}
