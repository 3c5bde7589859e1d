// A small JSON client for the Kubernetes API over the connection's TLS and credentials (I/O), plus watch streams on the
// same keep-alive agent. Objects stay raw JSON, as the watch stream delivers them.
import { Agent, request, type RequestOptions } from 'node:https';
import type { KubeConnection } from './cluster-connection.ts';
import { startWatch, type OpenWatch } from './watch-stream.ts';

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
  /** Default `application/json`; e.g. the Table form kubectl asks for. */
  accept?: string;
}

export interface ApiClient {
  request<T = unknown>(req: ApiRequest): Promise<T>;
  close(): void;
}

/** The operator's client: requests and watches. */
export interface KubeClient extends ApiClient {
  watch: OpenWatch;
}

export function createApiClient(connection: KubeConnection): KubeClient {
  const { server, tls } = connection;
  // One keep-alive agent for every request and watch; credentials are added per request (tokens rotate).
  const agent = new Agent({ keepAlive: true, ...tls });
  const prepare = async (method: ApiRequest['method'], path: string, query: ApiRequest['query'], headers: Record<string, string | number>): Promise<RequestOptions> => {
    const url = new URL(path, server);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    return {
      host: server.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: server.port === '' ? 443 : server.port,
      path: `${url.pathname}${url.search}`,
      method,
      agent,
      headers: { Accept: 'application/json', ...headers, ...(await connection.headers()) },
    };
  };
  return {
    async request<T>(req: ApiRequest): Promise<T> {
      const body = req.body === undefined ? undefined : JSON.stringify(req.body);
      const options = await prepare(req.method, req.path, req.query, {
        ...(req.accept === undefined ? {} : { Accept: req.accept }),
        ...(body === undefined ? {} : {
          'Content-Type': req.patchType === undefined ? 'application/json' : PATCH_CONTENT_TYPES[req.patchType],
          'Content-Length': Buffer.byteLength(body),
        }),
      });
      try {
        return await send<T>(options, req, body);
      } catch (error) {
        // A kept-alive socket the server closed meanwhile (e.g. it restarted): the request never reached it; send it once more.
        if (error instanceof StaleSocketError) return await send<T>(options, req, body);
        throw error;
      }
    },
    watch: (req, onEvent) => startWatch({
      prepare: async (path, query) => await prepare('GET', path, query, {}),
      errorFor: (status, text) => apiErrorFor(status, text),
    }, req, onEvent),
    close() {
      agent.destroy();
    },
  };
}

/** GET that answers undefined for a missing object (404) and throws on any other error. */
export async function getIfExists<T>(api: ApiClient, path: string, timeoutMs?: number): Promise<T | undefined> {
  try {
    return await api.request<T>({ method: 'GET', path, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  } catch (error) {
    if (isApiError(error, 404)) return undefined;
    throw error;
  }
}

/** The error for a non-2xx answer, with the Status fields when the body is one. */
export function apiErrorFor(status: number, text: string): ApiError {
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // a non-JSON body is kept as text for the error
  }
  const fields = typeof parsed === 'object' && parsed !== null ? parsed as { reason?: unknown; message?: unknown } : {};
  return new ApiError(status, typeof fields.reason === 'string' ? fields.reason : 'Unknown',
    typeof fields.message === 'string' ? fields.message : text.slice(0, 200), parsed);
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
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          reject(apiErrorFor(status, text));
          return;
        }
        try {
          resolve((text === '' ? undefined : JSON.parse(text)) as T);
        } catch {
          resolve(text as T);
        }
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
