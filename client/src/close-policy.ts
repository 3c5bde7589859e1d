// What a closed socket means for the next step: final, reconnect now, after backoff, busy backoff or spread over a drain.

/** How a socket ended, as far as the client could learn it. */
export interface SocketEnd {
  code: number;
  reason: string;
  /** The upgrade succeeded (the socket was open at some point). */
  opened: boolean;
  /** HTTP status a plain GET of the same URL got (SPEC A11) after a refused upgrade, if asked. */
  probeStatus?: number | undefined;
}

export type NextStep =
  | { kind: 'final'; why: string }
  | { kind: 'now' }
  | { kind: 'backoff' }
  | { kind: 'busy' }
  | { kind: 'drain' };

/** Close codes whose retry would be refused again: policy violation, not authenticated, forbidden. */
const FINAL_CODES = new Set([1008, 4401, 4403]);

export function decideNextStep(end: SocketEnd): NextStep {
  if (end.code === 1000) return { kind: 'final', why: end.reason || 'closed by the server' };
  if (FINAL_CODES.has(end.code)) return { kind: 'final', why: `closed with ${end.code}${end.reason ? ` (${end.reason})` : ''}` };
  if (end.code === 1001) return { kind: 'drain' };
  if (end.code === 4408) return { kind: 'now' };
  if (end.code === 1013) return { kind: 'busy' };
  if (!end.opened && end.probeStatus !== undefined) {
    if (end.probeStatus === 401 || end.probeStatus === 403) return { kind: 'final', why: `upgrade refused with HTTP ${end.probeStatus}` };
    if (end.probeStatus === 429 || end.probeStatus === 503) return { kind: 'busy' };
  }
  return { kind: 'backoff' };
}
