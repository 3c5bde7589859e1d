// JSON-lines logger (pino) with the redaction that keeps cookies and tokens out of the logs (SPEC A7). I/O.
import { pino, type Logger } from 'pino';

export function createLogger(level: string, base: Record<string, string>): Logger {
  return pino({
    level,
    base: { service: 'ws-gateway', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // A second line of defence: no code path logs these, and if one ever does, they are censored.
    redact: { paths: ['cookie', 'token', 'authorization', 'headers.cookie', 'headers.authorization', '*.cookie', '*.token'], censor: '[redacted]' },
  });
}
