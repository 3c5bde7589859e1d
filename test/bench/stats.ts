// Percentiles and summaries of latency samples for the benchmarks. Pure.

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when it is empty. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  if (p <= 0) return sortedAscending[0]!;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1]!;
}

/** Count, min, mean, p50, p90, p99 and max of unsorted samples (the input is not modified). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let sum = 0;
  for (const v of values) sum += v;
  return {
    count: values.length,
    min: values.length ? values[0]! : Number.NaN,
    mean: values.length ? sum / values.length : Number.NaN,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length ? values[values.length - 1]! : Number.NaN,
  };
}

/** Estimates `remoteClock - localClock` from ping samples; the one with the smallest round trip wins. */
export function estimateClockOffset(samples: readonly { sentAt: number; remoteAt: number; receivedAt: number }[]): { offsetMs: number; rttMs: number } {
  let best: { offsetMs: number; rttMs: number } = { offsetMs: Number.NaN, rttMs: Number.POSITIVE_INFINITY };
  for (const s of samples) {
    const rtt = s.receivedAt - s.sentAt;
    if (rtt < best.rttMs) best = { offsetMs: s.remoteAt - (s.sentAt + s.receivedAt) / 2, rttMs: rtt };
  }
  return best;
}
