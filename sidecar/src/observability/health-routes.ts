// /healthz, /readyz, /stats and /metrics (SPEC A5): reachable from anywhere, no user data. HTTP edge.
import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { BackplaneStats } from '../backplane/backplane.ts';
import type { RegistryCounts } from '../hub/connection-registry.ts';
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

export function createHealthRoutes(sources: HealthSources): Hono<{ Bindings: HttpBindings }> {
  const routes = new Hono<{ Bindings: HttpBindings }>();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', (c) => {
    const readiness = sources.readiness();
    return readiness.ready ? c.json({ status: 'ready' }) : c.json({ status: 'not ready', reason: readiness.reason }, 503);
  });
  routes.get('/stats', (c) => c.json(sources.stats()));
  routes.get('/metrics', async (c) => {
    const text = await sources.metrics.registry.metrics();
    return c.text(text, 200, { 'content-type': sources.metrics.registry.contentType });
  });
  return routes;
}
