// Aggregates repeated warnings so clients cannot drive the log volume (F9): per key, the first occurrence is logged
// at once, then at most one line per interval carrying the count since the previous line. I/O (logger, timers).
import type { Logger } from 'pino';

/** One line per key per interval: 10 s, as a log pipeline expects from a process with a persistent fault. */
export const defaultAggregationIntervalMs = 10_000;

export interface LogAggregator {
  /**
   * Logs `msg` for `key` (a code, plus a detail such as the status) unless a line for it went out less than an
   * interval ago; then it is counted and the next line says how many (`count`: occurrences it stands for).
   */
  report(key: string, level: 'warn' | 'error', fields: Record<string, unknown>, msg: string): void;
  /** Writes the pending counts now and stops the timers (shutdown), so every occurrence is accounted for. */
  flush(): void;
}

interface Window {
  level: 'warn' | 'error';
  msg: string;
  /** The fields of the latest occurrence: one concrete example for the reader. */
  fields: Record<string, unknown>;
  /** Occurrences since the last line. */
  count: number;
  timer: NodeJS.Timeout;
}

export function createLogAggregator(log: Logger, intervalMs = defaultAggregationIntervalMs): LogAggregator {
  const windows = new Map<string, Window>();

  function write(window: Window, intervalStarted: boolean): void {
    log[window.level]({ ...window.fields, count: window.count, ...(intervalStarted ? { interval_ms: intervalMs } : {}) }, window.msg);
    window.count = 0;
  }

  function onInterval(key: string): void {
    const window = windows.get(key);
    if (!window) return;
    if (window.count === 0) {
      // Quiet for a whole interval: the next occurrence is news again and is logged at once.
      clearInterval(window.timer);
      windows.delete(key);
      return;
    }
    write(window, true);
  }

  return {
    report(key, level, fields, msg) {
      const open = windows.get(key);
      if (open) {
        open.count++;
        open.fields = fields;
        open.level = level;
        return;
      }
      const timer = setInterval(() => onInterval(key), intervalMs);
      timer.unref();
      const window: Window = { level, msg, fields, count: 1, timer };
      windows.set(key, window);
      write(window, false);
    },
    flush() {
      for (const window of windows.values()) {
        clearInterval(window.timer);
        if (window.count > 0) write(window, true);
      }
      windows.clear();
    },
  };
}
