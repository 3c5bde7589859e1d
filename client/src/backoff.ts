// Reconnect delays: full-jitter exponential backoff whose jitter survives at the cap (so clients never retry in lockstep).

export interface BackoffOptions {
  /** The cap of the first attempt's window. */
  minDelayMs: number;
  /** The cap of every window; the delay stays random within it once reached. */
  maxDelayMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first): `floorMs` plus a uniformly random share of
 * min(maxDelayMs, minDelayMs·2^attempt). The floor keeps a refused or overloaded server from being retried early.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, floorMs = 0, random: () => number = Math.random): number {
  const window = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(floorMs + random() * window);
}
