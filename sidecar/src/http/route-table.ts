// Which handler answers a request: exact paths grouped under a prefix, each group with an optional guard. Pure.
import type { IncomingMessage } from 'node:http';
import type { HttpReply } from './http-reply.ts';

export type RouteHandler = (request: IncomingMessage) => HttpReply | Promise<HttpReply>;

/** The request's query, parsed only by the routes that read one (not on every control API send). */
export function queryOf(request: IncomingMessage): URLSearchParams {
  const url = request.url ?? '';
  const mark = url.indexOf('?');
  return new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
}

/** The methods a route may answer; HEAD is answered by the GET handler, without a body. */
export interface RouteMethods {
  readonly GET?: RouteHandler;
  readonly POST?: RouteHandler;
}

export interface RouteGroup {
  /** `''` for the root; otherwise the group owns `prefix` and every path under `prefix/`. */
  readonly prefix: string;
  /** Runs before anything else for every path the group owns (known or not): a reply refuses the request. */
  readonly guard?: (request: IncomingMessage) => HttpReply | undefined;
  /** Paths relative to the prefix (`/send`), matched exactly: no trailing slash, no decoding. */
  readonly routes: Readonly<Record<string, RouteMethods>>;
  /** A known path asked with another method: 405 (control API) rather than 404 (health). */
  readonly refuseOtherMethods: boolean;
}

export type RouteMatch =
  | { kind: 'handler'; handler: RouteHandler; guard?: RouteGroup['guard'] }
  | { kind: 'method-not-allowed'; guard?: RouteGroup['guard'] }
  | { kind: 'not-found'; guard?: RouteGroup['guard'] };

/** The first group owning `path` decides; a path no group owns is not found. */
export function matchRoute(groups: readonly RouteGroup[], method: string, path: string): RouteMatch {
  for (const group of groups) {
    if (group.prefix !== '' && path !== group.prefix && !path.startsWith(`${group.prefix}/`)) continue;
    const relative = path.slice(group.prefix.length);
    const methods = Object.hasOwn(group.routes, relative) ? group.routes[relative] : undefined;
    const guard = group.guard ? { guard: group.guard } : {};
    if (methods === undefined) {
      if (group.prefix === '') continue;
      return { kind: 'not-found', ...guard };
    }
    const handler = method === 'GET' || method === 'HEAD' ? methods.GET : method === 'POST' ? methods.POST : undefined;
    if (handler) return { kind: 'handler', handler, ...guard };
    return group.refuseOtherMethods ? { kind: 'method-not-allowed', ...guard } : { kind: 'not-found', ...guard };
  }
  return { kind: 'not-found' };
}
