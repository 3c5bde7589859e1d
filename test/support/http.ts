// Raw HTTP helpers for contract tests: requests that tolerate early answers, and upgrade probes. I/O.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends one HTTP request with node:http and resolves with the answer, even when the server answers
 * (e.g. 413) and closes before it read the whole body.
 */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers = { ...options.headers };
    // Node sends DELETE/GET bodies without a length unless told, which the server would misread as a new request.
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = request(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 10000} ms`)), options.timeoutMs ?? 10000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/**
 * Sends a WebSocket upgrade request with exactly the given extra headers (no client-side validation)
 * and resolves with the status and response headers (101 when accepted); the socket is then destroyed.
 */
export function rawUpgrade(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, 'http'), {
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no upgrade answer from ${url}`)), 10000);
    req.on('upgrade', (res, socket) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  const text = await response.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch (cause) {
    throw new Error(`${url} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`, { cause });
  }
  return { status: response.status, body };
}
