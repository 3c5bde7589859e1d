// The operator's plain HTTP server on its own port: /healthz (alive), /readyz (caches synced, certificate loaded),
// /metrics (Prometheus text). hono on node:http. I/O.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { SERVER_TIMEOUTS } from './read-limited-body.ts';

export interface HealthSources {
  isReady(): boolean;
  registry: Registry;
}

export interface HealthServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export function createHealthRoutes(sources: HealthSources): Hono {
  const app = new Hono();
  // Only GETs are served, so no request body is ever read: anything else is refused and its connection closed.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return await next();
    return c.json({ message: `method ${c.req.method} not allowed (GET /healthz, /readyz, /metrics)` }, 405, { Allow: 'GET, HEAD', Connection: 'close' });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => (sources.isReady()
    ? c.json({ status: 'ready' })
    : c.json({ status: 'not ready', reason: 'caches not synced or webhook certificate not loaded' }, 503)));
  app.get('/metrics', async (c) => c.text(await sources.registry.metrics(), 200, { 'content-type': sources.registry.contentType }));
  return app;
}

export async function startHealthServer(options: { host: string; port: number; sources: HealthSources }): Promise<HealthServer> {
  const app = createHealthRoutes(options.sources);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: options.host }) as Server;
  server.headersTimeout = SERVER_TIMEOUTS.headersTimeoutMs;
  server.requestTimeout = SERVER_TIMEOUTS.requestTimeoutMs;
  server.listen(options.port, options.host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => { throw error as Error; })]);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
