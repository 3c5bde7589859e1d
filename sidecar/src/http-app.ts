// The gateway's HTTP surface on WS_GATEWAY_PORT: control API, health, metrics, and the verdict for a plain GET on a client endpoint (SPEC A11). HTTP edge.
// Plain node:http, no web Request/Response: every control API call is on the echo path, and loading the web classes
// (undici) costs ~4 MiB per gateway (docs/performance.md, Gateway).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { createChannelRoutes, createControlRoutes } from './control-api/control-routes.ts';
import { errorReply, type HttpReply } from './http/http-reply.ts';
import { matchRoute, type RouteGroup } from './http/route-table.ts';
import { writeReply } from './http/write-reply.ts';
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

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

export function createHttpApp(deps: HttpAppDeps): RequestListener {
  const groups: RouteGroup[] = [
    createControlRoutes(deps.hub, deps.controlToken),
    createChannelRoutes(deps.hub, deps.controlToken, deps.maxChannelsPerConnection),
    createHealthRoutes(deps),
  ];

  /** A plain request on a client endpoint gets the status an upgrade would get, or 426 (SPEC A11). */
  function answerClientPath(request: IncomingMessage, path: string): HttpReply {
    const peer = request.socket.remoteAddress;
    const verdict = decideAdmission(
      { origin: request.headers.origin, user: request.headersDistinct[deps.policy.userHeader] ?? [], peerTrusted: deps.trustedPeer(peer), peer },
      deps.policy,
      deps.load(),
    );
    if (verdict.kind === 'reject') return errorReply(verdict.status, verdict.message);
    return errorReply(426, `${path} expects a WebSocket upgrade`, { upgrade: 'websocket', connection: 'Upgrade' });
  }

  async function answer(request: IncomingMessage): Promise<HttpReply> {
    // On the raw target, before anything normalises it (`/ws/../x` must not become `/x`).
    const target = decideClientPath(request.url ?? '/');
    if (target.kind === 'invalid') return errorReply(target.status, target.message);
    if (target.kind === 'endpoint') return answerClientPath(request, target.path);
    const method = request.method ?? 'GET';
    const match = matchRoute(groups, method, target.path);
    const refused = match.guard?.(request);
    if (refused) return refused;
    if (match.kind === 'method-not-allowed') return errorReply(405, `method ${method} not allowed on ${target.path}`);
    if (match.kind === 'not-found') return errorReply(404, `no route for ${method} ${target.path}`);
    return match.handler(request);
  }

  return (request, response) => {
    const head = request.method === 'HEAD';
    answer(request).then(
      (reply) => writeReply(response, reply, head),
      (error: unknown) => {
        const path = (request.url ?? '/').split('?', 1)[0];
        // A caller that broke off its request body is not the gateway's failure; nobody is left to answer either.
        if (request.socket.destroyed) deps.log.debug({ err: error, path }, 'request broke off before it was answered');
        else deps.log.error({ err: error, path, code: 'GW_ERR_INTERNAL' }, 'request failed');
        writeReply(response, errorReply(500, 'internal error'), head);
      },
    );
  };
}
