import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths never written to logs: credentials that pass through connect handlers and configs. */
const REDACT = ['password', 'token', '*.password', '*.token', 'headers.authorization', 'config.token'];

/** The service logger: JSON lines on stdout, ISO times, the service name on every line. */
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
    ...options,
  };
  return destination ? pino(opts, destination as pino.DestinationStream) : pino(opts);
}
