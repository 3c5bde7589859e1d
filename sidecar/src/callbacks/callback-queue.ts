// One connection's callbacks, delivered one at a time in order; signals backpressure instead of dropping (SPEC A3). No I/O of its own.
import type { CallbackJob } from './callback-dispatcher.ts';

/**
 * What the queue needs from its connection. An interface rather than closures: a gateway holds tens of
 * thousands of queues, and per-queue closures are a measurable share of each connection's memory.
 */
export interface CallbackQueueOwner {
  /** Delivers one callback; must not reject (the dispatcher reports every outcome itself). */
  deliverCallback(job: CallbackJob): Promise<unknown>;
  /** Called with true when the queue reaches capacity, with false once it drained to half. */
  onCallbackPressure(full: boolean): void;
}

export class CallbackQueue {
  readonly #owner: CallbackQueueOwner;
  /** WS_CALLBACK_QUEUE: at this many pending callbacks the owner should stop reading the socket. */
  readonly #capacity: number;
  readonly #jobs: CallbackJob[] = [];
  #delivering = false;
  #full = false;
  #idle: (() => void)[] | undefined;

  constructor(owner: CallbackQueueOwner, capacity: number) {
    this.#owner = owner;
    this.#capacity = capacity;
  }

  /** Callbacks waiting or in flight. */
  get pending(): number {
    return this.#jobs.length + (this.#delivering ? 1 : 0);
  }

  /** Always accepts: the socket is paused at capacity, so the queue overshoots only by frames already parsed. */
  push(job: CallbackJob): void {
    this.#jobs.push(job);
    if (!this.#full && this.pending >= this.#capacity) {
      this.#full = true;
      this.#owner.onCallbackPressure(true);
    }
    if (!this.#delivering) void this.#drain();
  }

  /** Resolves once every callback pushed so far has been attempted. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idle ??= []).push(resolve));
  }

  async #drain(): Promise<void> {
    this.#delivering = true;
    try {
      for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
        await this.#owner.deliverCallback(job);
        if (this.#full && this.pending <= this.#capacity / 2) {
          this.#full = false;
          this.#owner.onCallbackPressure(false);
        }
      }
    } finally {
      this.#delivering = false;
      const idle = this.#idle;
      this.#idle = undefined;
      for (const resolve of idle ?? []) resolve();
    }
  }
}
