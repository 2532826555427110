import { resolve } from 'node:path';
import { configError } from './errors.js';

/**
 * Configuration from environment variables, validated once at start. Each field names its
 * variable; every problem is reported at once, and the error names the variable and what a valid
 * value looks like.
 */
export interface Field<T> {
  readonly env: string;
  readonly description: string;
  /** Default as the user would type it (shown in READMEs and `--help`). */
  readonly defaultText: string | undefined;
  readonly required: boolean;
  parse(raw: string): T;
}

type Opts<T> = { default?: T | string; description?: string; required?: boolean };

class Invalid extends Error {}
const invalid = (expected: string): never => {
  throw new Invalid(expected);
};

function field<T>(env: string, opts: Opts<T>, parse: (raw: string) => T): Field<T> {
  const def = opts.default;
  return {
    env,
    description: opts.description ?? '',
    defaultText: def === undefined ? undefined : typeof def === 'string' ? def : JSON.stringify(def),
    required: opts.required ?? def === undefined,
    parse,
  };
}

export const str = (env: string, opts: Opts<string> & { pattern?: RegExp } = {}) =>
  field(env, opts, (raw) => {
    if (opts.pattern && !opts.pattern.test(raw)) invalid(`a value matching ${opts.pattern}`);
    return raw;
  });

/** An optional string: `undefined` when unset or empty. */
export const optionalStr = (env: string, description = '') =>
  field<string | undefined>(env, { default: '', description, required: false }, (raw) =>
    raw === '' ? undefined : raw,
  );

export const int = (env: string, opts: Opts<number> & { min?: number; max?: number } = {}) =>
  field(env, opts, (raw) => {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^-?\d+$/.test(raw.trim())) invalid(`an integer between ${min} and ${max}`);
    const n = Number(raw);
    if (n < min || n > max) invalid(`an integer between ${min} and ${max}`);
    return n;
  });

export const num = (env: string, opts: Opts<number> & { min?: number; max?: number } = {}) =>
  field(env, opts, (raw) => {
    const n = Number(raw);
    const min = opts.min ?? -Infinity;
    const max = opts.max ?? Infinity;
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) invalid(`a number between ${min} and ${max}`);
    return n;
  });

/**
 * A field with its own parser: `parse` throws an Error whose message says what a valid value
 * looks like, and that message is reported with the variable's name.
 */
export const custom = <T>(env: string, opts: Opts<T>, parse: (raw: string) => T) =>
  field(env, opts, (raw) => {
    try {
      return parse(raw);
    } catch (err) {
      if (err instanceof Invalid) throw err;
      return invalid((err as Error).message);
    }
  });

/** A TCP port; 0 means "any free port" and is allowed only when `allowZero` is set. */
export const port = (env: string, opts: Opts<number> & { allowZero?: boolean } = {}) =>
  field(env, opts, (raw) => {
    const n = Number(raw);
    const min = opts.allowZero ? 0 : 1;
    if (!/^\d+$/.test(raw) || n < min || n > 65535) invalid(`a TCP port (${min}–65535)`);
    return n;
  });

export const bool = (env: string, opts: Opts<boolean> = {}) =>
  field(env, opts, (raw) => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return invalid('true or false');
  });

export const oneOf = <const V extends string>(env: string, values: readonly V[], opts: Opts<V> = {}) =>
  field(env, opts, (raw) => (values.includes(raw as V) ? (raw as V) : invalid(`one of ${values.join(', ')}`)));

export const url = (env: string, opts: Opts<string> & { protocols?: string[] } = {}) =>
  field(env, opts, (raw) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return invalid(`a URL such as ${opts.protocols?.[0] ?? 'http:'}//127.0.0.1:1234`);
    }
    if (opts.protocols && !opts.protocols.includes(u.protocol))
      invalid(`a URL with scheme ${opts.protocols.join(' or ')}`);
    return raw.replace(/\/+$/, '');
  });

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** `host:port` */
export const hostPort = (env: string, opts: Opts<string> = {}) =>
  field(env, opts, (raw) => (HOST_PORT.test(raw.trim()) ? raw.trim() : invalid('host:port, e.g. 127.0.0.1:8812')));

/** A comma-separated list of `host:port` (Kafka bootstrap servers). */
export const hostPortList = (env: string, opts: Opts<string[]> = {}) =>
  field(env, opts, (raw) => {
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length === 0 || !list.every((s) => HOST_PORT.test(s))) {
      invalid('a comma-separated list of host:port, e.g. 127.0.0.1:19092');
    }
    return list;
  });

export const list = (env: string, opts: Opts<string[]> = {}) =>
  field(env, opts, (raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `30s`, `5m`, `2h`, `30d` or a bare number of milliseconds. */
export function parseDuration(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1));
}

/** A duration in milliseconds. */
export const duration = (env: string, opts: Opts<number> & { min?: number; max?: number } = {}) =>
  field(env, opts, (raw) => {
    const ms = parseDuration(raw);
    if (ms === undefined) return invalid('a duration such as 250ms, 30s, 5m, 2h or 30d');
    if (ms < (opts.min ?? 0) || ms > (opts.max ?? Number.MAX_SAFE_INTEGER)) {
      invalid(`a duration between ${opts.min ?? 0} ms and ${opts.max} ms`);
    }
    return ms;
  });

/** A filesystem path, resolved to an absolute path. */
export const path = (env: string, opts: Opts<string> = {}) => field(env, opts, (raw) => resolve(raw));

/** A byte size: `256KiB`, `1MiB`, `512` (bytes). */
export const bytes = (env: string, opts: Opts<number> & { min?: number; max?: number } = {}) =>
  field(env, opts, (raw) => {
    const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(raw.trim());
    const mult: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };
    if (!m) return invalid('a size such as 262144, 256KiB or 1MiB');
    const n = Math.round(Number(m[1]) * (mult[(m[2] ?? 'b').toLowerCase()] ?? 1));
    if (n < (opts.min ?? 0) || n > (opts.max ?? Number.MAX_SAFE_INTEGER))
      invalid(`a size between ${opts.min ?? 0} and ${opts.max} bytes`);
    return n;
  });

export type ConfigSpec = Record<string, Field<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/**
 * Reads every field of `spec` from `env` (and `overrides`, e.g. command-line flags, which win).
 * Throws one `WS_CONFIG_INVALID` error listing every bad or missing variable.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<string, string | undefined>> = {},
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, f] of Object.entries(spec)) {
    const fromFlag = overrides[f.env];
    const raw = fromFlag ?? env[f.env];
    const source = fromFlag !== undefined ? 'flag for' : '';
    const value = raw === undefined || raw === '' ? f.defaultText : raw;
    if (value === undefined) {
      if (f.required) problems.push(`${f.env} is required${f.description ? ` (${f.description})` : ''}`);
      else out[key] = undefined;
      continue;
    }
    try {
      out[key] = f.parse(value);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      problems.push(`${source ? `${source} ` : ''}${f.env} must be ${err.message}; got ${JSON.stringify(value)}`);
    }
  }
  if (problems.length > 0) throw configError(problems);
  return out as ConfigOf<S>;
}

/** A Markdown table of a spec, for READMEs and `--help`. */
export function describeConfig(spec: ConfigSpec): string {
  const rows = Object.values(spec).map(
    (f) =>
      `| \`${f.env}\` | ${f.defaultText === undefined ? '(required)' : f.defaultText === '' ? '(unset)' : `\`${f.defaultText}\``} | ${f.description} |`,
  );
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
