// Which request targets are client endpoints (SPEC A11: `/ws` and paths under `/ws/`), split into path and raw query. Pure.

export const clientPath = '/ws';

/** Longest endpoint path accepted (the query is not counted); longer is 414. */
export const maxClientPathLength = 1024;

export type ClientPathDecision =
  | { kind: 'endpoint'; path: string; query: string }
  /** Not under `/ws` at all: not a client endpoint (an upgrade gets 404, a plain request the HTTP routes). */
  | { kind: 'elsewhere'; path: string }
  /** Under `/ws/` but not a path the gateway serves. */
  | { kind: 'invalid'; status: 400 | 414; message: string };

// RFC 3986 pchar without pct-encoded (checked as %XX separately): printable ASCII minus `"<>\\^`{|}`, space, `?`, `#`.
const pathChar = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

/**
 * Splits a request target (`/ws/chat?room=1`) into its path and raw query. Only `/ws` and `/ws/<segments>` are
 * endpoints; each segment is non-empty (no `//`, no trailing `/`, so `/ws/` is refused), is not `.` or `..` (a proxy
 * in front would resolve them to another path than the one the app sees), and is made of RFC 3986 path characters
 * (a subset of printable ASCII) with `%` only as `%XX`. The path is kept as sent (not decoded): that is what the callbacks carry.
 */
export function decideClientPath(target: string): ClientPathDecision {
  const mark = target.indexOf('?');
  const path = mark === -1 ? target : target.slice(0, mark);
  const query = mark === -1 ? '' : target.slice(mark + 1);
  if (path === clientPath) return { kind: 'endpoint', path: clientPath, query };
  if (!path.startsWith(`${clientPath}/`)) return { kind: 'elsewhere', path };
  if (path.length > maxClientPathLength) return { kind: 'invalid', status: 414, message: `path longer than ${maxClientPathLength} characters` };
  const segments = path.slice(clientPath.length + 1).split('/');
  for (const segment of segments) {
    if (segment === '') return { kind: 'invalid', status: 400, message: `path ${JSON.stringify(path)} has an empty segment; use ${clientPath} or ${clientPath}/<name>` };
    const decoded = segment.replace(/%2e/gi, '.');
    if (decoded === '.' || decoded === '..') return { kind: 'invalid', status: 400, message: `path ${JSON.stringify(path)} has a "." or ".." segment` };
    if (!isSegment(segment)) return { kind: 'invalid', status: 400, message: `path ${JSON.stringify(path)} may only contain RFC 3986 path characters (letters, digits, -._~!$&'()*+,;=:@) and %XX` };
  }
  return { kind: 'endpoint', path, query };
}

function isSegment(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    if (char === '%') {
      if (!/^[0-9A-Fa-f]{2}$/.test(segment.slice(i + 1, i + 3))) return false;
      i += 2;
    } else if (!pathChar.test(char)) return false;
  }
  return true;
}
