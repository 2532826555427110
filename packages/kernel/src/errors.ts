import { WattstreamError } from '@wattstream/platform';

export { isWattstreamError, WattstreamError } from '@wattstream/platform';

/** Codes raised by the service kernel, listed in docs/errors.md. */
export const KernelErrorCode = {
  /** A request failed schema validation (body, query, params or headers). */
  HttpValidation: 'WS_HTTP_VALIDATION',
  HttpNotFound: 'WS_HTTP_NOT_FOUND',
  HttpBodyTooLarge: 'WS_HTTP_BODY_TOO_LARGE',
  HttpUnsupportedMediaType: 'WS_HTTP_UNSUPPORTED_MEDIA_TYPE',
  HttpMalformedBody: 'WS_HTTP_MALFORMED_BODY',
  /** `If-Match` did not match the current version (412). */
  HttpPreconditionFailed: 'WS_HTTP_PRECONDITION_FAILED',
  /** An update that needs `If-Match` came without one (428). */
  HttpPreconditionRequired: 'WS_HTTP_PRECONDITION_REQUIRED',
  HttpConflict: 'WS_HTTP_CONFLICT',
  /** Anything unexpected: the body says only this code; the log has the cause. */
  Internal: 'WS_INTERNAL',
  AuthRequired: 'WS_AUTH_REQUIRED',
  AuthForbidden: 'WS_AUTH_FORBIDDEN',
  DbUnavailable: 'WS_DB_UNAVAILABLE',
  DbMigrationFailed: 'WS_DB_MIGRATION_FAILED',
  OutboxInvalidEvent: 'WS_OUTBOX_INVALID_EVENT',
  /** A consumed record that cannot be parsed or does not match its contract: dead-lettered. */
  ConsumerBadRecord: 'WS_CONSUMER_BAD_RECORD',
  /** A handler kept failing until its attempts ran out: dead-lettered. */
  ConsumerHandlerFailed: 'WS_CONSUMER_HANDLER_FAILED',
  /** A handler refused a record for good (a 4xx WattstreamError or `PermanentError`): dead-lettered. */
  ConsumerRejected: 'WS_CONSUMER_REJECTED',
  DlqUnknownTopic: 'WS_DLQ_UNKNOWN_TOPIC',
  ServiceStartFailed: 'WS_SERVICE_START_FAILED',
} as const;
export type KernelErrorCode = (typeof KernelErrorCode)[keyof typeof KernelErrorCode];

export function kernelError(
  code: KernelErrorCode,
  message: string,
  opts: { statusCode?: number; cause?: unknown; details?: Record<string, unknown> } = {},
): WattstreamError {
  return new WattstreamError(code, message, opts);
}

/** 404 with a code; a handler throws it when an object does not exist or the caller may not see it. */
export function notFound(what: string): WattstreamError {
  return new WattstreamError(KernelErrorCode.HttpNotFound, `${what} not found`, { statusCode: 404 });
}

/**
 * An error a consumer handler throws when a record can never succeed (retrying cannot help): the
 * runner dead-letters it at once instead of retrying.
 */
export class PermanentError extends WattstreamError {
  constructor(code: string, message: string, opts: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, { ...opts, statusCode: 422 });
    this.name = 'PermanentError';
  }
}
