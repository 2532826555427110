import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { repoRoot } from '@wattstream/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeOpenApi } from '../src/index.js';
import { type Gateway, startGateway } from './support.js';

describe('gateway OpenAPI', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({});
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('serves one valid OpenAPI 3.1 document of every service, paths under their gateway prefix', async () => {
    const res = await fetch(`${gw.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { tags: string[] }>> };
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/users/v1/auth/login', '/users/v1/me/profile']));
    // Every committed service document, each under its own prefix.
    const prefixes = readdirSync(join(repoRoot(), 'packages', 'contracts', 'openapi')).map(
      (f) => `/${f.replace(/\.json$/, '')}/`,
    );
    expect(prefixes.length).toBeGreaterThanOrEqual(3);
    for (const prefix of prefixes)
      expect(
        Object.keys(doc.paths).some((p) => p.startsWith(prefix)),
        prefix,
      ).toBe(true);
    expect(Object.keys(doc.paths).every((p) => prefixes.some((prefix) => p.startsWith(prefix)))).toBe(true);
    expect(doc.paths['/users/v1/auth/login']!.post!.tags[0]).toBe('users');
  });

  it('renames a component two services define differently, and keeps their references right', () => {
    const svc = (shape: object) => ({
      paths: {
        '/v1/x': {
          get: {
            responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } } },
          },
        },
      },
      components: { schemas: { Item: shape, Shared: { type: 'string' } } },
    });
    const merged = mergeOpenApi(
      { a: svc({ type: 'object' }), b: svc({ type: 'array' }) },
      { title: 't', version: '1' },
    ) as {
      paths: Record<
        string,
        { get: { responses: { 200: { content: { 'application/json': { schema: { $ref: string } } } } } } }
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(merged.components.schemas).sort()).toEqual(['BItem', 'Item', 'Shared']);
    const ref = (p: string) => merged.paths[p]!.get.responses[200].content['application/json'].schema.$ref;
    expect(ref('/a/v1/x')).toBe('#/components/schemas/Item');
    expect(ref('/b/v1/x')).toBe('#/components/schemas/BItem');
  });

  it('renders the reference page from the gateway itself', async () => {
    const page = await fetch(`${gw.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    for (const asset of html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)) {
      const r = await fetch(`${gw.url}/docs/${asset[1]}`);
      expect(r.status, asset[1]).toBe(200);
      expect((await r.arrayBuffer()).byteLength, asset[1]).toBeGreaterThan(0);
    }
    const spec = (await (await fetch(`${gw.url}/docs/json`)).json()) as { paths: object };
    expect(Object.keys(spec.paths)).toContain('/users/v1/auth/login');
  });
});
