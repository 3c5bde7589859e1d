// One pod's ServiceAccount token volume (I/O): a TokenRequest bound to the pod, written with ca.crt and namespace to
// a directory that containers get bind-mounted at /var/run/secrets/kubernetes.io/serviceaccount, refreshed at 80% of
// its lifetime (files are replaced by rename, so a reader sees the old token or the new one).
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiClient } from './api-client.ts';
import { decideTokenRefreshMs } from './node-object.ts';

export interface TokenVolumeOptions {
  client: ApiClient;
  dir: string;
  caPem: string;
  namespace: string;
  serviceAccount: string;
  pod: { name: string; uid: string };
  expirationSeconds: number;
  audiences?: string[];
  /** Refresh after this long instead of at 80% of the lifetime (tests). */
  refreshAfterMs?: number;
  onError: (err: unknown) => void;
}

async function writeAtomically(path: string, data: string): Promise<void> {
  await writeFile(`${path}.tmp`, data, { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

export class TokenVolume {
  private readonly o: TokenVolumeOptions;
  private ready: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The TokenRequest and writes under way (remove() waits for them, so nothing is written after it). */
  private inflight: Promise<void> = Promise.resolve();
  /** When the token on disk was last written (tests read it). */
  lastIssuedAt = 0;

  constructor(o: TokenVolumeOptions) {
    this.o = o;
  }

  get dir(): string {
    return this.o.dir;
  }

  /** Writes the volume once (later calls wait for the same write; a failed one is retried by the next call). */
  ensure(): Promise<void> {
    this.ready ??= this.refresh().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private refresh(): Promise<void> {
    const run = this.inflight.then(() => this.requestAndWrite());
    this.inflight = run.catch(() => {});
    return run;
  }

  private async requestAndWrite(): Promise<void> {
    if (this.stopped) return;
    const { client, namespace, serviceAccount, pod } = this.o;
    const body = {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      spec: {
        expirationSeconds: this.o.expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid },
        ...(this.o.audiences === undefined ? {} : { audiences: this.o.audiences }),
      },
    };
    const issuedAt = Date.now();
    const answer = await client.request<{ status?: { token?: string; expirationTimestamp?: string } }>(
      'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, body);
    const token = answer.status?.token;
    if (token === undefined) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
    if (this.stopped) return;
    await mkdir(this.o.dir, { recursive: true, mode: 0o755 });
    await writeAtomically(join(this.o.dir, 'ca.crt'), this.o.caPem);
    await writeAtomically(join(this.o.dir, 'namespace'), namespace);
    await writeAtomically(join(this.o.dir, 'token'), token);
    this.lastIssuedAt = issuedAt;
    const expiresAt = Date.parse(answer.status?.expirationTimestamp ?? '') || issuedAt + this.o.expirationSeconds * 1000;
    this.schedule(this.o.refreshAfterMs ?? decideTokenRefreshMs(issuedAt, expiresAt), expiresAt, issuedAt);
  }

  /**
   * The next refresh. A failed one (the API server restarting, the Node authorizer's graph not yet rebuilt after it)
   * is retried every second while the token on disk is still good; only a token about to expire is reported.
   */
  private schedule(ms: number, expiresAt: number, issuedAt: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.refresh().catch((err: unknown) => {
        if (this.stopped) return;
        if (Date.now() > expiresAt - (expiresAt - issuedAt) * 0.1) {
          this.o.onError(new Error(`refreshing the token of pod ${this.o.namespace}/${this.o.pod.name}`, { cause: err }));
        }
        this.schedule(1000, expiresAt, issuedAt);
      });
    }, ms);
    this.timer.unref();
  }

  async remove(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.inflight;
    await rm(this.o.dir, { recursive: true, force: true });
  }
}
