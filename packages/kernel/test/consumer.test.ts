import { startPostgres, testDatabase } from '@wattstream/infra/testing';
import {
  DLQ_HEADER,
  dlqTopicName,
  listDeadLetters,
  type RunningService,
  replayDeadLetters,
  startService,
} from '@wattstream/kernel';
import { collect, consumerContract, produceEvent, testKafka, testLogger, unique, waitFor } from '@wattstream/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeCommand, probeService } from './fixtures/probe-service.js';

type Probe = RunningService<Record<string, unknown>, { topics: { commands: { name: string } } }>;

const kafka = testKafka('kernel-consumer-test');

async function start(env: Record<string, string>): Promise<Probe> {
  return (await startService(probeService, {
    env: { ...process.env, LOG_LEVEL: 'silent', PROBE_SLOW_MS: '3000', ...env },
  })) as unknown as Probe;
}

async function effects(url: string, id: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>('SELECT count(*) AS n FROM probe_effects WHERE event_id = $1', [id]);
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

describe('kernel consumer runner', () => {
  const prefix = unique('consumer');
  const topic = `${prefix}.commands`;
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let svc: Probe;
  let dlq: Awaited<ReturnType<typeof collect>>;
  const send = (id: string, key: string, cmd: ProbeCommand) => produceEvent(kafka, topic, { key, value: cmd, id });

  beforeAll(async () => {
    db = await testDatabase('probe');
    svc = await start({ DATABASE_URL: db.url, PROBE_TOPIC_PREFIX: prefix });
    dlq = await collect(kafka, dlqTopicName(topic));
  }, 120_000);
  afterAll(async () => {
    await dlq?.stop();
    await svc?.stop();
    await db?.drop();
  });

  it('retries a failing handler with backoff until it succeeds', async () => {
    await send('retry-1', 'k-retry', { seq: 1, behaviour: 'fail-twice' });
    await waitFor(async () => (await effects(db.url, 'retry-1')) === 1, { what: 'the third attempt' });
    const { rows } = await svc.ctx.db.query('SELECT attempts FROM probe_attempts WHERE event_id = $1', ['retry-1']);
    expect(rows[0].attempts).toBe(3);
  });

  it('dead-letters a record whose attempts run out, or that is refused for good, and moves on', async () => {
    await send('always-1', 'k-dead', { seq: 1, behaviour: 'fail-always' });
    await send('refuse-1', 'k-dead', { seq: 2, behaviour: 'refuse' });
    await send('after-1', 'k-dead', { seq: 3 });
    await waitFor(async () => (await effects(db.url, 'after-1')) === 1, { what: 'the record after two dead letters' });
    const dead = await waitFor(() => {
      const d = dlq.records.filter((r) => r.key === 'k-dead');
      return d.length >= 2 && d;
    });
    const always = dead.find((r) => r.headers.ce_id === 'always-1')!;
    const refused = dead.find((r) => r.headers.ce_id === 'refuse-1')!;
    expect(always.headers).toMatchObject({
      [DLQ_HEADER.code]: 'WS_CONSUMER_HANDLER_FAILED',
      [DLQ_HEADER.attempts]: '3',
      [DLQ_HEADER.group]: 'kernel-probe',
      [DLQ_HEADER.topic]: topic,
    });
    expect(always.headers[DLQ_HEADER.reason]).toContain('this one never works');
    expect(refused.headers).toMatchObject({ [DLQ_HEADER.code]: 'WS_CONSUMER_REJECTED', [DLQ_HEADER.attempts]: '1' });
    expect(refused.headers[DLQ_HEADER.reason]).toContain('WS_PROBE_REFUSED');
    // The original record travels unchanged: value, key and CloudEvents headers.
    expect(always.value).toEqual({ seq: 1, behaviour: 'fail-always' });
    expect(always.headers.ce_type).toBe(topic);
  });

  it('lets other keys through while one key is slow', async () => {
    await send('slow-1', 'k-slow', { seq: 1, behaviour: 'slow' });
    await send('fast-1', 'k-fast', { seq: 1 });
    await send('fast-2', 'k-fast-2', { seq: 1 });
    // The slow handler takes 3 s; the others must not wait for it.
    const t0 = Date.now();
    await waitFor(async () => (await effects(db.url, 'fast-1')) === 1 && (await effects(db.url, 'fast-2')) === 1, {
      what: 'the fast keys',
    });
    const fastDone = Date.now() - t0;
    expect(await effects(db.url, 'slow-1')).toBe(0);
    await waitFor(async () => (await effects(db.url, 'slow-1')) === 1, { what: 'the slow key' });
    expect(Date.now() - t0).toBeGreaterThan(fastDone);
  });

  it('lists dead letters with their reasons and whether they were handled since, and replays them once', async () => {
    const group = svc.consumerGroups[0]!;
    const before = await listDeadLetters(kafka, topic, testLogger, { group: 'kernel-probe', pool: svc.ctx.db });
    const always = before.find((e) => e.ceId === 'always-1');
    expect(always).toMatchObject({ code: 'WS_CONSUMER_HANDLER_FAILED', topic, attempts: 3, handled: false });
    // Replayed before the cause is fixed, it fails again and goes back to the DLQ.
    const early = await replayDeadLetters(group, kafka, topic, testLogger, { ids: ['always-1'] });
    expect(early).toMatchObject({ replayed: 1, outcomes: { 'dead-lettered': 1 } });
    expect(await effects(db.url, 'always-1')).toBe(0);
    // Fixed, a replay applies it; a second replay changes nothing.
    await svc.ctx.db.query(`INSERT INTO probe_repaired (event_id) VALUES ('always-1')`);
    const fixed = await replayDeadLetters(group, kafka, topic, testLogger, { ids: ['always-1'] });
    expect(fixed.outcomes.handled).toBe(1);
    expect(await effects(db.url, 'always-1')).toBe(1);
    const again = await replayDeadLetters(group, kafka, topic, testLogger, { ids: ['always-1'] });
    expect(again.outcomes.handled).toBe(0);
    expect(await effects(db.url, 'always-1')).toBe(1);
    const after = await listDeadLetters(kafka, topic, testLogger, { group: 'kernel-probe', pool: svc.ctx.db });
    expect(after.filter((e) => e.ceId === 'always-1').every((e) => e.handled)).toBe(true);
  });
});

describe('kernel consumer runner and a database outage', () => {
  it('waits the outage out without spending attempts or dead-lettering, then handles the record', async () => {
    const pgServer = await startPostgres();
    const prefix = unique('outage');
    const topic = `${prefix}.commands`;
    const { url } = await testDatabase('probe', pgServer.url);
    const svc = await start({ DATABASE_URL: url, PROBE_TOPIC_PREFIX: prefix });
    const dlq = await collect(kafka, dlqTopicName(topic));
    try {
      await produceEvent(kafka, topic, { key: 'k', value: { seq: 0 }, id: 'warmup' });
      await waitFor(async () => (await effects(url, 'warmup')) === 1, { what: 'the first record' });
      await pgServer.node.stop();
      await produceEvent(kafka, topic, { key: 'k', value: { seq: 1 }, id: 'during-outage' });
      await new Promise((r) => setTimeout(r, 3000)); // the handler meets a dead database several times
      await pgServer.node.start();
      await waitFor(async () => (await effects(url, 'during-outage')) === 1, {
        what: 'the record after the outage',
        timeoutMs: 60_000,
      });
      expect(dlq.records).toHaveLength(0);
    } finally {
      await dlq.stop();
      await svc.stop();
      await pgServer.destroy();
    }
  }, 120_000);
});

describe('consumer contract of the kernel probe', () => {
  const prefix = unique('contract');
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let svc: Probe | undefined;
  consumerContract({
    name: 'kernel probe',
    topic: `${prefix}.commands`,
    group: 'kernel-probe',
    async start() {
      db = await testDatabase('probe');
      svc = await start({ DATABASE_URL: db.url, PROBE_TOPIC_PREFIX: prefix });
    },
    async stop() {
      await svc?.stop();
      await db?.drop();
    },
    event: (i) => ({ key: 'contract-key', value: { seq: i }, id: `${prefix}-${i}` }),
    effects: (id) => effects(db.url, id),
    replay: () => replayDeadLetters(svc!.consumerGroups[0]!, kafka, `${prefix}.commands`, testLogger),
  });
});
