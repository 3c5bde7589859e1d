// Keyed work queue for level-triggered reconcilers: dedup of queued keys, one worker per key at a time, per-key
// exponential backoff, a global token bucket for retries, requeueAfter, pause/resume, shutdown with drain. Pure logic; the clock is injected.

/** The one result mapping every reconciler returns (controller-runtime style). */
export type ReconcileResult =
  | { kind: 'ok' }
  | { kind: 'requeueAfter'; ms: number }
  | { kind: 'retry'; error: unknown }
  | { kind: 'terminal'; error: unknown };

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WorkQueueOptions {
  /** First retry delay; doubled per consecutive failure of the same key (default 5 ms, as client-go). */
  baseDelayMs?: number;
  /** Cap of the per-key delay (default 300 s). */
  maxDelayMs?: number;
  /** Global token bucket applied to retries: tokens per second (default 10) and burst (default 100). */
  retriesPerSecond?: number;
  retryBurst?: number;
  /** Keys processed at the same time (different keys only; default 2). */
  concurrency?: number;
  clock?: Clock;
  /** Told about every processed key (for logs and metrics). */
  onResult?: (key: string, result: ReconcileResult, durationMs: number) => void;
}

export type Handler = (key: string) => Promise<ReconcileResult>;

export class WorkQueue {
  private readonly ready: string[] = [];
  /** Keys that need processing: waiting in `ready`, or to be re-queued when their current processing ends. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { at: number; timer: unknown }>();
  private readonly failures = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly concurrency: number;
  private readonly clock: Clock;
  private readonly onResult: WorkQueueOptions['onResult'];
  private tokens: number;
  private tokensAt: number;
  private handler: Handler | undefined;
  private shuttingDown = false;
  private paused = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
    this.rate = options.retriesPerSecond ?? 10;
    this.burst = options.retryBurst ?? 100;
    this.concurrency = options.concurrency ?? 2;
    this.clock = options.clock ?? systemClock;
    this.onResult = options.onResult;
    this.tokens = this.burst;
    this.tokensAt = this.clock.now();
  }

  /** Keys waiting to be processed now (not counting delayed ones). */
  get depth(): number {
    return this.ready.length;
  }

  /** Keys scheduled for later (backoff or requeueAfter). */
  get delayed(): number {
    return this.waiting.size;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  /** Queues a key now; a key already queued is not queued twice, a key being processed is processed once more after. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.processing.has(key)) this.ready.push(key);
    this.pump();
  }

  /** Queues a key after a delay; an earlier pending schedule for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      this.clock.clearTimeout(pending.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  /** Queues a key after its backoff: the larger of the per-key exponential delay and the global bucket's delay. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const perKey = Math.min(this.baseDelayMs * 2 ** (failures - 1), this.maxDelayMs);
    const delay = Math.max(perKey, this.reserveToken());
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears a key's failure count (after a success or a terminal error). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Takes the next key for a worker, or undefined. The caller must call done(key). */
  next(): string | undefined {
    if (this.shuttingDown) return undefined;
    const key = this.ready.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  /** Ends a key's processing; if it was added meanwhile it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.ready.push(key);
    this.pump();
    if (this.processing.size === 0) for (const wake of [...this.idleWaiters]) wake();
  }

  /** Applies a reconcile result to its key. */
  settle(key: string, result: ReconcileResult): void {
    switch (result.kind) {
      case 'ok':
      case 'terminal':
        this.forget(key);
        return;
      case 'requeueAfter':
        this.forget(key);
        this.addAfter(key, result.ms);
        return;
      case 'retry':
        this.addRateLimited(key);
        return;
    }
  }

  /** Keys are still queued (deduplicated) but none is started until resume(); keys being processed finish. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Starts processing with `handler`, up to `concurrency` keys at a time. */
  start(handler: Handler): void {
    this.handler = handler;
    this.pump();
  }

  /** Stops taking keys and scheduling retries; resolves once the keys being processed are done (drain). */
  async shutDown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    this.ready.length = 0;
    this.dirty.clear();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        this.idleWaiters.delete(wake);
        resolve();
      };
      this.idleWaiters.add(wake);
    });
  }

  private pump(): void {
    const handler = this.handler;
    if (handler === undefined || this.paused) return;
    while (this.processing.size < this.concurrency) {
      const key = this.next();
      if (key === undefined) return;
      void this.process(handler, key);
    }
  }

  private async process(handler: Handler, key: string): Promise<void> {
    const started = this.clock.now();
    let result: ReconcileResult;
    try {
      result = await handler(key);
    } catch (error) {
      result = { kind: 'retry', error };
    }
    if (!this.shuttingDown) this.settle(key, result);
    this.onResult?.(key, result, this.clock.now() - started);
    this.done(key);
  }

  /** Token bucket: 0 when a token is free, else how long until one is (the token is taken in advance). */
  private reserveToken(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.rate);
    this.tokensAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }
}
