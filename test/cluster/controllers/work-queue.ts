// A tiny serial work queue for the built-in controllers: runs async jobs one at a time, reports failures.
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.onError = onError;
  }

  push(job: () => Promise<void>): void {
    this.pending++;
    this.tail = this.tail.then(job).catch(this.onError).finally(() => { this.pending--; });
  }

  /** Resolves once every job queued so far has run. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
