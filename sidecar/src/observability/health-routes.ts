// /healthz, /readyz, /stats and /metrics (SPEC A5): reachable from anywhere, no user data. HTTP edge.
import type { BackplaneStats } from '../backplane/backplane.ts';
import type { RegistryCounts } from '../hub/connection-registry.ts';
import { jsonReply, textReply } from '../http/http-reply.ts';
import type { RouteGroup } from '../http/route-table.ts';
import type { GatewayMetrics } from './metrics.ts';

export interface Readiness {
  ready: boolean;
  /** Why not ready, for the 503 body. */
  reason?: string;
}

export interface GatewayStats extends RegistryCounts {
  pod: string;
  configHash: string;
  version: string;
  startedAt: string;
  /** Only with the Redis backplane: the union across live replicas (SPEC A8). */
  backplane?: BackplaneStats;
}

export interface HealthSources {
  readiness: () => Readiness;
  stats: () => GatewayStats;
  metrics: GatewayMetrics;
}

export function createHealthRoutes(sources: HealthSources): RouteGroup {
  return {
    prefix: '',
    refuseOtherMethods: false,
    routes: {
      '/healthz': { GET: () => jsonReply(200, { status: 'ok' }) },
      '/readyz': {
        GET: () => {
          const readiness = sources.readiness();
          return readiness.ready ? jsonReply(200, { status: 'ready' }) : jsonReply(503, { status: 'not ready', reason: readiness.reason });
        },
      },
      '/stats': { GET: () => jsonReply(200, sources.stats()) },
      '/metrics': { GET: async () => textReply(200, await sources.metrics.registry.metrics(), sources.metrics.registry.contentType) },
    },
  };
}
