// A counting semaphore that bounds callbacks in flight across all connections, first come first served. Pure logic, no I/O.

export interface ConcurrencyLimit {
  acquire(): Promise<void>;
  release(): void;
  readonly inFlight: number;
}

export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  let head = 0;
  return {
    get inFlight() { return inFlight; },
    acquire() {
      if (inFlight < max) {
        inFlight++;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => { waiting.push(resolve); });
    },
    release() {
      if (head < waiting.length) {
        // Hand the slot straight to the next waiter: inFlight stays the same.
        const next = waiting[head]!;
        waiting[head++] = noop;
        if (head > 1024 && head * 2 > waiting.length) {
          waiting.splice(0, head);
          head = 0;
        }
        next();
        return;
      }
      inFlight--;
    },
  };
}

function noop(): void {}
