// The HTTPS edge of the injection webhook (I/O): hono on node:https, POST /mutate-pods answered from the caches only;
// the serving certificate is swapped in place (setSecureContext) when the certificate manager renews it.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { createBodyBudget, describeUnreadBody, readLimitedBody, SERVER_TIMEOUTS } from '../http/read-limited-body.ts';
import { admitUnchanged, reviewAdmission, type AdmissionContext, type AdmissionOutcome } from './admission.ts';
import type { ServingCertificate } from './certificates.ts';
import { WEBHOOK_PATH } from './webhook-configuration.ts';

export interface WebhookServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Without one, handshakes fail until setCertificate (the port is known before the certificate is registered). */
  certificate?: ServingCertificate;
  /** Read on every request, so settings and caches can change underneath. */
  context: () => AdmissionContext;
  /** Told about every admission (for logs and metrics); never about the API server, which is not called. */
  onAdmission?: (outcome: AdmissionOutcome | { kind: 'failed'; error: unknown }, durationMs: number) => void;
}

export interface WebhookServer {
  port: number;
  url: string;
  setCertificate(certificate: ServingCertificate): void;
  close(): Promise<void>;
}

/** AdmissionReviews carry one pod; far below this. Counted while reading, whatever the framing. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** The API server sends a review at once; a body that trickles in longer than this is not one. */
export const BODY_TIMEOUT_MS = 10_000;
/** All bodies being read at the same time hold at most this much (reviews are a few KiB; 4 of the largest at once). */
export const MAX_BUFFERED_BODY_BYTES = 4 * MAX_BODY_BYTES;

export function buildWebhookApp(options: Pick<WebhookServerOptions, 'context' | 'onAdmission'>): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  const budget = createBodyBudget(MAX_BUFFERED_BODY_BYTES);
  app.post(WEBHOOK_PATH, async (c) => {
    const started = performance.now();
    const read = await readLimitedBody(c.env.incoming, { limitBytes: MAX_BODY_BYTES, timeoutMs: BODY_TIMEOUT_MS, budget });
    if (read.kind !== 'ok') {
      // The rest of the body is never read: the connection closes after this answer.
      const { status, message } = describeUnreadBody(read);
      return c.json({ message }, status, { Connection: 'close' });
    }
    let body: unknown;
    try {
      body = JSON.parse(read.text);
    } catch {
      return c.json({ message: 'body: invalid JSON' }, 400);
    }
    let outcome: AdmissionOutcome;
    try {
      outcome = reviewAdmission(body, options.context());
    } catch (error) {
      // A bug of ours must never block a pod: admit it as it is.
      options.onAdmission?.({ kind: 'failed', error }, performance.now() - started);
      const uid = (body as { request?: { uid?: unknown } } | null)?.request?.uid;
      if (typeof uid === 'string') return c.json(admitUnchanged(uid));
      return c.json({ message: 'request.uid: required' }, 400);
    }
    options.onAdmission?.(outcome, performance.now() - started);
    if (outcome.kind === 'unreadable') return c.json({ message: outcome.message }, 400);
    return c.json(outcome.review);
  });
  // Nothing else is served; a body sent anywhere else is never read.
  app.all('*', (c) => c.json({ message: `${c.req.method} ${c.req.path}: not found (the webhook serves POST ${WEBHOOK_PATH})` }, 404, { Connection: 'close' }));
  return app;
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const app = buildWebhookApp(options);
  const server = createAdaptorServer({
    fetch: app.fetch,
    createServer,
    serverOptions: options.certificate === undefined ? {} : { cert: options.certificate.certPem, key: options.certificate.keyPem },
  }) as Server;
  server.headersTimeout = SERVER_TIMEOUTS.headersTimeoutMs;
  server.requestTimeout = SERVER_TIMEOUTS.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `https://${host}:${port}${WEBHOOK_PATH}`,
    // New handshakes use the new certificate; open connections keep theirs.
    setCertificate: (certificate) => server.setSecureContext({ cert: certificate.certPem, key: certificate.keyPem }),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
