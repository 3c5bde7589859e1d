// Messages sent while the socket is not open: bounded by count, bytes and age; a key keeps only its latest message.

export interface QueueLimits {
  maxMessages: number;
  maxBytes: number;
  maxAgeMs: number;
}

interface Queued {
  text: string;
  bytes: number;
  key: string | undefined;
  at: number;
}

const encoder = new TextEncoder();

export class OfflineQueue {
  #items: Queued[] = [];
  #bytes = 0;
  readonly #limits: QueueLimits;

  constructor(limits: QueueLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Queues `text` (its UTF-8 size counts); false when it alone is over the byte limit. */
  push(text: string, key: string | undefined, now: number): boolean {
    const bytes = encoder.encode(text).length;
    if (bytes > this.#limits.maxBytes) return false;
    if (key !== undefined) this.#remove((item) => item.key === key);
    this.#items.push({ text, bytes, key, at: now });
    this.#bytes += bytes;
    // The oldest go first: the newest state is what a reconnecting client most needs to say.
    while (this.#items.length > this.#limits.maxMessages || this.#bytes > this.#limits.maxBytes) this.#shift();
    return true;
  }

  /** Removes and returns every message younger than the age limit, oldest first; each leaves the queue once. */
  drain(now: number): string[] {
    const fresh = this.#items.filter((item) => now - item.at <= this.#limits.maxAgeMs).map((item) => item.text);
    this.clear();
    return fresh;
  }

  clear(): void {
    this.#items = [];
    this.#bytes = 0;
  }

  #shift(): void {
    const item = this.#items.shift();
    if (item) this.#bytes -= item.bytes;
  }

  #remove(match: (item: Queued) => boolean): void {
    const kept = this.#items.filter((item) => !match(item));
    this.#bytes = kept.reduce((sum, item) => sum + item.bytes, 0);
    this.#items = kept;
  }
}
