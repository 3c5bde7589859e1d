// JSON-lines logger (pino) of the operator, and the adapter from start-operator's `log(entry)` callback to it. I/O.
import { pino, type Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function createLogger(level: LogLevel, base: Record<string, string> = {}): Logger {
  return pino({
    level,
    base: { service: 'tapr-ws-operator', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Nothing logs credentials; if a code path ever does, they are censored.
    redact: { paths: ['token', 'authorization', 'password', '*.token', '*.authorization', '*.password', 'redisUrl'], censor: '[redacted]' },
  });
}

/** `{ level, msg, ...fields }` entries (start-operator's log callback) → the pino logger. */
export function logEntries(log: Logger): (entry: Record<string, unknown>) => void {
  return (entry) => {
    const { level, msg, ...fields } = entry;
    const text = typeof msg === 'string' ? msg : '';
    switch (level) {
      case 'debug': log.debug(fields, text); break;
      case 'warn': log.warn(fields, text); break;
      case 'error': log.error(fields, text); break;
      default: log.info(fields, text);
    }
  };
}
