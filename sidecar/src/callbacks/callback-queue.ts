// One connection's callbacks, delivered one at a time in order; signals backpressure instead of dropping (SPEC A3). No I/O of its own.
import type { CallbackJob } from './callback-dispatcher.ts';

/**
 * What the queue needs from its connection. An interface rather than closures: a gateway holds tens of
 * thousands of queues, and per-queue closures are a measurable share of each connection's memory.
 */
export interface CallbackQueueOwner {
  /** Delivers one callback; must not reject (the dispatcher reports every outcome itself). */
  deliverCallback(job: CallbackJob): Promise<unknown>;
  /** Called with true when the queue reaches capacity, with false once it drained to half (count and bytes). */
  onCallbackPressure(full: boolean): void;
}

export interface CallbackQueueLimits {
  /** WS_CALLBACK_QUEUE: callbacks waiting or in flight. */
  count: number;
  /** WS_CALLBACK_QUEUE_BYTES: their size, as counted by callbackSize. */
  bytes: number;
}

/** What a queued callback is counted as: its body plus the job object, the string header and the array slot. */
export function callbackSize(job: CallbackJob): number {
  return job.body.length + 96;
}

export class CallbackQueue {
  readonly #owner: CallbackQueueOwner;
  readonly #limits: CallbackQueueLimits;
  readonly #jobs: CallbackJob[] = [];
  /** Size of the waiting jobs and the one in flight. */
  #bytes = 0;
  #delivering = false;
  #full = false;
  #idle: (() => void)[] | undefined;

  constructor(owner: CallbackQueueOwner, limits: CallbackQueueLimits) {
    this.#owner = owner;
    this.#limits = limits;
  }

  /** Callbacks waiting or in flight. */
  get pending(): number {
    return this.#jobs.length + (this.#delivering ? 1 : 0);
  }

  /** Size of the callbacks waiting or in flight (callbackSize). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether one more callback stays within both limits (a callback larger than the byte limit fits an empty queue). */
  get hasRoom(): boolean {
    return this.pending < this.#limits.count && this.#bytes < this.#limits.bytes;
  }

  /** Between reaching capacity and draining to half. */
  get isFull(): boolean {
    return this.#full;
  }

  /** Always accepts (the close callback must never be refused); the owner stops adding once hasRoom is false. */
  push(job: CallbackJob): void {
    this.#jobs.push(job);
    this.#bytes += callbackSize(job);
    if (!this.#full && !this.hasRoom) {
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
        this.#bytes -= callbackSize(job);
        if (this.#full && this.#jobs.length <= this.#limits.count / 2 && this.#bytes <= this.#limits.bytes / 2) {
          this.#full = false;
          // The owner may push again from here (frames it held back); the loop then carries on with them.
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
