import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { expectOpenApiCurrent } from '@wattstream/testkit';
import { expect, it } from 'vitest';
import { usersService } from '../src/service.js';

it('serves the OpenAPI 3.1 document committed in packages/contracts', async () => {
  const db = await testDatabase('users');
  const svc = await startService(usersService, {
    mode: 'tool',
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      DATA_DIR: (await import('@wattstream/infra/testing')).tempDir('users-oa'),
    },
  });
  try {
    const doc = svc.http.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/auth/register',
        '/v1/auth/login',
        '/v1/me',
        '/v1/me/profile',
        '/.well-known/jwks.json',
      ]),
    );
    await expectOpenApiCurrent('users', doc);
  } finally {
    await svc.stop();
    await db.drop();
  }
});
