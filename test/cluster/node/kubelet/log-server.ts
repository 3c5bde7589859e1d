// The node's HTTPS endpoint (I/O) the API server dials for `kubectl logs`: `/containerLogs/{ns}/{pod}/{container}`
// with tailLines, previous, timestamps, limitBytes, sinceTime/sinceSeconds and follow. Clients must present a certificate signed by the
// cluster CA, and are authorized as the kubelet does: a SubjectAccessReview for `nodes/proxy` (`nodes/log` too).
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogBuffer } from '../log-buffer.ts';
import type { ApiClient } from './api-client.ts';
import { parseLogQuery } from './node-object.ts';

export interface ContainerLogs {
  logs: LogBuffer;
  previousLogs: LogBuffer | undefined;
  everStarted: boolean;
  waitingReason: string | undefined;
}

export interface LogServerOptions {
  host: string;
  certPem: string;
  keyPem: string;
  caPem: string;
  nodeName: string;
  client: ApiClient;
  /** The container's logs, or a message why there are none (pod or container unknown on this node). */
  find(namespace: string, pod: string, container: string): ContainerLogs | string;
}

function fail(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
}

async function isAllowed(o: LogServerOptions, req: IncomingMessage, subresource: string): Promise<boolean> {
  const cert = (req.socket as TLSSocket).getPeerCertificate();
  const subject = cert.subject as Record<string, string | string[]> | undefined;
  const user = subject?.CN;
  if (typeof user !== 'string') return false;
  const o2 = subject?.O;
  const groups = o2 === undefined ? [] : Array.isArray(o2) ? o2 : [o2];
  const review = await o.client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: { user, groups: [...groups, 'system:authenticated'], resourceAttributes: { verb: 'get', resource: 'nodes', subresource, name: o.nodeName } },
  });
  return review.status?.allowed === true;
}

async function handle(o: LogServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://node');
  if (url.pathname === '/healthz') {
    res.end('ok');
    return;
  }
  const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (m === null || req.method !== 'GET') {
    fail(res, 404, '404 page not found');
    return;
  }
  if (!(await isAllowed(o, req, 'proxy')) && !(await isAllowed(o, req, 'log'))) {
    fail(res, 403, `Forbidden (user is not allowed to get nodes/proxy of ${o.nodeName})`);
    return;
  }
  const [namespace, pod, container] = m.slice(1).map(decodeURIComponent) as [string, string, string];
  const found = o.find(namespace, pod, container);
  if (typeof found === 'string') {
    fail(res, 404, found);
    return;
  }
  const q = parseLogQuery(url.searchParams, new Date());
  if (!found.everStarted) {
    fail(res, 400, `container "${container}" in pod "${pod}" is waiting to start: ${found.waitingReason ?? 'ContainerCreating'}`);
    return;
  }
  const buffer = q.previous ? found.previousLogs : found.logs;
  if (buffer === undefined) {
    fail(res, 400, `previous terminated container "${container}" in pod "${pod}" not found`);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
  let text = buffer.read({
    timestamps: q.timestamps, ...(q.tailLines === undefined ? {} : { tailLines: q.tailLines }), ...(q.since === undefined ? {} : { since: q.since }),
  });
  let budget = q.limitBytes ?? Infinity;
  if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString('utf8');
  budget -= Buffer.byteLength(text);
  res.write(text);
  if (!q.follow || buffer.ended || budget <= 0) {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stop = buffer.follow((line) => {
      if (line === undefined) {
        res.end();
        resolve();
        return;
      }
      const out = `${q.timestamps ? `${line.at} ` : ''}${line.text}\n`;
      res.write(out);
      budget -= Buffer.byteLength(out);
      if (budget <= 0) {
        stop();
        res.end();
        resolve();
      }
    });
    req.socket.once('close', () => { stop(); resolve(); });
  });
}

export async function startLogServer(o: LogServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer({ cert: o.certPem, key: o.keyPem, ca: o.caPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    handle(o, req, res).catch((err: unknown) => {
      if (!res.headersSent) fail(res, 500, err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, o.host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('log server has no port');
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
