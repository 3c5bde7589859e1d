// When each connection gets its protocol ping (WS_SERVER_PING_MS): spread over the interval in slices. Pure.

export interface PingSchedule {
  /** How often the sweep runs. */
  tickMs: number;
  /** The sweep pings one slice per tick; a connection is in slice `serial % slices`, so each is pinged once per interval. */
  slices: number;
}

/**
 * About one slice per second (at most 25): `ws.ping()` on 5,000 sockets in one go blocked the event loop ~70 ms on a
 * 2-core VM (10k: ~140 ms, every interval, felt by every echo); a slice is a 25th of that, and each connection
 * still gets exactly one ping per interval.
 */
export function buildPingSchedule(serverPingMs: number): PingSchedule {
  const slices = Math.max(1, Math.min(25, Math.floor(serverPingMs / 1000)));
  return { tickMs: serverPingMs / slices, slices };
}
