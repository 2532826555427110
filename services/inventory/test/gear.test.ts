import {
  type AchievementList,
  type Gear,
  type GearList,
  type GearServiceDue,
  type InventoryUpdated,
  kafkaTopics,
} from '@wattstream/contracts';
import { collect, produceEvent, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type Inventory,
  SUMMARIZED,
  signUp,
  startInventory,
  startUsers,
  summarizedEvent,
  type Users,
} from './support.js';

describe('inventory: gear that counts its sessions, service reminders, achievements', () => {
  const kafka = testKafka('inventory-gear');
  let users: Users;
  let inventory: Inventory;
  let updates: Awaited<ReturnType<typeof collect>>;
  let due: Awaited<ReturnType<typeof collect>>;
  type Rider = Awaited<ReturnType<typeof signUp>>;
  let rider: Rider;
  let other: Rider;
  const call = <T>(r: Rider, method: string, path: string, body?: unknown) =>
    api<T & { code?: string }>(inventory.url, method, path, {
      token: r.tokens.accessToken,
      ...(body === undefined ? {} : { body }),
    });
  const gear = async (id: string) => (await call<Gear>(rider, 'GET', `/v1/gear/${id}`)).body;
  const T0 = Date.UTC(2026, 10, 2, 7);
  const DAY = 86_400_000;
  let seq = 0;
  /** Produces a summary and waits until a marker event after it is handled. */
  const ride = async (o: Parameters<typeof summarizedEvent>[2] & { at?: number; athleteId?: string } = {}) => {
    const v = summarizedEvent(o.athleteId ?? rider.id, o.at ?? T0 + seq++ * DAY, o);
    await produceEvent(kafka, SUMMARIZED, { key: v.athleteId, value: v, id: `${v.sessionId}:${v.revision}` });
    return v;
  };
  let bike: Gear;
  let chain: Gear;
  let shoes: Gear;

  beforeAll(async () => {
    users = await startUsers();
    inventory = await startInventory(`${users.url}/.well-known/jwks.json`);
    updates = await collect(kafka, kafkaTopics.inventoryUpdated.name);
    due = await collect(kafka, kafkaTopics.gearServiceDue.name);
    [rider, other] = await Promise.all([signUp(users.url, { name: 'gear' }), signUp(users.url, { name: 'other' })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([updates?.stop(), due?.stop()]);
    await inventory?.destroy();
    await users?.destroy();
  });

  it('adds gear (a chain on its bike), keeps one default per sport, and hides it from everyone else', async () => {
    const b = await call<Gear>(rider, 'POST', '/v1/gear', { kind: 'bike', name: 'Canyon', isDefault: true });
    expect(b.status).toBe(201);
    bike = b.body;
    expect(bike).toMatchObject({ kind: 'bike', isDefault: true, distanceM: 0, sessions: 0, bikeId: null });
    const c = await call<Gear>(rider, 'POST', '/v1/gear', {
      kind: 'chain',
      name: 'KMC X11',
      bikeId: bike.id,
      serviceEveryM: 50_000,
      distanceM: 2_990_000,
    });
    expect(c.status).toBe(201);
    chain = c.body;
    // the distance it came with counts as serviced: reminders start from here
    expect(chain).toMatchObject({ bikeId: bike.id, distanceM: 2_990_000, sinceServiceM: 0, serviceEveryM: 50_000 });
    shoes = (await call<Gear>(rider, 'POST', '/v1/gear', { kind: 'shoes', name: 'Pegasus', isDefault: true })).body;
    const spare = await call<Gear>(rider, 'POST', '/v1/gear', { kind: 'bike', name: 'Spare', isDefault: true });
    expect((await gear(bike.id)).isDefault).toBe(false);
    expect((await call(rider, 'PATCH', `/v1/gear/${bike.id}`, { isDefault: true })).status).toBe(200);
    expect((await gear(spare.body.id)).isDefault).toBe(false);

    const noBike = await call(rider, 'POST', '/v1/gear', { kind: 'chain', name: 'loose chain' });
    expect(noBike.status).toBe(400);
    expect(noBike.body.code).toBe('WS_INVENTORY_CHAIN_BIKE');
    expect((await call(rider, 'POST', '/v1/gear', { kind: 'boat', name: 'x' })).status).toBe(400);
    expect((await call(rider, 'POST', '/v1/gear', { kind: 'bike', name: 'x', owner: other.id })).status).toBe(400);
    // someone else's gear: unknown, whether read, changed or used as a chain's bike
    expect((await call(other, 'GET', `/v1/gear/${bike.id}`)).status).toBe(404);
    expect((await call(other, 'PATCH', `/v1/gear/${bike.id}`, { name: 'mine' })).status).toBe(404);
    expect((await call(other, 'POST', '/v1/gear', { kind: 'chain', name: 'c', bikeId: bike.id })).status).toBe(404);
    expect((await call<GearList>(other, 'GET', '/v1/gear')).body.items).toEqual([]);
    await waitFor(() => updates.records.filter((r) => r.key === rider.id).length >= 4, { what: 'the added events' });
    expect(updates.records.find((r) => r.key === rider.id)?.value).toMatchObject({ action: 'added' });
  });

  it('a ride counts on the default bike and its chain once, a new revision replaces it, and the chain’s service falls due once', async () => {
    const v = await ride({ distanceM: 35_000, durationS: 3600 });
    // the first record also waits for the service's consumer group to form on a busy broker
    await waitFor(async () => (await gear(bike.id)).sessions === 1, {
      what: 'the ride on the bike',
      timeoutMs: 90_000,
    });
    for (let i = 0; i < 2; i++) {
      await produceEvent(kafka, SUMMARIZED, { key: rider.id, value: v, id: `${v.sessionId}:1:again-${i}` });
    }
    const v2 = { ...v, revision: 2, distanceM: 40_000, durationS: 4000 };
    await produceEvent(kafka, SUMMARIZED, { key: rider.id, value: v2, id: `${v.sessionId}:2` });
    await waitFor(async () => (await gear(bike.id)).distanceM === 40_000, { what: 'the revision' });
    expect(await gear(bike.id)).toMatchObject({ distanceM: 40_000, timeS: 4000, sessions: 1 });
    expect(await gear(chain.id)).toMatchObject({ distanceM: 3_030_000, sinceServiceM: 40_000, sessions: 1 });
    expect((await gear(shoes.id)).sessions).toBe(0);

    // 40 km since the service: not due yet; 20 km more crosses the 50 km interval: one reminder
    const mine = () => due.records.filter((r) => (r.value as GearServiceDue).itemId === chain.id);
    expect(mine()).toEqual([]);
    await ride({ distanceM: 20_000 });
    await waitFor(() => mine().length > 0, { what: 'the chain’s reminder' });
    expect(mine()[0]?.value).toMatchObject({
      userId: rider.id,
      kind: 'chain',
      sinceServiceM: 60_000,
      serviceEveryM: 50_000,
    });
    const next = await ride({ distanceM: 20_000 });
    await waitFor(async () => (await gear(chain.id)).sessions === 3, { what: 'the next ride' });
    expect(new Set(mine().map((r) => r.headers.ce_id)).size).toBe(1);
    // serviced: the count starts again
    const serviced = await call<Gear>(rider, 'POST', `/v1/gear/${chain.id}/serviced`);
    expect(serviced.body.sinceServiceM).toBe(0);
    expect(next.sessionId).toBeTruthy();
  }, 150_000);

  it('a run counts on the shoes; a session naming a bike counts there, not on the default; retired gear counts nothing', async () => {
    await ride({ sport: 'running', distanceM: 10_000, durationS: 3000 });
    await waitFor(async () => (await gear(shoes.id)).sessions === 1, { what: 'the run on the shoes' });
    const spare = (await call<GearList>(rider, 'GET', '/v1/gear')).body.items.find((g) => g.name === 'Spare')!;
    await ride({ gearId: spare.id, distanceM: 5000 });
    await waitFor(async () => (await gear(spare.id)).sessions === 1, { what: 'the named bike' });
    expect((await gear(bike.id)).sessions).toBe(3);
    await call(rider, 'PATCH', `/v1/gear/${shoes.id}`, { retired: true });
    await ride({ sport: 'running', distanceM: 10_000 });
    const marker = await ride({ distanceM: 1000 });
    await waitFor(async () => (await gear(bike.id)).sessions === 4, { what: `the marker ${marker.sessionId}` });
    expect(await gear(shoes.id)).toMatchObject({ sessions: 1, retired: true, isDefault: false });
  });

  it('achievements unlock once: a first 100 km, 10 h in a month, a new best FTP', async () => {
    const achievements = async () => (await call<AchievementList>(rider, 'GET', '/v1/achievements')).body.items;
    const century = await ride({ distanceM: 101_000, durationS: 4 * 3600, at: Date.UTC(2026, 8, 1, 7) });
    await ride({ distanceM: 120_000, durationS: 5 * 3600, at: Date.UTC(2026, 8, 3, 7) });
    await waitFor(async () => (await achievements()).some((a) => a.code === 'first-100km'), { what: '100 km' });
    expect((await achievements()).filter((a) => a.code.startsWith('10h'))).toEqual([]);
    await ride({ distanceM: 30_000, durationS: 3600 + 1, at: Date.UTC(2026, 8, 20, 7) });
    await waitFor(async () => (await achievements()).some((a) => a.code === '10h-month:2026-09'), { what: '10 h' });
    expect((await achievements()).find((a) => a.code === 'first-100km')?.sessionId).toBe(century.sessionId);

    const profile = (ftp: number, updatedAt: number) =>
      produceEvent(kafka, kafkaTopics.profileUpdated.name, {
        key: rider.id,
        value: {
          athleteId: rider.id,
          ftp,
          cp: ftp + 10,
          wPrime: 20_000,
          maxHr: 190,
          lthr: 170,
          weightKg: 70,
          updatedAt,
        },
        id: `${rider.id}:${updatedAt}`,
      });
    // the users service's own profile of the new account sets the baseline
    const baseline = await waitFor(
      async () => (await inventory.ctx.db.query('SELECT ftp FROM ftp_best WHERE athlete_id = $1', [rider.id])).rows[0],
      { what: 'the baseline FTP' },
    );
    const base = Number(baseline.ftp);
    await profile(base - 10, Date.now());
    await profile(base + 12, Date.now() + 1);
    await profile(base + 12, Date.now() + 2);
    await profile(base + 5, Date.now() + 3);
    const code = `ftp:${base + 12}`;
    await waitFor(async () => (await achievements()).some((a) => a.code === code), { what: 'the new FTP' });
    expect((await achievements()).map((a) => a.code).filter((c) => c.startsWith('ftp'))).toEqual([code]);
    const badges = updates.records
      .map((r) => r.value as InventoryUpdated)
      .filter((v) => v.userId === rider.id && v.item.kind === 'badge');
    expect(new Set(badges.map((b) => b.item.badge?.code))).toEqual(new Set(['first-100km', '10h-month:2026-09', code]));
  });

  it('account deletion removes the user’s gear, sessions and achievements', async () => {
    await produceEvent(kafka, kafkaTopics.accountDeleted.name, {
      key: rider.id,
      value: { userId: rider.id, deletedAt: Date.now() },
      id: `deleted-${rider.id}`,
    });
    await waitFor(async () => (await call<GearList>(rider, 'GET', '/v1/gear')).body.items.length === 0, {
      what: 'the gear gone',
    });
    const n = await inventory.ctx.db.query(
      `SELECT (SELECT count(*) FROM sessions WHERE athlete_id = $1) + (SELECT count(*) FROM achievements WHERE user_id = $1) AS n`,
      [rider.id],
    );
    expect(Number(n.rows[0].n)).toBe(0);
  });
});
