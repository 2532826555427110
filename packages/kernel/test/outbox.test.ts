import { testDatabase } from '@wattstream/infra/testing';
import { outboxContract, unique } from '@wattstream/testkit';
import { afterAll, beforeAll } from 'vitest';
import { changeItems, probeProcess } from './support.js';

const prefix = unique('outbox');
let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  db = await testDatabase('probe');
});
afterAll(() => db?.drop());

outboxContract({
  name: 'kernel probe service',
  topic: `${prefix}.items`,
  databaseUrl: () => db.url,
  process: () =>
    probeProcess({
      DATABASE_URL: db.url,
      PROBE_TOPIC_PREFIX: prefix,
      OUTBOX_POLL: '200ms',
      KAFKA_SESSION_TIMEOUT: '6s',
    }),
  change: changeItems,
  url: (p) => p.o.httpUrl,
});
