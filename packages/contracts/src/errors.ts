/**
 * Coded errors. Codes are stable and part of the wire contract: they travel to edges on
 * `v1/errors/{edgeId}`, to live clients in `{"type":"error","code"}` frames and into
 * `tracking.metrics.rejected`. Format: `WS_<AREA>_<THING>`.
 */
export class WattstreamError extends Error {
  readonly code: string;
  /** HTTP status when the error surfaces over HTTP. */
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { statusCode?: number; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WattstreamError';
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
    this.details = options.details;
  }

  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isWattstreamError(err: unknown, code?: string): err is WattstreamError {
  return err instanceof WattstreamError && (code === undefined || err.code === code);
}

/** Codes raised by contract validation, listed in docs/errors.md. */
export const ContractErrorCode = {
  NotUtf8: 'WS_CONTRACT_NOT_UTF8',
  MalformedJson: 'WS_CONTRACT_MALFORMED_JSON',
  Schema: 'WS_CONTRACT_SCHEMA',
  DuplicateTs: 'WS_CONTRACT_DUPLICATE_TS',
  Topic: 'WS_CONTRACT_TOPIC',
  /** A sample `ts` further ahead of the time of receipt than the allowed clock skew. */
  TsInFuture: 'WS_CONTRACT_TS_IN_FUTURE',
  /** A sample `ts` older than the allowed age at the time of receipt. */
  TsTooOld: 'WS_CONTRACT_TS_TOO_OLD',
} as const;
export type ContractErrorCode = (typeof ContractErrorCode)[keyof typeof ContractErrorCode];
