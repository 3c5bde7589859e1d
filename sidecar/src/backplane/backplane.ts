// The shape of the multi-replica backplane (SPEC A8) as the gateway sees it. Types only: the gateway loads no Redis code without WS_REDIS_URL.
import type { Connection } from '../connection/connection.ts';
import type { ConnectionRegistry } from '../hub/connection-registry.ts';
import type { Hub } from '../hub/hub.ts';
import type { LocalHub } from '../hub/local-hub.ts';
import type { Logger } from 'pino';
import type { LogAggregator } from '../observability/log-aggregator.ts';

/** `/stats` → `backplane`: the union across live replicas, as last seen by this replica's heartbeat. */
export interface BackplaneStats {
  connected: boolean;
  replicas: number;
  /** Distinct non-empty user names across replicas. */
  users: number;
  connections: number;
}

export interface Backplane {
  /** The hub over every replica; it wraps the local hub. */
  readonly hub: Hub;
  /** Redis reachable and subscribed (`/readyz`). */
  readonly connected: boolean;
  stats(): BackplaneStats;
  connectionOpened(connection: Connection): void;
  connectionClosed(connection: Connection): void;
  /** Starts connecting in the background; never waits for Redis (local delivery must not depend on it). */
  start(): void;
  /** Removes this replica from the shared view and closes the Redis connections. */
  stop(): Promise<void>;
}

export interface BackplaneOptions {
  url: string;
  prefix: string;
  replicaId: string;
  heartbeatMs: number;
  replyTimeoutMs: number;
  /** WS_BACKPLANE_TIMEOUT_MS: bound of every Redis round trip and of the heartbeat's PING. */
  timeoutMs: number;
  registry: ConnectionRegistry<Connection>;
  localHub: LocalHub;
  log: Logger;
  /** Lines that can repeat per message or entry (invalid data read from Redis) go through it. */
  failureLog: LogAggregator;
}

export type BackplaneFactory = (options: BackplaneOptions) => Backplane;
