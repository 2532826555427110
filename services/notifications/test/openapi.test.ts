import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { expectOpenApiCurrent } from '@wattstream/testkit';
import { expect, it } from 'vitest';
import { notificationsService } from '../src/service.js';

const PATHS = [
  '/v1/users/{userId}/preferences',
  '/v1/users/{userId}/webhooks',
  '/v1/users/{userId}/webhooks/{endpointId}',
  '/v1/users/{userId}/webhooks/{endpointId}/enable',
  '/v1/users/{userId}/notifications',
];

it('serves the OpenAPI 3.1 document committed in packages/contracts', async () => {
  const db = await testDatabase('notifications');
  const svc = await startService(notificationsService, {
    mode: 'tool',
    env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: db.url },
  });
  try {
    const doc = svc.http.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(PATHS));
    await expectOpenApiCurrent('notifications', doc);
  } finally {
    await svc.stop();
    await db.drop();
  }
});
