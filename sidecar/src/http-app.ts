// The gateway's HTTP surface on WS_GATEWAY_PORT: control API, health, metrics, and the verdict for a plain GET on a client endpoint (SPEC A11). HTTP edge.
import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { Logger } from 'pino';
import { createChannelRoutes, createControlRoutes, errorBody } from './control-api/control-routes.ts';
import type { Hub } from './hub/hub.ts';
import { createHealthRoutes, type HealthSources } from './observability/health-routes.ts';
import { decideClientPath } from './upgrade/client-path.ts';
import { decideAdmission, type UpgradeLoad, type UpgradePolicy } from './upgrade/decide-upgrade.ts';

export interface HttpAppDeps extends HealthSources {
  hub: Hub;
  controlToken: string;
  /** WS_MAX_CHANNELS_PER_CONNECTION. */
  maxChannelsPerConnection: number;
  log: Logger;
  /** The upgrade rules (WS_USER_HEADER, origins, limits) and who may set the user header, so a plain GET gets the verdict an upgrade would. */
  policy: UpgradePolicy;
  trustedPeer: (address: string | undefined) => boolean;
  load: () => UpgradeLoad;
}

export function createHttpApp(deps: HttpAppDeps): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  // Before routing, on the raw target: the Request URL hono sees is already normalised (`/ws/../x` would be `/x`).
  app.use('*', async (c, next) => {
    const { incoming } = c.env;
    const target = decideClientPath(incoming.url ?? '/');
    if (target.kind === 'elsewhere') return next();
    if (target.kind === 'invalid') return c.json(errorBody(target.status, target.message), target.status);
    const peer = incoming.socket.remoteAddress;
    const origin = incoming.headers.origin;
    const verdict = decideAdmission(
      { origin, user: incoming.headersDistinct[deps.policy.userHeader] ?? [], peerTrusted: deps.trustedPeer(peer), peer },
      deps.policy,
      deps.load(),
    );
    if (verdict.kind === 'reject') return c.json(errorBody(verdict.status, verdict.message), verdict.status);
    c.header('Upgrade', 'websocket');
    c.header('Connection', 'Upgrade');
    return c.json(errorBody(426, `${target.path} expects a WebSocket upgrade`), 426);
  });
  app.route('/tapr/ws/conn', createControlRoutes(deps.hub, deps.controlToken));
  app.route('/tapr/ws/channel', createChannelRoutes(deps.hub, deps.controlToken, deps.maxChannelsPerConnection));
  app.route('/', createHealthRoutes(deps));
  app.notFound((c) => c.json(errorBody(404, `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    deps.log.error({ err: error, path: c.req.path, code: 'GW_ERR_INTERNAL' }, 'request failed');
    return c.json(errorBody(500, 'internal error'), 500);
  });
  return app;
}
