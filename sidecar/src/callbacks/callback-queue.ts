// One connection's callbacks, delivered one at a time in order; signals backpressure instead of dropping (SPEC A3). No I/O of its own.
import type { CallbackJob } from './callback-dispatcher.ts';

export interface CallbackQueueOptions {
  /** WS_CALLBACK_QUEUE: at this many pending callbacks the owner should stop reading the socket. */
  capacity: number;
  /** Delivers one callback; must not reject (the dispatcher reports every outcome itself). */
  deliver: (job: CallbackJob) => Promise<unknown>;
  /** Called with true when the queue reaches capacity, with false once it drained to half. */
  onPressure: (full: boolean) => void;
}

export class CallbackQueue {
  readonly #options: CallbackQueueOptions;
  readonly #jobs: CallbackJob[] = [];
  #delivering = false;
  #full = false;
  #idle: (() => void)[] = [];

  constructor(options: CallbackQueueOptions) {
    this.#options = options;
  }

  /** Callbacks waiting or in flight. */
  get pending(): number {
    return this.#jobs.length + (this.#delivering ? 1 : 0);
  }

  /** Always accepts: the socket is paused at capacity, so the queue overshoots only by frames already parsed. */
  push(job: CallbackJob): void {
    this.#jobs.push(job);
    if (!this.#full && this.pending >= this.#options.capacity) {
      this.#full = true;
      this.#options.onPressure(true);
    }
    if (!this.#delivering) void this.#drain();
  }

  /** Resolves once every callback pushed so far has been attempted. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#delivering = true;
    try {
      for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
        await this.#options.deliver(job);
        if (this.#full && this.pending <= this.#options.capacity / 2) {
          this.#full = false;
          this.#options.onPressure(false);
        }
      }
    } finally {
      this.#delivering = false;
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
