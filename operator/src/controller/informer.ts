// One list+watch informer (I/O): a synchronously readable cache of one resource, kept by a watch that resumes from the
// last resourceVersion (bookmarks requested), relists on 410 Gone, and restarts with capped exponential backoff on errors.
import type { ApiClient } from '../kube/api-client.ts';
import { isApiError } from '../kube/api-client.ts';
import { kubeObjectSchema, objectKey, type KubeObject } from '../kube/objects.ts';
import type { OpenWatch, WatchEvent } from '../kube/watch-stream.ts';

export type InformerEventType = 'added' | 'modified' | 'deleted';

export interface InformerEvent {
  type: InformerEventType;
  object: KubeObject;
  /** The cached object before a modification or deletion. */
  previous?: KubeObject;
}

export interface InformerOptions {
  /** For errors and metrics, e.g. "deployments". */
  name: string;
  api: ApiClient;
  /** Opens a watch stream (the API client's `watch`). */
  watch: OpenWatch;
  /** Collection path, across namespaces (/apis/apps/v1/deployments) or in one (/apis/apps/v1/namespaces/a/deployments). */
  path: string;
  labelSelector?: string;
  onEvent: (event: InformerEvent) => void;
  /** Told about list and watch failures (the informer retries by itself). */
  onError?: (error: Error) => void;
  backoff?: { initialMs: number; maxMs: number };
  /** Server-side watch timeout range; each watch picks a random value in it (default 300–600 s, like client-go). */
  watchTimeoutSeconds?: [number, number];
  listPageSize?: number;
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

type WatchOutcome = { kind: 'ended'; events: number } | { kind: 'expired' } | { kind: 'failed'; error: Error };

/** A watch that ends within this long without delivering anything counts as a failure (no tight reconnect loop). */
const MIN_HEALTHY_WATCH_MS = 1000;

export class Informer {
  readonly name: string;
  private readonly options: InformerOptions;
  private readonly cache = new Map<string, KubeObject>();
  private resourceVersion: string | undefined;
  private synced = false;
  private stopped = true;
  private running: Promise<void> | undefined;
  private abortCurrent: (() => void) | undefined;
  private readonly syncWaiters = new Set<() => void>();
  /** Counters for tests and metrics. */
  readonly stats = { lists: 0, watches: 0, expired: 0, failures: 0 };

  constructor(options: InformerOptions) {
    this.name = options.name;
    this.options = options;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(objectKey(namespace, name));
  }

  list(namespace?: string): KubeObject[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((object) => object.metadata.namespace === namespace);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortCurrent?.();
    await this.running;
    for (const wake of [...this.syncWaiters]) wake();
  }

  /** Resolves once the first list has filled the cache (or rejects after timeoutMs). */
  async waitForSync(timeoutMs: number): Promise<void> {
    if (this.synced) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.syncWaiters.delete(wake);
        reject(new Error(`informer ${this.name}: not synced within ${timeoutMs} ms`));
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        this.syncWaiters.delete(wake);
        if (this.synced) resolve();
        else reject(new Error(`informer ${this.name}: stopped before it synced`));
      };
      this.syncWaiters.add(wake);
    });
  }

  private async run(): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    let delay = initialMs;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        if (this.stopped) return;
        const started = Date.now();
        const outcome = await this.watchOnce();
        if (this.stopped) return;
        if (outcome.kind === 'expired') {
          this.stats.expired += 1;
          this.resourceVersion = undefined;
          continue;
        }
        if (outcome.kind === 'failed') throw outcome.error;
        if (outcome.events === 0 && Date.now() - started < MIN_HEALTHY_WATCH_MS) {
          throw new Error(`informer ${this.name}: the watch ended at once`);
        }
        delay = initialMs;
      } catch (error) {
        if (this.stopped) return;
        if (isApiError(error, 410)) {
          this.resourceVersion = undefined;
          continue;
        }
        this.stats.failures += 1;
        this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
        await this.sleep(delay * (0.8 + Math.random() * 0.4));
        delay = Math.min(delay * 2, maxMs);
      }
    }
  }

  /** Lists every page, replaces the cache and emits the differences as events. */
  private async relist(): Promise<void> {
    this.stats.lists += 1;
    const items: KubeObject[] = [];
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const body = await this.options.api.request<ListBody>({
        method: 'GET',
        path: this.options.path,
        query: { labelSelector: this.options.labelSelector, limit: this.options.listPageSize ?? 500, continue: continueToken },
      });
      for (const item of body.items ?? []) {
        const parsed = kubeObjectSchema.safeParse(item);
        if (parsed.success) items.push(parsed.data);
      }
      continueToken = body.metadata?.continue === '' ? undefined : body.metadata?.continue;
      resourceVersion = body.metadata?.resourceVersion;
    } while (continueToken !== undefined && !this.stopped);
    if (this.stopped) return;
    const fresh = new Map(items.map((object) => [objectKey(object.metadata.namespace, object.metadata.name), object]));
    for (const [key, previous] of [...this.cache]) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.options.onEvent({ type: 'deleted', object: previous, previous });
      }
    }
    for (const object of items) this.store(object);
    this.resourceVersion = resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const wake of [...this.syncWaiters]) wake();
    }
  }

  private async watchOnce(): Promise<WatchOutcome> {
    this.stats.watches += 1;
    const [low, high] = this.options.watchTimeoutSeconds ?? [300, 600];
    const timeoutSeconds = Math.round(low + Math.random() * (high - low));
    let events = 0;
    let expired = false;
    let failure: Error | undefined;
    const handle = this.options.watch({
      path: this.options.path,
      query: { allowWatchBookmarks: true, resourceVersion: this.resourceVersion, labelSelector: this.options.labelSelector, timeoutSeconds },
      // Past the server-side timeout with no word at all, the connection is taken for dead.
      idleTimeoutMs: (timeoutSeconds + 30) * 1000,
    }, (event: WatchEvent) => {
      if (expired || failure !== undefined) return;
      events += 1;
      if (event.type === 'ERROR') {
        const status = event.object as { code?: number; message?: string } | undefined;
        if (status?.code === 410) expired = true;
        else failure = new Error(`informer ${this.name}: watch error ${status?.code ?? '?'}: ${status?.message ?? ''}`);
        handle.abort();
        return;
      }
      this.handleWatchEvent(event.type, event.object);
    });
    this.abortCurrent = () => handle.abort();
    if (this.stopped) handle.abort();
    let end: Awaited<typeof handle.ended> | Error;
    try {
      end = await handle.ended;
    } catch (error) {
      end = error instanceof Error ? error : new Error(String(error));
    }
    this.abortCurrent = undefined;
    if (expired) return { kind: 'expired' };
    if (failure !== undefined) return { kind: 'failed', error: failure };
    if (end instanceof Error) return isApiError(end, 410) ? { kind: 'expired' } : { kind: 'failed', error: end };
    // A watch silent past its timeout: resume from the last version at once.
    if (end === 'idle') return { kind: 'ended', events: 1 };
    return { kind: 'ended', events };
  }

  private handleWatchEvent(type: string, raw: unknown): void {
    if (type === 'BOOKMARK') {
      // Only metadata.resourceVersion is meaningful in a bookmark.
      const version = (raw as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
      if (typeof version === 'string') this.resourceVersion = version;
      return;
    }
    const parsed = kubeObjectSchema.safeParse(raw);
    if (!parsed.success) return;
    const object = parsed.data;
    if (object.metadata.resourceVersion !== undefined) this.resourceVersion = object.metadata.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED') this.store(object);
    else if (type === 'DELETED') {
      const key = objectKey(object.metadata.namespace, object.metadata.name);
      const previous = this.cache.get(key);
      this.cache.delete(key);
      this.options.onEvent({ type: 'deleted', object, ...(previous === undefined ? {} : { previous }) });
    }
  }

  private store(object: KubeObject): void {
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    const previous = this.cache.get(key);
    if (previous !== undefined && previous.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.cache.set(key, object);
    this.options.onEvent(previous === undefined ? { type: 'added', object } : { type: 'modified', object, previous });
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.abortCurrent = finish;
    });
    this.abortCurrent = undefined;
  }
}
