import { join } from 'node:path';
import {
  cloudEventHeaders,
  kafkaTopics,
  type ProfileUpdated,
  type StatsUpdated,
  type TrainingCompleted,
  type TrainingStarted,
} from '@wattstream/contracts';
import { freePort, instanceEnv, tempDir } from '@wattstream/infra/testing';
import { createProducer, type Producer } from '@wattstream/platform';
import { ServiceProcess } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { initTransactions, type StreamWorker, startWorker } from '../src/worker.js';
import { readFitFile, rideTotals, toSamples } from './helpers/fit.js';
import { collect, produceSamples, testEnv, testKafka, uniquePrefix, waitFor } from './helpers/kafka.js';

// Real rides from ../shared/fixtures/fit through Kafka and the worker, checked against values
// computed independently from the same file (and against the head unit's own session summary).

const REPO = join(import.meta.dirname, '..', '..');
const OUTDOOR = 'Edge810-Vector-2013-08-16-15-35-10.fit';
const INDOOR = 'sample-activity-indoor-trainer.fit';

const within1 = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected) / expected).toBeLessThan(0.01);
};

describe('stream worker', () => {
  const kafka = testKafka('worker-test');
  const prefix = uniquePrefix('worker');
  let producer: Producer;
  let worker: StreamWorker | undefined;
  let reference: TrainingCompleted | undefined;
  // Spawned workers carry this folder's marker: the reaper stops them if the test run dies.
  const reapDir = tempDir('stream-worker-test');
  const env = (extra: Record<string, string>) => ({
    ...process.env,
    ...instanceEnv(reapDir),
    STREAM_TOPIC_PREFIX: prefix,
    STREAM_GROUP_ID: `${prefix}workers`,
    STREAM_PARTITIONS: '3',
    STREAM_HTTP_PORT: '0',
    STREAM_KAFKA_SESSION_TIMEOUT: '6s',
    STREAM_COMMIT_INTERVAL: '200ms',
    ...extra,
  });
  /**
   * A worker as a child process (tsx from sources), ready once it serves /readyz. What it logged
   * is printed when the test fails, so a worker that died or stalled says why.
   */
  const spawnWorker = async (extra: Record<string, string>, o = { awaitReady: true }): Promise<ServiceProcess> => {
    const port = await freePort();
    const w = new ServiceProcess({
      cli: 'stream/src/cli.ts',
      args: ['work'],
      cwd: REPO,
      env: { ...(env({ ...extra, STREAM_HTTP_PORT: String(port) }) as Record<string, string>), LOG_LEVEL: 'info' },
      httpUrl: `http://127.0.0.1:${port}`,
    });
    onTestFailed(() => {
      const end = w.proc?.exitCode ?? w.proc?.signalCode ?? 'running';
      console.error(`--- worker ${extra.STREAM_INSTANCE_ID} (${end}) ---\n${w.output.slice(-8000)}`);
    });
    const started = w.start(120_000);
    // not awaited: the test goes on while it starts, and a failed start shows in what it waits for
    if (o.awaitReady) await started;
    else started.catch(() => {});
    return w;
  };
  const outdoor = readFitFile(OUTDOOR);
  const indoor = readFitFile(INDOOR);

  beforeAll(async () => {
    producer = createProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await worker?.stop();
    await producer?.disconnect();
  });

  it('computes a real ride’s avg power, normalizedPower, kJ and distance within 1 % of the file', async () => {
    const cfg = testEnv(env({ STREAM_SESSION_GAP: '5s', STREAM_INSTANCE_ID: 'w-ref' }));
    const topics = (await import('../src/topics.js')).streamTopics(prefix);
    worker = await startWorker(cfg);
    // a profile for the indoor rider (compacted topic, created by the worker), read before the ride
    const profile: ProfileUpdated = {
      athleteId: 'indoor',
      ftp: 250,
      cp: 260,
      wPrime: 18_000,
      maxHr: 185,
      lthr: 165,
      weightKg: 70,
      updatedAt: Date.now(),
    };
    await producer.send({
      topic: topics.profiles,
      acks: -1,
      messages: [
        {
          key: 'indoor',
          value: JSON.stringify(profile),
          headers: cloudEventHeaders({
            type: kafkaTopics.profileUpdated.name,
            id: `indoor:${profile.updatedAt}`,
            source: '/users',
          }),
        },
      ],
    });
    const w = worker;
    await waitFor(() => w.processor.profileOf('indoor').source === 'profile', 20_000, 'profile read');
    const started = await collect(kafka, topics.started);
    const completed = await collect(kafka, topics.completed);
    const stats = await collect(kafka, topics.stats);

    // bad input is skipped and counted, and loses nothing else
    await producer.send({
      topic: topics.metrics,
      acks: -1,
      messages: [
        { key: 'outdoor', value: 'not json' },
        { key: 'outdoor', value: JSON.stringify({ athleteId: 'outdoor', samples: 'nope' }) },
      ],
    });
    await produceSamples(producer, topics.metrics, {
      athleteId: 'outdoor',
      deviceId: 'edge810',
      samples: toSamples(outdoor.records),
    });
    await produceSamples(producer, topics.metrics, {
      athleteId: 'indoor',
      deviceId: 'trainer',
      samples: toSamples(indoor.records),
    });
    // a redelivered batch (same device and seq) changes nothing
    await produceSamples(producer, topics.metrics, {
      athleteId: 'outdoor',
      deviceId: 'edge810',
      samples: toSamples(outdoor.records).slice(0, 10),
    });

    await waitFor(() => completed.records.length >= 2, 60_000, 'two completed sessions');
    const byAthlete = (id: string) => completed.records.find((r) => r.key === id)?.value as TrainingCompleted;
    const out = byAthlete('outdoor');
    const ind = byAthlete('indoor');

    const o = rideTotals(outdoor.records);
    within1(out.avgPower, o.avgPower);
    within1(out.normalizedPower, o.normalizedPower);
    within1(out.kj, o.kj);
    within1(out.distanceM, o.distanceM);
    // and against what the Edge 810 itself recorded for the session
    within1(out.avgPower, outdoor.session.avgPower as number);
    within1(out.normalizedPower, outdoor.session.normalizedPower as number);
    within1(out.kj, (outdoor.session.totalWork as number) / 1000);
    within1(out.distanceM, outdoor.session.totalDistance as number);
    expect(out.samples).toBe(outdoor.records.length);
    expect(out.profileSource).toBe('default');

    const i = rideTotals(indoor.records);
    within1(ind.avgPower, i.avgPower);
    within1(ind.normalizedPower, i.normalizedPower);
    within1(ind.kj, i.kj);
    within1(ind.avgPower, indoor.session.avgPower as number);
    within1(ind.normalizedPower, indoor.session.normalizedPower as number);
    expect(ind.profileSource).toBe('profile');
    expect(ind.intensity).toBeCloseTo((ind.normalizedPower as number) / 250, 2);

    // exactly one started per ride, with the contract's CloudEvents headers and deterministic ids
    const s = started.records.map((r) => r.value as TrainingStarted);
    expect(s.map((x) => x.sessionId).sort()).toEqual([
      `indoor:${indoor.records[0]?.ts}`,
      `outdoor:${outdoor.records[0]?.ts}`,
    ]);
    expect(started.records[0]?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'training.started',
      ce_source: '/stream',
      'content-type': 'application/json',
    });
    expect(completed.records.map((r) => r.headers.ce_id).sort()).toEqual(s.map((x) => x.sessionId).sort());
    expect(worker.processor.counters.invalid).toBe(2);
    expect(worker.processor.counters.duplicateBatches).toBe(1);

    // stats: at most 4 per second per athlete
    const outStats = stats.records.filter((r) => r.key === 'outdoor');
    expect(outStats.length).toBeGreaterThan(0);
    const times = outStats.map((r) => Number(r.message.timestamp));
    for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThanOrEqual(240);
    const last = outStats.at(-1)?.value as StatsUpdated;
    expect(last.sessionId).toBe(out.sessionId);
    reference = out;
    await Promise.all([started.stop(), completed.stop(), stats.stop()]);
    await worker.stop();
    worker = undefined;
  }, 120_000);

  it('one started/completed pair and the same totals across a kill -9 of the worker mid-ride', async () => {
    expect(reference).toBeDefined();
    const topics = (await import('../src/topics.js')).streamTopics(prefix);
    const started = await collect(kafka, topics.started);
    const completed = await collect(kafka, topics.completed);
    const stats = await collect(kafka, topics.stats);
    const changelog = await collect(kafka, topics.changelog);
    const samples = toSamples(outdoor.records);
    const half = 2350;
    const first = await spawnWorker({ STREAM_SESSION_GAP: '10s', STREAM_INSTANCE_ID: 'w-kill' });
    try {
      const seq = await produceSamples(producer, topics.metrics, {
        athleteId: 'killed',
        deviceId: 'edge810',
        samples: samples.slice(0, half),
      });
      // mid-ride: the worker has applied a good part of the first half
      const midTs = (samples[half - 400] as { ts: number }).ts;
      await waitFor(
        () => stats.records.some((r) => r.key === 'killed' && (r.value as StatsUpdated).ts >= midTs),
        // generous: a cold tsx start and the group join on a loaded 2-core machine take most of it
        120_000,
        'progress before the kill',
      );
      // and has committed state mid-ride, which the next worker must restore
      await waitFor(
        () =>
          changelog.records.some(
            (r) => r.key === 'killed' && (r.value as { state?: { s?: { mx: number } } } | null)?.state?.s?.mx,
          ),
        30_000,
        'a committed snapshot',
      );
      await first.kill();
      await produceSamples(producer, topics.metrics, {
        athleteId: 'killed',
        deviceId: 'edge810',
        samples: samples.slice(half),
        seq,
      });
    } finally {
      await first.kill();
    }
    const second = await spawnWorker({ STREAM_SESSION_GAP: '10s', STREAM_INSTANCE_ID: 'w-kill' });
    try {
      await waitFor(() => completed.records.some((r) => r.key === 'killed'), 90_000, 'completed after restart');
      // anything duplicated would arrive right behind
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await second.stop();
    }
    const s = started.records.filter((r) => r.key === 'killed');
    const c = completed.records.filter((r) => r.key === 'killed');
    expect(s).toHaveLength(1);
    expect(c).toHaveLength(1);
    const done = c[0]?.value as TrainingCompleted;
    const { sessionId: _a, athleteId: _b, ...totals } = done;
    const { sessionId: _c, athleteId: _d, ...expected } = reference as TrainingCompleted;
    expect(totals).toEqual(expected);
    expect(done.sessionId).toBe(`killed:${samples[0]?.ts}`);
    // snapshots were committed before the kill and again by the worker that restored them
    const snaps = changelog.records.filter((r) => r.key === 'killed');
    expect(snaps.length).toBeGreaterThan(1);
    await Promise.all([started.stop(), completed.stop(), stats.stop(), changelog.stop()]);
  }, 180_000);

  it('one started/completed pair and the same totals when a second worker joins mid-ride (rebalance)', async () => {
    expect(reference).toBeDefined();
    const topics = (await import('../src/topics.js')).streamTopics(prefix);
    // The gap: longer than the pauses between the batches sent while the group rebalances.
    const rebalanceWorker = (id: string, awaitReady: boolean) =>
      spawnWorker({ STREAM_SESSION_GAP: '30s', STREAM_INSTANCE_ID: id }, { awaitReady });
    const started = await collect(kafka, topics.started);
    const completed = await collect(kafka, topics.completed);
    const stats = await collect(kafka, topics.stats);
    const samples = toSamples(outdoor.records);
    // one rider per input partition, so that whatever the new assignment, partitions move
    const riders = ['rb0', 'rb1', 'rb2'];
    const half = 2350;
    const a = await rebalanceWorker('w-a', true);
    let b: ServiceProcess | undefined;
    try {
      const seqs = await Promise.all(
        riders.map((athleteId, partition) =>
          produceSamples(producer, topics.metrics, {
            athleteId,
            deviceId: 'edge810',
            samples: samples.slice(0, half),
            partition,
          }),
        ),
      );
      const midTs = (samples[half - 400] as { ts: number }).ts;
      await waitFor(
        () => riders.every((id) => stats.records.some((r) => r.key === id && (r.value as StatsUpdated).ts >= midTs)),
        120_000,
        'progress on every partition',
      );
      // the riders keep riding while b starts (see below)
      b = await rebalanceWorker('w-b', false);
      // The riders keep riding while the group rebalances onto both workers: one batch each every
      // second until it is stable, then the rest. Holding the second half back instead would make
      // a silence as long as b's start and the rebalance, which on a loaded machine can outlast
      // the session gap and rightly end the sessions (a caught-up partition's clock follows wall time).
      const rest = samples.slice(half);
      const seq = [...seqs];
      let sent = 0;
      const send = (n: number) =>
        Promise.all(
          riders.map(async (athleteId, partition) => {
            seq[partition] = await produceSamples(producer, topics.metrics, {
              athleteId,
              deviceId: 'edge810',
              samples: rest.slice(sent, sent + n),
              seq: seq[partition],
              partition,
            });
          }),
        );
      const admin = kafka.admin();
      await admin.connect();
      try {
        await waitFor(
          async () => {
            const [g] = (await admin.describeGroups([`${prefix}workers`])).groups;
            const stable =
              g?.state === 'Stable' && g.members.length === 2 && g.members.every((x) => x.memberAssignment.length > 0);
            if (!stable && sent < rest.length - 10) {
              await send(10);
              sent += 10;
              await new Promise((r) => setTimeout(r, 1000));
            }
            return stable;
          },
          90_000,
          'the group stable with both workers assigned',
        );
      } finally {
        await admin.disconnect();
      }
      await send(rest.length - sent);
      await waitFor(
        () => riders.every((id) => completed.records.some((r) => r.key === id)),
        120_000,
        'every rider completed',
      );
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await Promise.all([a.stop(), b?.stop()]);
    }
    const { sessionId: _c, athleteId: _d, ...expected } = reference as TrainingCompleted;
    for (const id of riders) {
      expect(started.records.filter((r) => r.key === id)).toHaveLength(1);
      const c = completed.records.filter((r) => r.key === id);
      expect(c).toHaveLength(1);
      const { sessionId: _a, athleteId: _b, ...totals } = (c[0] as { value: TrainingCompleted }).value;
      expect(totals).toEqual(expected);
    }
    await Promise.all([started.stop(), completed.stop(), stats.stop()]);
  }, 300_000);

  it('a worker whose partition producer is fenced drops that partition, commits nothing more for it, and recovers', async () => {
    const group = `${prefix}fence`;
    const cfg = testEnv(env({ STREAM_GROUP_ID: group, STREAM_INSTANCE_ID: 'fence' }));
    const w = await startWorker(cfg);
    const started = await collect(kafka, w.topics.started);
    const zombieTaker = createProducer(kafka, { transactionalId: `${group}-p0`, transactionTimeout: 10_000 });
    try {
      const t = Date.now();
      const ride = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ ts: t + (from + i) * 1000, power: 150 }));
      let seq = await produceSamples(producer, w.topics.metrics, {
        athleteId: 'fenced',
        deviceId: 'd',
        samples: ride(0, 10),
        partition: 0,
      });
      await waitFor(() => started.records.some((r) => r.key === 'fenced'), 30_000, 'session started and committed');
      // What a new owner of partition 0 does first: initialise the partition's transactional id.
      await initTransactions(zombieTaker);
      seq = await produceSamples(producer, w.topics.metrics, {
        athleteId: 'fenced',
        deviceId: 'd',
        samples: ride(10, 10),
        partition: 0,
        seq,
      });
      await waitFor(() => w.processor.counters.samples >= 20, 30_000, 'second part applied');
      const metric = async (name: string) => (await w.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
      const restoresBefore = await metric('wattstream_stream_restores_total');
      // fenced: not an error; the partition is dropped and none of its pending work is committed
      await w.commit();
      const failures = () => metric('wattstream_stream_commit_failures_total');
      for (let i = 0; i < 100 && (await failures()) < 1; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await failures()).toBe(1);
      // The partition comes back to this worker with the next input (it is still its assignment):
      // restored from the last commit, its producer re-initialised (fencing the taker in turn).
      await produceSamples(producer, w.topics.metrics, {
        athleteId: 'fenced',
        deviceId: 'd',
        samples: ride(20, 10),
        partition: 0,
        seq,
      });
      await waitFor(
        () => w.ownedPartitions().includes(0) && w.processor.counters.samples >= 30,
        30_000,
        'partition restored',
      );
      await w.commit();
      expect(await metric('wattstream_stream_restores_total')).toBeGreaterThan(restoresBefore);
      await new Promise((r) => setTimeout(r, 1000));
      expect(started.records.filter((r) => r.key === 'fenced')).toHaveLength(1);
    } finally {
      await zombieTaker.disconnect().catch(() => {});
      await started.stop();
      await w.stop();
    }
  }, 90_000);

  it('commits the state of thousands of athletes of one partition (batches under max.message.bytes)', async () => {
    const cfg = testEnv(env({ STREAM_GROUP_ID: `${prefix}many`, STREAM_INSTANCE_ID: 'many' }));
    const many = await startWorker(cfg);
    try {
      const athletes = 3000;
      const t = Date.now();
      const messages = Array.from({ length: athletes }, (_, i) => ({
        key: `m${i}`,
        partition: 0,
        value: JSON.stringify({
          athleteId: `m${i}`,
          deviceId: 'd',
          edgeId: 'e',
          seq: 1,
          samples: [{ ts: t, power: 100 + (i % 300), hr: 120, cadence: 90, speed: 9, distance: 10 }],
        }),
      }));
      for (let i = 0; i < messages.length; i += 1000) {
        await producer.send({ topic: many.topics.metrics, acks: -1, messages: messages.slice(i, i + 1000) });
      }
      await waitFor(() => many.processor.counters.records >= athletes, 60_000, 'all records applied');
      // transactions carrying ~3000 snapshots (well over 1 MiB of values) commit
      const value = async (name: string) =>
        (await many.registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value ?? 0;
      const deadline = Date.now() + 60_000;
      while ((await value('wattstream_stream_snapshots_total')) < athletes && Date.now() < deadline) {
        await many.commit();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await value('wattstream_stream_commit_failures_total')).toBe(0);
      expect(await value('wattstream_stream_snapshots_total')).toBeGreaterThanOrEqual(athletes);
    } finally {
      await many.stop();
    }
  }, 90_000);
});
