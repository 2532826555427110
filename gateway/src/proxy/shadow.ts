import { isDeepStrictEqual } from 'node:util';
import { Counter, type Logger, type Registry } from '@wattstream/platform';
import type { CompiledRoute } from '../route-table/compile.js';

export interface Answer {
  status: number;
  body: Buffer;
  /** The body was larger than the comparison limit. */
  truncated?: boolean;
}

type Json = unknown;

/** Deletes the fields at `path` (`*` = every array element or object value) from `value`. */
function dropPath(value: Json, path: readonly string[]): void {
  if (path.length === 0 || value === null || typeof value !== 'object') return;
  const [head, ...rest] = path;
  const children: Json[] =
    head === '*' ? (Array.isArray(value) ? value : Object.values(value)) : [(value as Record<string, Json>)[head!]];
  if (rest.length === 0) {
    if (head === '*') {
      if (Array.isArray(value)) value.length = 0;
      else for (const k of Object.keys(value)) delete (value as Record<string, Json>)[k];
    } else if (!Array.isArray(value)) delete (value as Record<string, Json>)[head!];
    return;
  }
  for (const c of children) dropPath(c, rest);
}

const parse = (b: Buffer): { ok: true; value: Json } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(b.toString('utf8')) };
  } catch {
    return { ok: false };
  }
};

/** Up to `max` dotted paths where two JSON values differ. */
export function differences(a: Json, b: Json, max = 10, at = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [at || '(root)'];
  const out: string[] = [];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    if (out.length >= max) break;
    out.push(
      ...differences(
        (a as Record<string, Json>)[k],
        (b as Record<string, Json>)[k],
        max - out.length,
        at ? `${at}.${k}` : k,
      ),
    );
  }
  return out;
}

/**
 * Compares what the legacy system answered (which the client got) with what the new service
 * answered to the same request: status, and the JSON bodies without the route's volatile fields
 * (bytes when not JSON). Differences are counted per route and logged with the paths that differ.
 */
export class ShadowComparator {
  private readonly outcomes: Counter<'route' | 'outcome'>;
  private readonly diffs: Counter<'route'>;

  constructor(
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.outcomes = new Counter({
      name: 'wattstream_gateway_shadow_requests_total',
      help: 'shadowed requests by route and outcome (match, diff, error: the new service failed, skipped: too large)',
      labelNames: ['route', 'outcome'] as const,
      registers: [registry],
    });
    this.diffs = new Counter({
      name: 'wattstream_gateway_shadow_diffs_total',
      help: 'shadowed requests whose new-service answer differed from the legacy answer, by route',
      labelNames: ['route'] as const,
      registers: [registry],
    });
  }

  compare(
    route: CompiledRoute,
    requestId: string,
    method: string,
    path: string,
    legacy: Answer,
    fresh: Answer | Error,
  ): void {
    const log = { route: route.id, requestId, method, path };
    if (fresh instanceof Error) {
      this.outcomes.inc({ route: route.id, outcome: 'error' });
      this.diffs.inc({ route: route.id });
      this.logger.warn({ ...log, err: fresh.message }, 'shadow: the new service failed where legacy answered');
      return;
    }
    if (legacy.truncated || fresh.truncated) {
      this.outcomes.inc({ route: route.id, outcome: 'skipped' });
      return;
    }
    const found: string[] = [];
    if (legacy.status !== fresh.status) found.push(`status ${legacy.status} ≠ ${fresh.status}`);
    const a = parse(legacy.body);
    const b = parse(fresh.body);
    if (a.ok && b.ok) {
      for (const v of route.volatile) {
        dropPath(a.value, v);
        dropPath(b.value, v);
      }
      found.push(...differences(a.value, b.value).map((p) => `body ${p}`));
    } else if (!legacy.body.equals(fresh.body)) {
      found.push('body bytes');
    }
    if (found.length === 0) {
      this.outcomes.inc({ route: route.id, outcome: 'match' });
      return;
    }
    this.outcomes.inc({ route: route.id, outcome: 'diff' });
    this.diffs.inc({ route: route.id });
    this.logger.warn({ ...log, differences: found }, 'shadow: the new service answered differently');
  }
}
