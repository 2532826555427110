import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { expectOpenApiCurrent } from '@wattstream/testkit';
import { expect, it } from 'vitest';
import { trainingService } from '../src/service.js';

const PATHS = ['/v1/sessions', '/v1/sessions/{id}', '/v1/workouts', '/v1/workouts/import', '/v1/calendar', '/v1/today'];

it('serves the OpenAPI 3.1 document committed in packages/contracts', async () => {
  const db = await testDatabase('training');
  const svc = await startService(trainingService, {
    mode: 'tool',
    env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: db.url },
  });
  try {
    const doc = svc.http.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(PATHS));
    await expectOpenApiCurrent('training', doc);
  } finally {
    await svc.stop();
    await db.drop();
  }
});
