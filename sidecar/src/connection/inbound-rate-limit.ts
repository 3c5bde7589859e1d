// The per-connection inbound frame budget (WS_MAX_INBOUND_FRAMES_PER_SEC, WS_INBOUND_FRAMES_BURST): a token bucket. Pure.

export interface InboundRateLimit {
  /** Tokens added per second; 0 = no limit. */
  perSec: number;
  /** Bucket size: frames a connection may send at once. */
  burst: number;
}

/** The tokens a bucket holds `elapsedMs` after it held `tokens`, capped at the burst. */
export function refillTokens(tokens: number, elapsedMs: number, limit: InboundRateLimit): number {
  return Math.min(limit.burst, tokens + (Math.max(0, elapsedMs) * limit.perSec) / 1000);
}
