// The node agent's own API client (I/O): JSON requests and watches over HTTPS with the node's client certificate,
// independent of the operator's client so the two cannot agree and both be wrong.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface ApiClientOptions {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export class ApiRequestError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(method: string, path: string, code: number, body: string) {
    let message = body;
    let reason = '';
    try {
      const status = JSON.parse(body) as { message?: string; reason?: string };
      message = status.message ?? body;
      reason = status.reason ?? '';
    } catch { /* not a Status: keep the text */ }
    super(`${method} ${path}: ${code} ${message}`);
    this.code = code;
    this.reason = reason;
  }
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export class ApiClient {
  private readonly url: URL;
  private readonly agent: Agent;

  constructor(o: ApiClientOptions) {
    this.url = new URL(o.server);
    this.agent = new Agent({ ca: o.caPem, cert: o.certPem, key: o.keyPem, keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  private open(method: string, path: string, body: unknown, contentType: string, signal?: AbortSignal): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.url.hostname, port: this.url.port, path, method, agent: this.agent, signal,
        headers: {
          Accept: 'application/json', 'User-Agent': 'tapr-node-agent/v1.37.2',
          ...(payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }),
        },
      }, resolve);
      req.on('error', reject);
      req.end(payload);
    });
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await this.open(method, path, body, contentType);
    let text = '';
    for await (const chunk of res.setEncoding('utf8')) text += chunk as string;
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw new ApiRequestError(method, path, code, text);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /** Streams a watch until it ends (server timeout, abort, error); each event in order. */
  async watch(path: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const res = await this.open('GET', path, undefined, '', signal);
    const code = res.statusCode ?? 0;
    if (code !== 200) {
      let text = '';
      for await (const chunk of res.setEncoding('utf8')) text += chunk as string;
      throw new ApiRequestError('GET', path, code, text);
    }
    let buffered = '';
    try {
      for await (const chunk of res.setEncoding('utf8')) {
        buffered += chunk as string;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiRequestError && err.code === 404;
}

/** 404 (gone), 409 (changed or replaced: uid precondition) — what a node ignores when it writes about a pod. */
export function isGoneOrReplaced(err: unknown): boolean {
  return err instanceof ApiRequestError && (err.code === 404 || err.code === 409);
}

/** Connection failures and 429/5xx: the API server restarting or overloaded; a kubelet retries these quietly. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiRequestError) return err.code === 429 || err.code >= 500;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code);
}
