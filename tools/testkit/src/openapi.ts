import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { repoRoot } from '@wattstream/infra';
import { expect } from 'vitest';

/** Where a service's generated OpenAPI document lives: `packages/contracts/openapi/<service>.json`. */
export const openapiFile = (service: string): string =>
  join(repoRoot(), 'packages', 'contracts', 'openapi', `${service}.json`);

/**
 * Checks a service's OpenAPI document: it validates against the OpenAPI 3.1 schema, and equals the
 * committed copy in packages/contracts (the gateway merges those). `WATTSTREAM_WRITE_OPENAPI=1`
 * rewrites the copy instead of failing.
 */
export async function expectOpenApiCurrent(service: string, doc: unknown): Promise<void> {
  const result = await new Validator().validate(doc as Parameters<Validator['validate']>[0]);
  expect(result.errors ?? [], 'the document is valid OpenAPI 3.1').toEqual([]);
  expect(result.valid).toBe(true);
  const file = openapiFile(service);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (process.env.WATTSTREAM_WRITE_OPENAPI === '1') {
    writeFileSync(file, text);
    return;
  }
  expect(existsSync(file), `${file} exists (WATTSTREAM_WRITE_OPENAPI=1 writes it)`).toBe(true);
  expect(JSON.parse(readFileSync(file, 'utf8')), `${file} is stale: rerun with WATTSTREAM_WRITE_OPENAPI=1`).toEqual(
    JSON.parse(text),
  );
}
