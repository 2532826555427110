import { type Logger, type LoggerOptions, pino } from 'pino';
import { activeTraceIds } from './tracing.js';

export type { Logger } from 'pino';

/** Paths never written to logs: credentials that pass through connect handlers and configs. */
const REDACT = ['password', 'token', '*.password', '*.token', 'headers.authorization', 'config.token'];

/**
 * The service logger: JSON lines on stdout, ISO times, the service name on every line, and the
 * trace and span ids of the active span on every line written inside one.
 */
export function createLogger(
  service: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  options: LoggerOptions = {},
  destination?: NodeJS.WritableStream,
): Logger {
  const opts: LoggerOptions = {
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin: activeTraceIds,
    ...options,
  };
  return destination ? pino(opts, destination as pino.DestinationStream) : pino(opts);
}
