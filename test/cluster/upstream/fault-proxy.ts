// A small HTTPS proxy in front of kube-apiserver for fault tests: answers the next N requests with 429/500, cuts or
// stalls watch streams. Clients keep their identity: a client certificate becomes X-Remote-User/-Group headers (the
// apiserver trusts them from our front-proxy certificate, as from the aggregator); bearer tokens pass through.
import { createServer, request, Agent, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { IssuedCertificate } from '../tls/certificates.ts';

export interface ClusterFaults {
  /** Ends every open watch stream (clients see the stream close). */
  dropAllWatches(): void;
  /** Answers the next `n` API requests with 429 (Retry-After: 1) or 500; 0 stops. */
  failNext(n: number, code: 429 | 500): void;
  /** While on, watch streams stay open but deliver nothing; what happened meanwhile arrives when turned off. */
  stallWatches(on: boolean): void;
  /** Watch streams open through the proxy now. */
  openWatches(): number;
}

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  readonly faults: ClusterFaults;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  readonly upstreamPort: number;
  readonly caPem: string;
  /** Serving certificate for 127.0.0.1, signed by the cluster CA (clients keep their kubeconfig's CA). */
  readonly serving: IssuedCertificate;
  /** The front-proxy client certificate the apiserver accepts identity headers from. */
  readonly frontProxyClient: IssuedCertificate;
}

interface OpenWatch {
  readonly upstream: IncomingMessage;
  readonly response: ServerResponse;
}

const IDENTITY_HEADERS = /^x-remote-/i;

function isWatch(url: string): boolean {
  const parsed = new URL(url, 'https://proxy');
  const watch = parsed.searchParams.get('watch');
  return watch === 'true' || watch === '1' || parsed.pathname.includes('/watch/');
}

function statusBody(code: 429 | 500): string {
  return JSON.stringify({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code,
    reason: code === 429 ? 'TooManyRequests' : 'InternalError',
    message: code === 429 ? 'too many requests, please try again later (injected by the fault proxy)' : 'an internal error (injected by the fault proxy)',
  });
}

/** The user a verified client certificate names: CN is the user, each O a group. */
function certificateIdentity(socket: TLSSocket): { user: string; groups: string[] } | undefined {
  if (!socket.authorized) return undefined;
  const subject = socket.getPeerCertificate().subject as { CN?: string | string[]; O?: string | string[] } | undefined;
  const cn = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
  if (cn === undefined || cn === '') return undefined;
  const o = subject?.O;
  return { user: cn, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const agent = new Agent({
    keepAlive: true, ca: options.caPem, cert: options.frontProxyClient.certPem, key: options.frontProxyClient.keyPem,
  });
  const watches = new Set<OpenWatch>();
  let failures = { remaining: 0, code: 500 as 429 | 500 };
  let stalled = false;

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket as TLSSocket;
    if (socket.getPeerCertificate().subject !== undefined && !socket.authorized) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 401, reason: 'Unauthorized', message: 'client certificate not signed by the cluster CA' }));
      return;
    }
    if (failures.remaining > 0) {
      failures = { ...failures, remaining: failures.remaining - 1 };
      res.writeHead(failures.code, { 'content-type': 'application/json', ...(failures.code === 429 ? { 'retry-after': '1' } : {}) });
      res.end(statusBody(failures.code));
      req.resume();
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      // A client may not claim an identity through the proxy: only what its certificate proves is sent on.
      if (value !== undefined && !IDENTITY_HEADERS.test(name)) headers[name] = value;
    }
    const identity = certificateIdentity(socket);
    if (identity !== undefined) {
      headers['x-remote-user'] = identity.user;
      if (identity.groups.length > 0) headers['x-remote-group'] = identity.groups;
    }
    headers['host'] = `127.0.0.1:${options.upstreamPort}`;
    const watch = isWatch(req.url ?? '/');
    const upstreamReq = request(
      { host: '127.0.0.1', port: options.upstreamPort, path: req.url, method: req.method, headers, agent },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        // The API server went away mid-answer (a restart): the client must see its stream cut, not hang.
        upstream.on('close', () => {
          if (!upstream.complete) res.destroy();
        });
        if (!watch) {
          upstream.pipe(res);
          return;
        }
        // Headers go out at once, as the apiserver sends them, even while the stream is stalled.
        res.flushHeaders();
        const open: OpenWatch = { upstream, response: res };
        watches.add(open);
        const forget = (): void => {
          watches.delete(open);
          upstream.destroy();
        };
        res.on('close', forget);
        upstream.on('end', () => watches.delete(open));
        if (!stalled) upstream.pipe(res);
        else upstream.pause();
      },
    );
    upstreamReq.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 502, reason: 'ServiceUnavailable', message: `fault proxy: the API server is unreachable: ${error.message}` }));
      }
    });
    req.pipe(upstreamReq);
  };

  const server: Server = createServer(
    { cert: options.serving.certPem, key: options.serving.keyPem, ca: options.caPem, requestCert: true, rejectUnauthorized: false },
    forward,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const faults: ClusterFaults = {
    dropAllWatches: () => {
      for (const open of watches) {
        open.upstream.destroy();
        open.response.destroy();
      }
      watches.clear();
    },
    failNext: (n, code) => {
      failures = { remaining: n, code };
    },
    stallWatches: (on) => {
      stalled = on;
      for (const open of watches) {
        if (on) {
          open.upstream.unpipe(open.response);
          open.upstream.pause();
        } else {
          open.upstream.pipe(open.response);
          open.upstream.resume();
        }
      }
    },
    openWatches: () => watches.size,
  };

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    faults,
    close: async () => {
      faults.dropAllWatches();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
