import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { expectOpenApiCurrent } from '@wattstream/testkit';
import { expect, it } from 'vitest';
import { trackingService } from '../src/service.js';

const PATHS = ['/v1/sessions/{id}/samples', '/v1/sessions/{id}/export.{format}', '/v1/athletes/{athleteId}/samples'];

it('serves the OpenAPI 3.1 document committed in packages/contracts', async () => {
  const db = await testDatabase('tracking');
  const svc = await startService(trackingService, {
    mode: 'tool',
    env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: db.url },
  });
  try {
    const doc = svc.http.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(PATHS));
    await expectOpenApiCurrent('tracking', doc);
  } finally {
    await svc.stop();
    await db.drop();
  }
});
