// The demo's few Kubernetes API calls (create, get, the wsgw Table) over HTTPS with the local cluster's CA and
// admin token. I/O.
import { Agent, request } from 'node:https';

export interface KubeAccess {
  /** `https://127.0.0.1:<port>` */
  server: string;
  caPem: string;
  token: string;
}

export class KubeError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'KubeError';
    this.status = status;
  }
}

/** `kubectl get` asks for this: the server prints the rows with the resource's own columns. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=1;g=meta.k8s.io, application/json';

export interface KubeClient {
  get<T>(path: string, accept?: string): Promise<T>;
  /** Undefined on 404. */
  find<T>(path: string): Promise<T | undefined>;
  create(path: string, body: unknown): Promise<void>;
  close(): void;
}

export function createKubeClient(access: KubeAccess): KubeClient {
  const server = new URL(access.server);
  const agent = new Agent({ keepAlive: true, ca: access.caPem });

  function call<T>(method: string, path: string, body: unknown, accept: string): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request({
        host: server.hostname, port: server.port, path, method, agent,
        headers: {
          authorization: `Bearer ${access.token}`,
          accept,
          ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
        },
        timeout: 15_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            parsed = raw;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed as T);
          else reject(new KubeError(status, `${method} ${path}: HTTP ${status}: ${(parsed as { message?: string } | null)?.message ?? raw}`));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
      req.on('error', reject);
      req.end(text);
    });
  }

  /** A GET on a kept-alive socket the server closed meanwhile fails with a reset: it never got there, send it again. */
  async function read<T>(path: string, accept: string): Promise<T> {
    try {
      return await call<T>('GET', path, undefined, accept);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
      return await call<T>('GET', path, undefined, accept);
    }
  }

  return {
    get: (path, accept = 'application/json') => read(path, accept),
    async find<T>(path: string) {
      try {
        return await read<T>(path, 'application/json');
      } catch (error) {
        if (error instanceof KubeError && error.status === 404) return undefined;
        throw error;
      }
    },
    async create(path, body) {
      await call('POST', path, body, 'application/json');
    },
    close: () => agent.destroy(),
  };
}
