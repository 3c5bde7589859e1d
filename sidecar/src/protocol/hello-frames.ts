// The frames only `tapr-ws.v1` clients get (SPEC A12): `$hello` first, `$drain` before the 1001 close. Pure.
import type { OutboundFrame } from '../connection/outbound-frame.ts';

/** What `$hello` tells the client when WS_PING_TIMEOUT_MS is 0 (never idle): ping anyway, for proxies' idle timers. */
export const pingIntervalWithoutIdleTimeoutMs = 30_000;

export interface HelloTimers {
  ping_interval_ms: number;
  idle_timeout_ms: number;
}

/**
 * `idle_timeout_ms` is WS_PING_TIMEOUT_MS; `ping_interval_ms` a third of it, rounded down, so two pings may be lost
 * before the gateway closes the socket. WS_PING_TIMEOUT_MS=0: idle 0 (never closed) and pings every 30 s.
 */
export function buildHelloTimers(pingTimeoutMs: number): HelloTimers {
  if (pingTimeoutMs <= 0) return { ping_interval_ms: pingIntervalWithoutIdleTimeoutMs, idle_timeout_ms: 0 };
  return { ping_interval_ms: Math.max(1, Math.floor(pingTimeoutMs / 3)), idle_timeout_ms: pingTimeoutMs };
}

export function buildHelloFrame(connId: string, timers: HelloTimers): OutboundFrame {
  const data = { conn_id: connId, ping_interval_ms: timers.ping_interval_ms, idle_timeout_ms: timers.idle_timeout_ms };
  return { data: Buffer.from(JSON.stringify({ event: '$hello', data })), binary: false };
}

/** The window over which drained clients should spread their reconnects: WS_SHUTDOWN_TIMEOUT_MS. */
export function buildDrainFrame(reconnectWithinMs: number): OutboundFrame {
  return { data: Buffer.from(JSON.stringify({ event: '$drain', data: { reconnect_within_ms: reconnectWithinMs } })), binary: false };
}
