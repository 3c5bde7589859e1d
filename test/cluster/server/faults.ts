// Fault injection state for tests: failing requests, dropped and stalled watches. No I/O of its own.
import { internalError, tooManyRequests, type ApiError } from '../api/status.ts';

export interface WatchHandle {
  drop(): void;
  setStalled(stalled: boolean): void;
}

export class FaultState {
  private failures: { remaining: number; code: 429 | 500 } = { remaining: 0, code: 500 };
  private stalled = false;
  private readonly watches = new Set<WatchHandle>();

  failNext(n: number, code: 429 | 500): void {
    this.failures = { remaining: n, code };
  }

  /** The error the next request must answer with, if a failure is pending. */
  takeFailure(): ApiError | undefined {
    if (this.failures.remaining <= 0) return undefined;
    this.failures.remaining--;
    return this.failures.code === 429 ? tooManyRequests(1) : internalError('injected fault');
  }

  get watchesStalled(): boolean {
    return this.stalled;
  }

  stallWatches(on: boolean): void {
    this.stalled = on;
    for (const w of this.watches) w.setStalled(on);
  }

  dropAllWatches(): void {
    for (const w of [...this.watches]) w.drop();
  }

  register(handle: WatchHandle): () => void {
    this.watches.add(handle);
    return () => this.watches.delete(handle);
  }

  get openWatches(): number {
    return this.watches.size;
  }
}
