import { kafkaTopics } from '@wattstream/contracts';
import { startPostgres, testDatabase } from '@wattstream/infra/testing';
import { outboxContract } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, PROFILE, signUp, startUsers, usersProcess } from './support.js';

describe('Postgres stops under the users service', () => {
  it('answers 503 with a code while it is down and recovers by itself when it returns', async () => {
    const pg = await startPostgres();
    const db = await testDatabase('users', pg.url);
    const users = await startUsers({ DATABASE_URL: db.url });
    try {
      const { tokens } = await signUp(users.url);
      const read = () => api<{ code?: string }>(users.url, 'GET', '/v1/me/profile', { token: tokens.accessToken });
      expect((await read()).status).toBe(200);
      await pg.node.stop();
      const down = await read();
      expect(down.status).toBe(503);
      expect(down.body.code).toBe('WS_DB_UNAVAILABLE');
      expect(down.headers.get('retry-after')).toBe('1');
      const ready = await fetch(`${users.url}/readyz`);
      expect(ready.status).toBe(503);
      await pg.node.start();
      expect((await read()).status).toBe(200);
      expect((await fetch(`${users.url}/readyz`)).status).toBe(200);
    } finally {
      await users.stop();
      await pg.destroy();
    }
  }, 120_000);
});

// kill -9 right after a committed profile change: the event still reaches Kafka as committed.
const sessions = new Map<string, { id: string; token: string; version: number }>();
let db: Awaited<ReturnType<typeof testDatabase>>;
let dataDir: string;
beforeAll(async () => {
  db = await testDatabase('users');
  dataDir = (await import('@wattstream/infra/testing')).tempDir('users-outbox');
});
afterAll(() => db?.drop());

outboxContract({
  name: 'users (profile changes)',
  topic: kafkaTopics.profileUpdated.name,
  databaseUrl: () => db.url,
  process: () => usersProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir }),
  url: (p) => p.o.httpUrl,
  async change(baseUrl, aggregate, count) {
    const made: string[] = [];
    let s = sessions.get(aggregate);
    if (!s) {
      const u = await signUp(baseUrl, { name: aggregate });
      const p = await api<{ updatedAt: string }>(baseUrl, 'GET', '/v1/me/profile', { token: u.tokens.accessToken });
      made.push(`${u.id}:${Date.parse(p.body.updatedAt)}`);
      s = { id: u.id, token: u.tokens.accessToken, version: 1 };
      sessions.set(aggregate, s);
    }
    for (let i = 0; i < count; i++) {
      const r = await api<{ updatedAt: string; version: number }>(baseUrl, 'PUT', '/v1/me/profile', {
        token: s.token,
        body: { ...PROFILE, ftp: 200 + s.version },
        headers: { 'if-match': `"v${s.version}"` },
      });
      if (r.status !== 200) throw new Error(`PUT profile: ${r.status} ${JSON.stringify(r.body)}`);
      s.version = r.body.version;
      made.push(`${s.id}:${Date.parse(r.body.updatedAt)}`);
    }
    return { key: s.id, ids: made };
  },
});
