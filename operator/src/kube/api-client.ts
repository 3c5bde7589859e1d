// A small JSON client for the Kubernetes API over the kubeconfig's TLS and credentials (I/O). Objects stay raw JSON,
// as the watch stream delivers them, so caches and writes never see client-node's typed (Date-converting) models.
import { Agent, request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export type PatchType = 'merge' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

/** A non-2xx answer: the API's Status fields when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly body: unknown;

  constructor(status: number, reason: string, message: string, body: unknown) {
    super(`HTTP ${status} ${reason}: ${message}`);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  patchType?: PatchType;
  /** Default 30 s. */
  timeoutMs?: number;
}

export interface ApiClient {
  request<T = unknown>(req: ApiRequest): Promise<T>;
  close(): void;
}

export function createApiClient(kc: KubeConfig): ApiClient {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  let agent: Agent | undefined;
  return {
    async request<T>(req: ApiRequest): Promise<T> {
      const url = new URL(req.path, server);
      for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
      const body = req.body === undefined ? undefined : JSON.stringify(req.body);
      const options: RequestOptions = {
        host: server.hostname,
        port: server.port === '' ? 443 : server.port,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : {
            'Content-Type': req.patchType === undefined ? 'application/json' : PATCH_CONTENT_TYPES[req.patchType],
            'Content-Length': Buffer.byteLength(body),
          }),
        },
      };
      // Credentials are applied per request (tokens may be refreshed); the keep-alive agent is built once from the TLS material.
      await kc.applyToHTTPSOptions(options);
      agent ??= new Agent({ keepAlive: true, ca: options.ca, cert: options.cert, key: options.key, servername: options.servername, rejectUnauthorized: options.rejectUnauthorized });
      options.agent = agent;
      try {
        return await send<T>(options, req, body);
      } catch (error) {
        // A kept-alive socket the server closed meanwhile (e.g. it restarted): the request never reached it; send it once more.
        if (error instanceof StaleSocketError) return await send<T>(options, req, body);
        throw error;
      }
    },
    close() {
      agent?.destroy();
    },
  };
}

class StaleSocketError extends Error {}

function send<T>(options: RequestOptions, req: ApiRequest, body: string | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const outgoing = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // a non-JSON body is kept as text for the error
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve(parsed as T);
          return;
        }
        const fields = typeof parsed === 'object' && parsed !== null ? parsed as { reason?: unknown; message?: unknown } : {};
        reject(new ApiError(status, typeof fields.reason === 'string' ? fields.reason : 'Unknown',
          typeof fields.message === 'string' ? fields.message : text.slice(0, 200), parsed));
      });
    });
    const timeoutMs = req.timeoutMs ?? 30_000;
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`${req.method} ${req.path}: no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (outgoing.reusedSocket && error.code === 'ECONNRESET') reject(new StaleSocketError(error.message, { cause: error }));
      else reject(error);
    });
    outgoing.end(body);
  });
}
