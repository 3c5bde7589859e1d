// Local stand-in for the Olares ingress/auth proxy: demo login, the page and its client library, and `/ws` piped to the
// gateway with `X-Bfl-User` set from the session. I/O (decisions in proxy-auth.ts). Demo only:
// anyone can log in as any name.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { bundleBrowserClient } from '../../client/scripts/bundle.ts';
import { buildRefusal, buildSessionValue, buildUpgradeHead, readSessionUser, SESSION_COOKIE, USER_NAME } from './proxy-auth.ts';

export interface DevProxyOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Where a new `/ws` connection of `user` goes (one gateway, or one of several replicas); undefined: none is ready. */
  pickGateway: (user: string) => GatewayAddress | undefined;
  /** The gateway's WS_USER_HEADER. */
  userHeader?: string;
  log?: (line: string) => void;
}

export interface GatewayAddress {
  host: string;
  port: number;
}

export interface DevProxy {
  readonly port: number;
  /** `http://<host>:<port>/` */
  readonly url: string;
  close(): Promise<void>;
}

const publicDir = new URL('./public/', import.meta.url);
const staticFiles: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
  '/chat.css': { file: 'chat.css', type: 'text/css; charset=utf-8' },
};

// The client library for the page, bundled from client/src in memory once per process (no build step to forget).
let browserClient: Promise<string> | undefined;
function browserClientText(): Promise<string> {
  browserClient ??= bundleBrowserClient();
  return browserClient;
}

type WsRoute = { kind: 'refuse'; status: number; text: string; message: string } | { kind: 'pass'; user: string; gateway: GatewayAddress };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(error = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chat demo: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/chat.css"></head>
<body class="login"><main>
<h1>chat demo</h1>
<p>This stands in for the Olares login. Pick any name; use <code>admin</code> to be allowed to kick anyone.</p>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
<label>Name <input name="name" required pattern="[A-Za-z0-9_\\-]{1,32}" maxlength="32" autofocus></label>
<button>Log in</button>
</form></main></body></html>`;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 4096) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });
}

export async function startDevProxy(options: DevProxyOptions): Promise<DevProxy> {
  const log = options.log ?? ((line: string) => console.log(line));
  const userHeader = options.userHeader ?? 'X-Bfl-User';
  const host = options.host ?? '127.0.0.1';
  // Sessions are signed with a key that lives as long as this process: a restart logs everyone out.
  const sessionKey = randomBytes(32);
  const tunnels = new Set<Duplex>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const user = readSessionUser(req.headers.cookie, sessionKey);

    if (path === '/login' && req.method === 'POST') {
      const name = (await readForm(req)).get('name')?.trim() ?? '';
      if (!USER_NAME.test(name)) {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage('Name: 1-32 letters, digits, "-" or "_".'));
        return;
      }
      const cookie = 'Path=/; HttpOnly; SameSite=Lax';
      res.writeHead(303, {
        location: '/',
        // auth_token is what Olares' login sets; the gateway reports such connections as not public.
        'set-cookie': [`${SESSION_COOKIE}=${buildSessionValue(name, sessionKey)}; ${cookie}`, `auth_token=${randomBytes(16).toString('hex')}; ${cookie}`],
      }).end();
      return;
    }
    if (path === '/login' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage());
      return;
    }
    if (path === '/logout') {
      const expired = 'Path=/; Max-Age=0';
      res.writeHead(303, { location: '/login', 'set-cookie': [`${SESSION_COOKIE}=; ${expired}`, `auth_token=; ${expired}`] }).end();
      return;
    }
    if (path === '/tapr-ws-client.js' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(await browserClientText());
      return;
    }
    if (path === '/ws' && req.method === 'GET') {
      // A plain GET answers what an upgrade would get (SPEC A11): the client library asks this after a refused upgrade,
      // whose status browsers hide, and stops on 401 instead of retrying.
      const route = routeWs(req);
      const [status, message] = route.kind === 'refuse' ? [route.status, route.message] : [426, 'upgrade required'];
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ code: status, message }));
      return;
    }
    const asset = staticFiles[path];
    if (asset && req.method === 'GET') {
      if (path === '/' && !user) {
        res.writeHead(303, { location: '/login' }).end();
        return;
      }
      const content = await readFile(new URL(asset.file, publicDir));
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' }).end(content);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  function refuse(socket: Duplex, status: number, text: string, message: string): void {
    socket.end(buildRefusal(status, text, message));
  }

  function routeWs(req: IncomingMessage): WsRoute {
    if (new URL(req.url ?? '/', 'http://proxy').pathname !== '/ws') return { kind: 'refuse', status: 404, text: 'Not Found', message: 'not found' };
    const user = readSessionUser(req.headers.cookie, sessionKey);
    if (!user) return { kind: 'refuse', status: 401, text: 'Unauthorized', message: 'log in first' };
    const gateway = options.pickGateway(user);
    if (gateway === undefined) return { kind: 'refuse', status: 503, text: 'Service Unavailable', message: 'no gateway is ready yet' };
    return { kind: 'pass', user, gateway };
  }

  function tunnel(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const route = routeWs(req);
    if (route.kind === 'refuse') {
      refuse(socket, route.status, route.text, route.message);
      return;
    }
    const { user, gateway } = route;
    const upstream: Socket = connect(gateway.port, gateway.host);
    tunnels.add(socket);
    const teardown = () => {
      tunnels.delete(socket);
      upstream.destroy();
      socket.destroy();
    };
    upstream.once('connect', () => {
      upstream.write(buildUpgradeHead({ method: req.method ?? 'GET', url: req.url ?? '/ws', httpVersion: req.httpVersion, rawHeaders: req.rawHeaders }, user, userHeader));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.once('error', (err) => {
      if (upstream.connecting) {
        log(`dev-proxy: gateway unreachable: ${err.message}`);
        refuse(socket, 502, 'Bad Gateway', 'gateway unreachable');
        tunnels.delete(socket);
        return;
      }
      teardown();
    });
    socket.once('error', teardown);
    upstream.once('close', teardown);
    socket.once('close', teardown);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`dev-proxy: ${req.method} ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    });
  });
  server.on('upgrade', tunnel);
  server.listen(options.port, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://${host}:${port}/`,
    async close() {
      for (const socket of tunnels) socket.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
