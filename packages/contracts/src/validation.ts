import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ContractErrorCode, WattstreamError } from './errors.js';
import { SampleBatch } from './samples.js';

/**
 * One Ajv instance for every contract schema. `allErrors` is on so that the most useful
 * violation can be reported (a missing `ts` rather than "needs a metric"); it costs nothing on
 * valid input, where every keyword is evaluated anyway.
 */
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });

/** Keywords whose message helps most, first. Others keep Ajv's order. */
const KEYWORD_PRIORITY = ['required', 'additionalProperties', 'type'];

function mostUseful(errors: ErrorObject[]): ErrorObject | undefined {
  for (const keyword of KEYWORD_PRIORITY) {
    const e = errors.find((x) => x.keyword === keyword);
    if (e) return e;
  }
  return errors[0];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: WattstreamError };

export interface Validator<S extends TSchema> {
  readonly schema: S;
  /** Returns the value typed, or a `WS_CONTRACT_SCHEMA` error whose message names the field. */
  validate(value: unknown): Result<Static<S>>;
  /** Like `validate`, but throws the error. */
  assert(value: unknown): Static<S>;
  /**
   * Parses a record's bytes (UTF-8 JSON) and validates them: malformed JSON is a
   * `WS_CONTRACT_MALFORMED_JSON` result, never a throw, so one bad record cannot stop a reader.
   */
  validateJson(bytes: Uint8Array | string): Result<Static<S>>;
  /** The raw compiled Ajv function, for hot paths that format errors themselves. */
  readonly check: ValidateFunction<Static<S>>;
}

const compiled = new WeakMap<TSchema, Validator<TSchema>>();

export function compile<S extends TSchema>(schema: S): Validator<S> {
  const cached = compiled.get(schema);
  if (cached) return cached as unknown as Validator<S>;
  const check = ajv.compile<Static<S>>(schema);
  const name = typeof schema.$id === 'string' ? schema.$id.split('/').pop() : 'value';
  const validate = (value: unknown): Result<Static<S>> => {
    if (check(value)) return { ok: true, value };
    return { ok: false, error: schemaError(name ?? 'value', check.errors ?? []) };
  };
  const validator: Validator<S> = {
    schema,
    check,
    validate,
    assert(value) {
      const r = validate(value);
      if (!r.ok) throw r.error;
      return r.value;
    },
    validateJson(bytes) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
      } catch (err) {
        return {
          ok: false,
          error: new WattstreamError(
            ContractErrorCode.MalformedJson,
            `${name ?? 'value'}: not JSON (${(err as Error).message})`,
          ),
        };
      }
      return validate(parsed);
    },
  };

  compiled.set(schema, validator as unknown as Validator<TSchema>);
  return validator;
}

/** Turns Ajv's first error into a message a person can act on: where, and what is wrong. */
export function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath.slice(1);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${where}: missing required field "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `${where}: unknown field "${String(p.additionalProperty)}"`;
    case 'minProperties':
      return `${where}: needs at least one metric besides ts`;
    case 'maxItems':
      return `${where}: at most ${String(p.limit)} items allowed`;
    case 'minItems':
      return `${where}: at least ${String(p.limit)} item(s) required`;
    case 'pattern':
      return `${where}: must be 1–64 chars of [A-Za-z0-9_-] or match ${String(p.pattern)}`;
    default:
      return `${where}: ${e.message ?? e.keyword}`;
  }
}

function schemaError(name: string, errors: ErrorObject[]): WattstreamError {
  const first = mostUseful(errors);
  const message = first ? formatAjvError(first) : 'does not match the schema';
  return new WattstreamError(ContractErrorCode.Schema, `invalid ${name}: ${message}`, {
    statusCode: 400,
    details: first ? { path: first.instancePath, keyword: first.keyword } : undefined,
  });
}

const batchValidator = compile(SampleBatch);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Schema plus the rule JSON Schema cannot say: at most one sample per ts in a batch. */
export function validateSampleBatch(value: unknown): Result<SampleBatch> {
  const r = batchValidator.validate(value);
  if (!r.ok) return r;
  const samples = r.value.samples;
  if (samples.length > 1) {
    const seen = new Set<number>();
    for (let i = 0; i < samples.length; i++) {
      const ts = (samples[i] as { ts: number }).ts;
      if (seen.has(ts)) {
        return {
          ok: false,
          error: new WattstreamError(
            ContractErrorCode.DuplicateTs,
            `invalid SampleBatch: samples/${i}: ts ${ts} appears more than once; merge readings of one instant into one sample`,
            { statusCode: 400, details: { path: `/samples/${i}/ts` } },
          ),
        };
      }
      seen.add(ts);
    }
  }
  return r;
}

/** Decodes an MQTT sample payload: strict UTF-8, JSON, then `validateSampleBatch`. */
export function decodeSampleBatch(payload: Uint8Array): Result<SampleBatch> {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return fail(ContractErrorCode.NotUtf8, 'payload is not valid UTF-8; send UTF-8 encoded JSON');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail(ContractErrorCode.MalformedJson, `payload is not JSON: ${(err as Error).message}`);
  }
  return validateSampleBatch(value);
}

function fail(code: string, message: string): { ok: false; error: WattstreamError } {
  return { ok: false, error: new WattstreamError(code, message, { statusCode: 400 }) };
}

/** How far sample timestamps may be from the time ingest received their batch. */
export interface SampleTimeBounds {
  /** A `ts` more than this ahead of the receipt is refused: a device clock that is wrong. */
  maxFutureSkewMs: number;
  /** A `ts` more than this before the receipt is refused; 0 = no bound (store-and-forward replays). */
  maxAgeMs: number;
}

/**
 * Default clock skew allowed between an edge and ingest (and the stream worker's tolerance for
 * samples ahead of their arrival): edges run NTP, 30 s covers a drifting clock, a `ts` a minute
 * or a day ahead is wrong and would move event-time decisions.
 */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 30_000;

/** Refuses a batch with a sample outside `bounds` around `receivedAt` (epoch ms). */
export function checkSampleTimes(
  batch: SampleBatch,
  receivedAt: number,
  bounds: SampleTimeBounds,
): Result<SampleBatch> {
  const latest = receivedAt + bounds.maxFutureSkewMs;
  const earliest = bounds.maxAgeMs > 0 ? receivedAt - bounds.maxAgeMs : Number.NEGATIVE_INFINITY;
  const samples = batch.samples;
  for (let i = 0; i < samples.length; i++) {
    const ts = (samples[i] as { ts: number }).ts;
    if (ts > latest) {
      return timeError(
        ContractErrorCode.TsInFuture,
        i,
        `ts ${ts} is ${ts - receivedAt} ms ahead of the time of receipt (${receivedAt}); at most ${bounds.maxFutureSkewMs} ms is allowed: fix the edge's clock (NTP)`,
      );
    }
    if (ts < earliest) {
      return timeError(
        ContractErrorCode.TsTooOld,
        i,
        `ts ${ts} is ${receivedAt - ts} ms older than the time of receipt (${receivedAt}); at most ${bounds.maxAgeMs} ms is allowed`,
      );
    }
  }
  return { ok: true, value: batch };
}

function timeError(code: string, i: number, message: string): { ok: false; error: WattstreamError } {
  return {
    ok: false,
    error: new WattstreamError(code, `invalid SampleBatch: samples/${i}: ${message}`, {
      statusCode: 400,
      details: { path: `/samples/${i}/ts` },
    }),
  };
}
