// Where the webhook's serving certificate comes from: the operator's own CertificateManager (self-managed: Secret +
// caBundle) or FileCertificateSource (cert-manager: files mounted from a Secret the operator never touches). Types only.

export interface CertificateSource {
  /** True once a serving certificate was handed to the server (for /readyz). */
  readonly hasCertificate: boolean;
  /** The first load (self-managed: also the Secret and the webhook configuration); start-up failures surface here. */
  ensure(): Promise<void>;
  /** Periodic checks from now on (renewal, or files replaced by a rotation). */
  start(): void;
  stop(): Promise<void>;
}
