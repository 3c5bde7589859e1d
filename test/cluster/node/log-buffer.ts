// Pure: a container's log lines (stdout and stderr interleaved) with timestamps, bounded in bytes.
export class LogBuffer {
  private lines: { at: string; text: string }[] = [];
  private bytes = 0;
  private partial = '';
  private readonly maxBytes: number;

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
  }

  read(options: { tailLines?: number; timestamps?: boolean } = {}): string {
    const all = this.partial === '' ? this.lines : [...this.lines, { at: new Date().toISOString(), text: this.partial }];
    const chosen = options.tailLines !== undefined && options.tailLines >= 0 ? all.slice(Math.max(0, all.length - options.tailLines)) : all;
    return chosen.map((l) => `${options.timestamps === true ? `${l.at} ` : ''}${l.text}\n`).join('');
  }

  private push(text: string): void {
    this.lines.push({ at: new Date().toISOString(), text });
    this.bytes += text.length + 1;
    while (this.bytes > this.maxBytes && this.lines.length > 1) this.bytes -= this.lines.shift()!.text.length + 1;
  }
}
