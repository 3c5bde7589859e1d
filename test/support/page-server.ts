// Serves a test page and the browser client bundle, and passes everything under /ws to the gateway byte for byte, so
// the page, its sockets and the client's refusal probe (SPEC A11) share one origin, as behind an app's ingress. I/O.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { bundleBrowserClient } from '../../client/scripts/bundle.ts';

export interface PageServer {
  /** `http://127.0.0.1:<port>/` : the test page, which exposes the library as `window.tapr`. */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  readonly wsUrl: string;
  /** Where /ws goes; undefined: nowhere (connections and probes fail as with a gateway that is down). */
  gatewayPort: number | undefined;
  /** How many upgrades reached this server (refusals included). */
  readonly upgrades: number;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>tapr-ws client test</title></head><body>
<script type="module">import * as tapr from '/tapr-ws-client.js'; window.tapr = tapr; window.taprReady = true;</script>
</body></html>`;

/** The raw request head, as the gateway would have received it from the browser. */
function requestHead(req: IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export async function startPageServer(gatewayPort: number | undefined): Promise<PageServer> {
  const bundle = await bundleBrowserClient();
  const sockets = new Set<Duplex>();
  let upgrades = 0;
  const state = { gatewayPort };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (path === '/tapr-ws-client.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    if ((path === '/ws' || path.startsWith('/ws/')) && state.gatewayPort !== undefined) {
      const upstream = request({ host: '127.0.0.1', port: state.gatewayPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.headersSent ? res.destroy() : res.writeHead(502).end('gateway unreachable'));
      return void req.pipe(upstream);
    }
    res.writeHead(path.startsWith('/ws') ? 502 : 404).end();
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrades += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (state.gatewayPort === undefined) return void socket.destroy();
    const upstream = connect(state.gatewayPort, '127.0.0.1', () => {
      upstream.write(requestHead(req));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => (sockets.delete(upstream), socket.destroy()));
    upstream.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    get gatewayPort() {
      return state.gatewayPort;
    },
    set gatewayPort(value) {
      state.gatewayPort = value;
    },
    get upgrades() {
      return upgrades;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
