// Keeps the webhook's CA and serving certificate in a Secret, the caBundle in the MutatingWebhookConfiguration, and
// hands every new serving certificate to the server (reload without restart). Renews before expiry on a timer. I/O.
import type { ApiClient } from '../kube/api-client.ts';
import { getIfExists, isApiError } from '../kube/api-client.ts';
import {
  createCertificateAuthority, issueServingCertificate, loadCertificateAuthority, type CertificateAuthority, type ServingCertificate, type ServingNames,
} from './certificates.ts';
import { buildCaBundle, planCertificates, SECRET_KEYS, type CertificatePolicy, type StoredCertificates } from './certificate-plan.ts';
import { buildWebhook, buildWebhookConfiguration, isWebhookConfigurationCurrent, type WebhookConfigurationInput } from './webhook-configuration.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export const DEFAULT_CERTIFICATE_POLICY: CertificatePolicy = {
  caValidMs: 10 * YEAR_MS,
  servingValidMs: YEAR_MS,
  renewBeforeMs: 90 * 24 * 3600 * 1000,
};

export interface CertificateManagerOptions {
  api: ApiClient;
  /** Where the Secret lives (the operator's namespace). */
  namespace: string;
  secretName: string;
  names: ServingNames;
  webhook: Omit<WebhookConfigurationInput, 'caBundle'>;
  policy?: CertificatePolicy;
  /** How often the Secret is checked for renewal or for another replica's rotation (default 10 min). */
  checkIntervalMs?: number;
  now?: () => Date;
  /** Called with each serving certificate to load (first one included). */
  onCertificate: (certificate: ServingCertificate) => void;
  onError?: (error: Error) => void;
}

interface SecretObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

export class CertificateManager {
  private readonly options: CertificateManagerOptions;
  private readonly policy: CertificatePolicy;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private loaded: string | undefined;
  private running: Promise<void> | undefined;
  /** Renewals performed by this replica (tests and metrics). */
  rotations = 0;

  constructor(options: CertificateManagerOptions) {
    this.options = options;
    this.policy = options.policy ?? DEFAULT_CERTIFICATE_POLICY;
    this.now = options.now ?? (() => new Date());
  }

  get hasCertificate(): boolean {
    return this.loaded !== undefined;
  }

  /** Makes sure the Secret and the webhook configuration are current and the server has the serving certificate. */
  async ensure(): Promise<void> {
    this.running ??= this.ensureOnce().finally(() => { this.running = undefined; });
    await this.running;
  }

  /** Periodic checks; the first ensure() is the caller's, so start-up failures surface there. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.ensure().catch((error: unknown) => this.options.onError?.(error instanceof Error ? error : new Error(String(error))));
    }, this.options.checkIntervalMs ?? 600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async ensureOnce(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const stored = await this.ensureSecret();
        await this.ensureWebhookConfiguration(stored.caBundle ?? stored.caCert!);
        const serving = { certPem: stored.tlsCert!, keyPem: stored.tlsKey! };
        if (this.loaded !== serving.certPem) {
          this.options.onCertificate(serving);
          this.loaded = serving.certPem;
        }
        return;
      } catch (error) {
        // Another replica wrote the same object first: read again and use theirs.
        if (isApiError(error, 409) && attempt < 5) continue;
        throw error;
      }
    }
  }

  private async ensureSecret(): Promise<StoredCertificates> {
    const path = `/api/v1/namespaces/${this.options.namespace}/secrets`;
    const secret = await getIfExists<SecretObject>(this.options.api, `${path}/${this.options.secretName}`);
    const stored = decodeSecret(secret?.data ?? {});
    const now = this.now();
    const plan = planCertificates(stored, this.options.names, this.policy, now);
    if (plan.kind === 'keep') return stored;
    let ca: CertificateAuthority;
    let caBundle: string;
    if (plan.kind === 'newCa') {
      ca = await createCertificateAuthority({ commonName: 'tapr-ws-operator-webhook-ca', validMs: this.policy.caValidMs, now });
      caBundle = buildCaBundle(ca.certPem, stored.caCert, now);
    } else {
      ca = await loadCertificateAuthority(stored.caCert!, stored.caKey!);
      caBundle = stored.caBundle ?? buildCaBundle(ca.certPem, undefined, now);
    }
    const serving = await issueServingCertificate(ca, {
      commonName: this.options.names.dnsNames[0] ?? this.options.names.ipAddresses[0] ?? 'webhook', ...this.options.names, validMs: this.policy.servingValidMs, now,
    });
    const next: StoredCertificates = { caCert: ca.certPem, caKey: ca.keyPem, tlsCert: serving.certPem, tlsKey: serving.keyPem, caBundle };
    const body: SecretObject = {
      // A Secret the Helm chart rendered keeps its labels and Helm's ownership annotations.
      metadata: { ...keptMetadata(secret?.metadata), name: this.options.secretName, namespace: this.options.namespace, ...(secret?.metadata.resourceVersion === undefined ? {} : { resourceVersion: secret.metadata.resourceVersion }) },
      type: 'Opaque',
      data: encodeSecret(next),
    };
    if (secret === undefined) await this.options.api.request({ method: 'POST', path, body: { apiVersion: 'v1', kind: 'Secret', ...body } });
    else await this.options.api.request({ method: 'PUT', path: `${path}/${this.options.secretName}`, body: { apiVersion: 'v1', kind: 'Secret', ...body } });
    this.rotations += 1;
    return next;
  }

  private async ensureWebhookConfiguration(caBundlePem: string): Promise<void> {
    const input = { ...this.options.webhook, caBundle: Buffer.from(caBundlePem).toString('base64') };
    const desired = buildWebhookConfiguration(input);
    const path = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
    const stored = await getIfExists<{ metadata?: { resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> } }>(
      this.options.api, `${path}/${input.name}`,
    );
    if (stored === undefined) {
      await this.options.api.request({ method: 'POST', path, body: desired });
      return;
    }
    if (isWebhookConfigurationCurrent(stored, buildWebhook(input))) return;
    // The chart's labels and Helm's annotations stay; ours are added.
    const ours = desired.metadata as { labels?: Record<string, string> };
    const kept = keptMetadata(stored.metadata);
    const metadata = {
      ...(desired.metadata as Record<string, unknown>), ...kept, labels: { ...kept.labels, ...ours.labels }, resourceVersion: stored.metadata?.resourceVersion,
    };
    await this.options.api.request({ method: 'PUT', path: `${path}/${input.name}`, body: { ...desired, metadata } });
  }
}

/** Labels and annotations someone else put on an object the operator replaces (PUT), so they survive it. */
function keptMetadata(metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): { labels?: Record<string, string>; annotations?: Record<string, string> } {
  return {
    ...(metadata?.labels === undefined ? {} : { labels: metadata.labels }),
    ...(metadata?.annotations === undefined ? {} : { annotations: metadata.annotations }),
  };
}

function decodeSecret(data: Record<string, string>): StoredCertificates {
  const read = (key: string): string | undefined => (data[key] === undefined ? undefined : Buffer.from(data[key], 'base64').toString('utf8'));
  const out: StoredCertificates = {};
  for (const [field, key] of Object.entries(SECRET_KEYS) as [keyof StoredCertificates, string][]) {
    const value = read(key);
    if (value !== undefined && value !== '') out[field] = value;
  }
  return out;
}

function encodeSecret(stored: StoredCertificates): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(SECRET_KEYS) as [keyof StoredCertificates, string][]) {
    const value = stored[field];
    if (value !== undefined) out[key] = Buffer.from(value).toString('base64');
  }
  return out;
}
