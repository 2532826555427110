import { randomBytes } from 'node:crypto';
import { tempDir, testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersService } from '../src/service.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  db = await testDatabase('users');
});
afterAll(() => db?.drop());

const start = (secret: string) =>
  startService(usersService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      USERS_PORT: '0',
      DATA_DIR: tempDir('users-keys'),
      DATABASE_URL: db.url,
      USERS_KEY_SECRET: secret,
    },
  });

describe('signing keys sealed in the database', () => {
  it('a restart with the same secret signs with the same key; another secret is refused by name', async () => {
    const secret = randomBytes(32).toString('base64');
    const first = await start(secret);
    const jwks = await (await fetch(`${first.url}/.well-known/jwks.json`)).json();
    await first.stop();
    const again = await start(secret);
    expect(await (await fetch(`${again.url}/.well-known/jwks.json`)).json()).toEqual(jwks);
    await again.stop();
    await expect(start(randomBytes(32).toString('base64'))).rejects.toMatchObject({
      code: 'WS_USERS_KEY_SECRET_MISMATCH',
      message: expect.stringContaining('USERS_KEY_SECRET'),
    });
  });
});
