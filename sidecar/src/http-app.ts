// The gateway's HTTP surface on WS_GATEWAY_PORT: control API, health, metrics, and the 426 for plain GET /ws. HTTP edge.
import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { Logger } from 'pino';
import { createControlRoutes, errorBody } from './control-api/control-routes.ts';
import type { Hub } from './hub/hub.ts';
import { createHealthRoutes, type HealthSources } from './observability/health-routes.ts';
import { clientPath, decideUserHeader } from './upgrade/decide-upgrade.ts';

export interface HttpAppDeps extends HealthSources {
  hub: Hub;
  controlToken: string;
  log: Logger;
  /** WS_USER_HEADER (lower case) and who may set it, so a plain GET /ws gets the verdict an upgrade would. */
  userHeader: string;
  trustedPeer: (address: string | undefined) => boolean;
}

export function createHttpApp(deps: HttpAppDeps): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.route('/tapr/ws/conn', createControlRoutes(deps.hub, deps.controlToken));
  app.route('/', createHealthRoutes(deps));
  app.all(clientPath, (c) => {
    const { incoming } = c.env;
    const peer = incoming.socket.remoteAddress;
    const identity = decideUserHeader(incoming.headersDistinct[deps.userHeader] ?? [], deps.trustedPeer(peer), peer, deps.userHeader);
    if (identity.kind === 'reject') return c.json(errorBody(identity.status, identity.message), identity.status);
    c.header('Upgrade', 'websocket');
    c.header('Connection', 'Upgrade');
    return c.json(errorBody(426, `${clientPath} expects a WebSocket upgrade`), 426);
  });
  app.notFound((c) => c.json(errorBody(404, `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    deps.log.error({ err: error, path: c.req.path, code: 'GW_ERR_INTERNAL' }, 'request failed');
    return c.json(errorBody(500, 'internal error'), 500);
  });
  return app;
}
