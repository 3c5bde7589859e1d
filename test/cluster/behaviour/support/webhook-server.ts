// Behaviour-suite support: a tiny HTTPS admission webhook on 127.0.0.1 with its own CA (from the cluster's tls module),
// recording the AdmissionReviews it gets and answering with a test-supplied function.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueCertificate } from '../../tls/certificates.ts';

export interface AdmissionReviewRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: { username: string; groups: string[] };
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  dryRun: boolean;
}

export interface WebhookAnswer {
  allowed: boolean;
  /** JSON patch operations (encoded for the reply). */
  patch?: unknown[];
  status?: { code?: number; message?: string; reason?: string };
  warnings?: string[];
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export interface WebhookServer {
  host: string;
  port: number;
  url(path: string): string;
  /** base64 PEM of the CA that signed the serving certificate. */
  caBundle: string;
  requests: { path: string; request: AdmissionReviewRequest }[];
  respond(fn: (req: AdmissionReviewRequest, path: string) => WebhookAnswer): void;
  close(): Promise<void>;
}

/**
 * `dnsNames` lets the certificate also serve a Service (`<name>.<ns>.svc`). `host` (default 127.0.0.1) is where it
 * listens: Endpoints may not name loopback addresses, so a webhook behind a Service listens on the pod bridge's host IP.
 */
export async function startWebhookServer(options: { dnsNames?: string[]; host?: string } = {}): Promise<WebhookServer> {
  const host = options.host ?? '127.0.0.1';
  const ca = await createCertificateAuthority({ commonName: 'webhook-test-ca' });
  const cert = await issueCertificate(ca, { commonName: 'webhook', ipAddresses: [host], dnsNames: options.dnsNames ?? [], usage: 'server' });
  let answer: (req: AdmissionReviewRequest, path: string) => WebhookAnswer = () => ({ allowed: true });
  const requests: WebhookServer['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const review = JSON.parse(body) as { request: AdmissionReviewRequest };
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      requests.push({ path, request: review.request });
      const a = answer(review.request, path);
      const response: Record<string, unknown> = { uid: review.request.uid, allowed: a.allowed };
      if (a.patch !== undefined) {
        response.patchType = 'JSONPatch';
        response.patch = Buffer.from(JSON.stringify(a.patch)).toString('base64');
      }
      if (a.status !== undefined) response.status = a.status;
      if (a.warnings !== undefined) response.warnings = a.warnings;
      const send = (): void => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      };
      if (a.delayMs === undefined) send();
      else {
        const timer = setTimeout(() => { timers.delete(timer); send(); }, a.delayMs);
        timers.add(timer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host,
    url: (path) => `https://${host}:${port}${path}`,
    caBundle: Buffer.from(ca.certPem).toString('base64'),
    requests,
    respond: (fn) => { answer = fn; },
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
