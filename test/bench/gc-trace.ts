// Reads V8's --trace-gc lines (the gateway's stdout when BENCH_GATEWAY_NODE_OPTIONS=--trace-gc): kind and pause. Pure.

export interface GcEvent { kind: 'scavenge' | 'mark-compact' | 'other'; pauseMs: number }

/** One `--trace-gc` line, e.g. `[1:0x…]  812 ms: Scavenge 9.1 (11.3) -> 8.2 (11.3) MB, pooled: 0 MB, 1.25 / 0.00 ms …`. */
export function parseGcTraceLine(line: string): GcEvent | undefined {
  const match = /\d+ ms: ([A-Za-z-]+(?: \([^)]*\))?) .*?, ([\d.]+) \/ [\d.]+ ms/.exec(line);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const kind = name.startsWith('scavenge') ? 'scavenge' : name.startsWith('mark-compact') ? 'mark-compact' : 'other';
  return { kind, pauseMs: Number(match[2]) };
}

export interface GcSummary { scavenges: number; markCompacts: number; totalPauseMs: number; maxPauseMs: number }

export function summarizeGc(events: readonly GcEvent[]): GcSummary {
  let totalPauseMs = 0;
  let maxPauseMs = 0;
  for (const e of events) {
    totalPauseMs += e.pauseMs;
    maxPauseMs = Math.max(maxPauseMs, e.pauseMs);
  }
  return { scavenges: events.filter((e) => e.kind === 'scavenge').length, markCompacts: events.filter((e) => e.kind === 'mark-compact').length, totalPauseMs, maxPauseMs };
}
