import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { expectOpenApiCurrent } from '@wattstream/testkit';
import { expect, it } from 'vitest';
import { inventoryService } from '../src/service.js';

it('serves the OpenAPI 3.1 document committed in packages/contracts', async () => {
  const db = await testDatabase('inventory');
  const svc = await startService(inventoryService, {
    mode: 'tool',
    env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: db.url },
  });
  try {
    const doc = svc.http.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/gear', '/v1/gear/{id}', '/v1/gear/{id}/serviced', '/v1/achievements']),
    );
    await expectOpenApiCurrent('inventory', doc);
  } finally {
    await svc.stop();
    await db.drop();
  }
});
