import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

type Doc = {
  openapi?: string;
  info?: { title?: string; description?: string };
  paths?: Record<string, Record<string, { tags?: string[]; operationId?: string } & Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
};

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Replaces every `#/components/schemas/<old>` reference by its new name. */
function renameRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, renames));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      const name = v.slice('#/components/schemas/'.length);
      out[k] = `#/components/schemas/${renames.get(name) ?? name}`;
    } else out[k] = renameRefs(v, renames);
  }
  return out;
}

/**
 * One OpenAPI 3.1 document for the public surface: each service's document
 * (`<service>.json`, as the services generate them into packages/contracts/openapi) with its
 * paths under the gateway prefix (`/users/v1/me`), its operations tagged and their ids prefixed
 * with the service, and its component schemas merged — a name two services define differently is
 * renamed `<Service><Name>` in that service's part.
 */
export function mergeOpenApi(docs: Record<string, Doc>, info: { title: string; version: string }): Doc {
  const paths: NonNullable<Doc['paths']> = {};
  const schemas: Record<string, unknown> = {};
  const securitySchemes: Record<string, unknown> = {};
  const tags: NonNullable<Doc['tags']> = [];
  for (const [service, original] of Object.entries(docs).sort(([a], [b]) => a.localeCompare(b))) {
    const renames = new Map<string, string>();
    for (const [name, schema] of Object.entries(original.components?.schemas ?? {})) {
      if (name in schemas && !isDeepStrictEqual(schemas[name], schema)) renames.set(name, `${capital(service)}${name}`);
    }
    const doc = renameRefs(original, renames) as Doc;
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      schemas[renames.get(name) ?? name] = schema;
    }
    Object.assign(securitySchemes, doc.components?.securitySchemes);
    tags.push({ name: service, description: original.info?.description ?? service });
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      const ops: NonNullable<Doc['paths']>[string] = {};
      for (const [method, op] of Object.entries(item)) {
        ops[method] =
          op && typeof op === 'object'
            ? {
                ...op,
                tags: [service, ...(op.tags ?? []).map((t) => `${service}: ${t}`)],
                ...(op.operationId ? { operationId: `${service}.${op.operationId}` } : {}),
              }
            : op;
      }
      paths[`/${service}${path}`] = ops;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Every public wattstream API behind the gateway: each service under its prefix. Authenticate with a bearer access token from POST /users/v1/auth/login.',
    },
    servers: [{ url: '/' }],
    tags,
    paths,
    components: { schemas, securitySchemes },
  } as Doc;
}

/** Reads every `<service>.json` of a folder. */
export function readServiceDocs(dir: string): Record<string, Doc> {
  const docs: Record<string, Doc> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    docs[basename(f, '.json')] = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Doc;
  }
  return docs;
}
