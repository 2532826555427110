import type { FastifyError } from 'fastify';
import { isDbUnavailable } from '../db/postgres.js';
import { isWattstreamError, KernelErrorCode } from '../errors.js';

/** RFC 9457 problem details, with our stable `code` and, for validation errors, the fields. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** `type` is a URN naming the code; docs/errors.md documents every one. */
export const problemType = (code: string): string => `urn:wattstream:error:${code}`;

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

/** Fastify's own error codes that are the caller's fault, mapped to ours. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: KernelErrorCode.HttpBodyTooLarge },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: KernelErrorCode.HttpUnsupportedMediaType },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: KernelErrorCode.HttpMalformedBody },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: KernelErrorCode.HttpMalformedBody },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: KernelErrorCode.HttpMalformedBody },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, code: KernelErrorCode.HttpUnsupportedMediaType },
};

type ValidationIssue = { instancePath?: string; message?: string; params?: Record<string, unknown>; keyword?: string };

function fieldOf(issue: ValidationIssue, context: string | undefined): string {
  const base = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const p = issue.params ?? {};
  const leaf =
    typeof p.missingProperty === 'string'
      ? p.missingProperty
      : typeof p.additionalProperty === 'string'
        ? p.additionalProperty
        : '';
  const path = [base, leaf].filter(Boolean).join('.');
  return [context, path].filter(Boolean).join('.') || (context ?? '(root)');
}

function issueMessage(issue: ValidationIssue): string {
  const p = issue.params ?? {};
  if (issue.keyword === 'additionalProperties') return `unknown field "${String(p.additionalProperty)}"`;
  if (issue.keyword === 'required') return `missing required field "${String(p.missingProperty)}"`;
  return issue.message ?? 'is invalid';
}

/**
 * Turns anything thrown in a request into a problem. Our coded errors keep their status, code and
 * message; fastify validation errors name every wrong field; anything else is a 500 whose body
 * says nothing about the cause (the log does).
 */
export function toProblem(err: unknown): Problem {
  if (isWattstreamError(err)) {
    const fields = err.details?.fields;
    return problem(err.statusCode, err.code, err.message, Array.isArray(fields) ? { errors: fields } : {});
  }
  const fe = err as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const errors = fe.validation.map((v) => ({ field: fieldOf(v, fe.validationContext), message: issueMessage(v) }));
    const first = errors[0];
    return problem(
      400,
      KernelErrorCode.HttpValidation,
      first ? `${first.field}: ${first.message}` : 'request does not match the schema',
      { errors },
    );
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return problem(mapped.status, mapped.code, fe.message);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, KernelErrorCode.HttpMalformedBody, fe.message);
  }
  if (isDbUnavailable(err)) {
    return problem(503, KernelErrorCode.DbUnavailable, 'the database is not reachable right now; try again shortly');
  }
  return problem(500, KernelErrorCode.Internal, 'internal error; the service log has the details');
}
