import { type Gear, kafkaTopics } from '@wattstream/contracts';
import {
  accountDeletedRecord,
  outboxContract,
  serviceConsumerContract,
  timesHandled,
  unique,
} from '@wattstream/testkit';
import {
  api,
  type Inventory,
  inventoryProcess,
  SUMMARIZED,
  signUp,
  startInventory,
  summarizedEvent,
  usersAndDatabase,
} from './support.js';

const { usersUrl, databaseUrl, jwks } = usersAndDatabase('inventory');

// kill -9 right after committed gear changes: their user.inventory.updated still reach Kafka.
const owners = new Map<string, { id: string; token: string }>();
outboxContract({
  name: 'inventory (gear)',
  topic: kafkaTopics.inventoryUpdated.name,
  databaseUrl: () => databaseUrl(),
  process: () =>
    inventoryProcess({ DATABASE_URL: databaseUrl(), AUTH_JWKS_URL: jwks(), INVENTORY_CONSUMER_GROUP: unique('inv') }),
  url: (p) => p.o.httpUrl,
  async change(baseUrl, aggregate, count) {
    let o = owners.get(aggregate);
    if (!o) {
      const u = await signUp(usersUrl(), { name: aggregate });
      o = { id: u.id, token: u.tokens.accessToken };
      owners.set(aggregate, o);
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const r = await api<Gear>(baseUrl, 'POST', '/v1/gear', {
        token: o.token,
        body: { kind: 'bike', name: `bike ${i}` },
      });
      if (r.status !== 201) throw new Error(`POST gear: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(`${r.body.id}:${Date.parse(r.body.createdAt)}:added`);
    }
    return { key: o.id, ids };
  },
});

const suite = (
  name: string,
  topic: string,
  event: (i: number) => { key: string; value: unknown; id: string },
  effects: (svc: Inventory, id: string) => Promise<number>,
) => serviceConsumerContract({ name, topic, start: () => startInventory(jwks()), event, effects });

const athlete = unique('contract')
  .replace(/[^A-Za-z0-9_-]/g, '')
  .slice(0, 40);
const T = Date.UTC(2026, 0, 1);
suite(
  'inventory (training.session.summarized)',
  SUMMARIZED,
  (i) => {
    const v = summarizedEvent(athlete, T + i * 86_400_000);
    return { key: athlete, value: v, id: v.sessionId };
  },
  async (svc, id) => {
    const r = await svc.ctx.db.query('SELECT revision FROM sessions WHERE session_id = $1', [id]);
    return r.rows[0]?.revision ?? 0;
  },
);
const ftpAthlete = `${athlete.slice(0, 36)}-ftp`;
suite(
  'inventory (user.profile.updated)',
  kafkaTopics.profileUpdated.name,
  (i) => ({
    key: ftpAthlete,
    value: {
      athleteId: ftpAthlete,
      ftp: 200 + i,
      cp: 220,
      wPrime: 20_000,
      maxHr: 190,
      lthr: 170,
      weightKg: 70,
      updatedAt: T + i,
    },
    id: `${ftpAthlete}:${T + i}`,
  }),
  // the effect of profile i: the best FTP is 200 + i (a redelivery of i cannot raise it again)
  async (svc, id) => {
    const i = Number(id.slice(id.lastIndexOf(':') + 1)) - T;
    const r = await svc.ctx.db.query('SELECT ftp FROM ftp_best WHERE athlete_id = $1', [ftpAthlete]);
    return r.rows[0]?.ftp >= 200 + i ? 1 : 0;
  },
);
// an erasure changes nothing visible when the user had nothing here: count its handled record
suite(
  'inventory (user.account.deleted)',
  kafkaTopics.accountDeleted.name,
  (i) => accountDeletedRecord(`${athlete}-d${i}`, T + i),
  timesHandled,
);
