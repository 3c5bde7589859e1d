// The webhook's serving certificate from files written by cert-manager (tls.crt / tls.key of a mounted Secret): read
// once at start, then polled by content every few seconds (kubelet swaps mounted Secrets through a `..data` symlink,
// which fs.watch does not report reliably) and handed to the server when it changes. Never writes anything. I/O.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCertificatePair } from './certificate-pair.ts';
import type { CertificateSource } from './certificate-source.ts';
import type { ServingCertificate, ServingNames } from './certificates.ts';

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

export interface FileCertificateSourceOptions {
  /** The mounted Secret's directory, holding tls.crt and tls.key. */
  dir: string;
  /** Names the API server will check; a certificate missing one is loaded with a warning. */
  names?: ServingNames;
  /** How often the files are read again (default 5 s). */
  pollIntervalMs?: number;
  now?: () => Date;
  /** Called with each new valid pair (the first one included). */
  onCertificate: (certificate: ServingCertificate, details: { serialNumber: string; notAfter: Date; warnings: string[] }) => void;
  /** A missing, unreadable or invalid pair; reported once per distinct file content, the last good one stays served. */
  onError?: (error: Error) => void;
}

export class FileCertificateSource implements CertificateSource {
  private readonly options: FileCertificateSourceOptions;
  private readonly certPath: string;
  private readonly keyPath: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The file contents last examined (good or bad), so an unchanged pair is neither reloaded nor reported again. */
  private examined: string | undefined;
  private loaded = false;
  /** Expiry of the pair in use, to say so once when it passes without new files. */
  private loadedNotAfter: Date | undefined;
  private expiryReported = false;
  /** Pairs loaded so far (tests and logs). */
  loads = 0;

  constructor(options: FileCertificateSourceOptions) {
    this.options = options;
    this.certPath = join(options.dir, CERT_FILE);
    this.keyPath = join(options.dir, KEY_FILE);
  }

  get hasCertificate(): boolean {
    return this.loaded;
  }

  /** Reads the files once. Does not throw: a missing or bad pair is reported through onError and /readyz stays 503. */
  async ensure(): Promise<void> {
    this.running ??= this.readOnce().finally(() => { this.running = undefined; });
    await this.running;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => { void this.ensure(); }, this.options.pollIntervalMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async readOnce(): Promise<void> {
    let certPem: string;
    let keyPem: string;
    try {
      // One after the other: with both files missing, the error must name the same one every time (it decides whether
      // the state is new and gets reported), not whichever read happened to fail first.
      certPem = await this.read(this.certPath);
      keyPem = await this.read(this.keyPath);
    } catch (error) {
      this.report(`unreadable:${(error as Error).message}`, error as Error);
      return;
    }
    const content = `${certPem}\0${keyPem}`;
    const now = (this.options.now ?? (() => new Date()))();
    if (content === this.examined) {
      if (this.loadedNotAfter !== undefined && now >= this.loadedNotAfter && !this.expiryReported) {
        this.expiryReported = true;
        this.options.onError?.(new Error(`webhook certificate in ${this.certPath} expired at ${this.loadedNotAfter.toISOString()} and was not replaced (is cert-manager renewing it?)`));
      }
      return;
    }
    this.examined = content;
    const check = checkCertificatePair({
      certPem, keyPem, certLabel: this.certPath, keyLabel: this.keyPath, now,
      ...(this.options.names === undefined ? {} : { names: this.options.names }),
    });
    if (!check.ok) {
      this.options.onError?.(new Error(`webhook certificate not loaded: ${check.reason}${this.loaded ? ' (the previous one stays in use)' : ''}`));
      return;
    }
    this.options.onCertificate(check.certificate, { serialNumber: check.serialNumber, notAfter: check.notAfter, warnings: check.warnings });
    this.loaded = true;
    this.loadedNotAfter = check.notAfter;
    this.expiryReported = false;
    this.loads += 1;
  }

  private async read(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT'
        ? 'does not exist (is the cert-manager Secret mounted there?)'
        : `cannot be read: ${(error as Error).message}`;
      throw new Error(`webhook certificate not loaded: ${path} ${why}`, { cause: error });
    }
  }

  /** Reports a read failure once until the situation changes (no error line every poll while a file is missing). */
  private report(state: string, error: Error): void {
    if (this.examined === state) return;
    this.examined = state;
    this.options.onError?.(error);
  }
}
