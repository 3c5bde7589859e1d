// I/O: one AdmissionReview POST over HTTPS, verified against the webhook's caBundle, with the webhook's timeout.
// Only loopback addresses are ever called (this cluster's pods and test webhooks live on 127.0.0.0/8).
import { request, type Agent } from 'node:https';
import { isIP } from 'node:net';
import type { JsonValue } from '../patch/json-value.ts';
import { WebhookCallError } from './admission-review.ts';

export interface WebhookTarget {
  /** Where to connect. */
  url: URL;
  /** The URL as the apiserver names it in errors (for a Service: https://<name>.<ns>.svc:<port><path>). */
  displayUrl: string;
  /** Name the serving certificate must carry (the URL host, or <name>.<ns>.svc for a Service). */
  serverName: string;
  /** PEM; undefined → the system trust roots. */
  caPem: string | undefined;
  timeoutMs: number;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * `agent`: a keep-alive agent reuses TLS connections across calls, as the apiserver does (a handshake per admission
 * would add tens of milliseconds that a real cluster does not have). Without one, every call connects anew.
 */
export async function postAdmissionReview(target: WebhookTarget, body: JsonValue, agent?: Agent): Promise<JsonValue> {
  const timeoutSeconds = Math.round(target.timeoutMs / 1000);
  const shown = new URL(target.displayUrl);
  shown.searchParams.set('timeout', `${timeoutSeconds}s`);
  const fail = (why: string, cause?: unknown): WebhookCallError =>
    new WebhookCallError(`failed to call webhook: Post "${shown.toString()}": ${why}`, { cause });
  if (!isLoopbackHost(target.url.hostname)) throw fail('the local cluster only calls webhooks on loopback addresses');
  const payload = JSON.stringify(body);
  const url = new URL(target.url);
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  return await new Promise<JsonValue>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', 'Content-Length': Buffer.byteLength(payload) },
      ca: target.caPem,
      servername: isIP(target.serverName) === 0 ? target.serverName : undefined,
      agent: agent ?? false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(fail(err.message, err)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code >= 300) {
          reject(fail(`the server responded with the status code ${code} but did not return more information`));
          return;
        }
        try {
          resolve(JSON.parse(text) as JsonValue);
        } catch (err) {
          reject(new WebhookCallError(`received invalid webhook response: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
        }
      });
    });
    const deadline = setTimeout(() => req.destroy(new Error('context deadline exceeded')), target.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (err) => reject(fail(err.message, err)));
    req.end(payload);
  });
}
