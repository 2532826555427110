import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { expectOpenApiCurrent } from '@wattstream/testkit';
import { expect, it } from 'vitest';
import { socialService } from '../src/service.js';

const PATHS = [
  '/v1/follows',
  '/v1/followers/{followerId}',
  '/v1/privacy',
  '/v1/feed',
  '/v1/activities/{activityId}/comments',
  '/v1/groups/{groupId}/join',
];

it('serves the OpenAPI 3.1 document committed in packages/contracts', async () => {
  const db = await testDatabase('social');
  const svc = await startService(socialService, {
    mode: 'tool',
    env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: db.url },
  });
  try {
    const doc = svc.http.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(PATHS));
    await expectOpenApiCurrent('social', doc);
  } finally {
    await svc.stop();
    await db.drop();
  }
});
