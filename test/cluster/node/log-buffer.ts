// Pure: a container's log lines (stdout and stderr interleaved) with timestamps, bounded in bytes.
export class LogBuffer {
  private lines: { at: string; text: string }[] = [];
  private bytes = 0;
  private partial = '';
  private readonly maxBytes: number;
  private readonly listeners = new Set<(line: { at: string; text: string } | undefined) => void>();
  private closed = false;

  constructor(maxBytes = 2 * 1024 * 1024) {
    this.maxBytes = maxBytes;
  }

  write(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) this.push(line);
  }

  /** Flushes an unterminated last line (the process ended). */
  end(): void {
    if (this.partial !== '') this.push(this.partial);
    this.partial = '';
    this.closed = true;
    for (const l of [...this.listeners]) l(undefined);
    this.listeners.clear();
  }

  /** Whether the process that wrote it has ended. */
  get ended(): boolean {
    return this.closed;
  }

  /** Every complete line written from now on; `undefined` once the buffer ends. Returns unsubscribe. */
  follow(listener: (line: { at: string; text: string } | undefined) => void): () => void {
    if (this.closed) {
      listener(undefined);
      return () => {};
    }
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** `since`: only lines written at or after this time (ISO; `kubectl logs --since/--since-time`). */
  read(options: { tailLines?: number; timestamps?: boolean; since?: string } = {}): string {
    const since = options.since === undefined ? undefined : Date.parse(options.since);
    const written = this.partial === '' ? this.lines : [...this.lines, { at: new Date().toISOString(), text: this.partial }];
    const all = since === undefined || Number.isNaN(since) ? written : written.filter((l) => Date.parse(l.at) >= since);
    const chosen = options.tailLines !== undefined && options.tailLines >= 0 ? all.slice(Math.max(0, all.length - options.tailLines)) : all;
    return chosen.map((l) => `${options.timestamps === true ? `${l.at} ` : ''}${l.text}\n`).join('');
  }

  private push(text: string): void {
    const line = { at: new Date().toISOString(), text };
    this.lines.push(line);
    for (const l of this.listeners) l(line);
    this.bytes += text.length + 1;
    while (this.bytes > this.maxBytes && this.lines.length > 1) this.bytes -= this.lines.shift()!.text.length + 1;
  }
}
