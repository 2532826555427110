import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Encoder, type FileIdMesg, Profile, type RecordMesg } from '@garmin/fitsdk';
import { tempDir } from '@wattstream/infra/testing';
import { createLogger } from '@wattstream/platform';
import { fitFixture } from '@wattstream/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EdgeAgent } from '../src/agent.js';
import { readFitFile, readFitRecords, replay } from '../src/replay.js';
import { Collector, startAedes, testConfig, until } from './support.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const START = new Date('2026-03-01T07:00:00Z');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A FIT activity made with Garmin's own encoder: 60 records at 1 Hz. */
function makeFit(path: string) {
  const enc = new Encoder();
  const fileId: FileIdMesg = {
    type: 'activity',
    manufacturer: 'development',
    product: 1,
    timeCreated: START,
    serialNumber: 1234,
  };
  enc.writeMesg({ ...fileId, mesgNum: Profile.MesgNum.FILE_ID! });
  const records = [];
  for (let i = 0; i < 60; i++) {
    const r = {
      timestamp: new Date(START.getTime() + i * 1000),
      heartRate: 120 + (i % 20),
      power: 200 + 3 * i,
      cadence: 85 + (i % 7),
      speed: 8 + i / 100,
      distance: 8 * i,
    };
    records.push(r);
    enc.writeMesg({ ...(r satisfies RecordMesg), mesgNum: Profile.MesgNum.RECORD! });
  }
  writeFileSync(path, enc.close());
  return records;
}

describe('FIT replay', () => {
  it('reads the records of a generated FIT file in contract units', () => {
    const dir = tempDir('edge-fit');
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'ride.fit');
    const recs = makeFit(file);
    const { samples, skipped } = readFitFile(file);
    expect(skipped).toBe(0);
    expect(samples).toHaveLength(60);
    expect(samples[10]).toEqual({
      ts: recs[10]!.timestamp.getTime(),
      hr: recs[10]!.heartRate,
      power: recs[10]!.power,
      cadence: recs[10]!.cadence,
      speed: recs[10]!.speed,
      distance: recs[10]!.distance,
    });
  });

  it('rejects a file that is not FIT or fails its CRC', () => {
    expect(() => readFitRecords(Buffer.from('not a fit file at all'))).toThrow(/WS_EDGE_FIT_INVALID|not a FIT file/);
    const dir = tempDir('edge-fit');
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    makeFit(join(dir, 'ride.fit'));
    const bytes = Buffer.from(readFileSync(join(dir, 'ride.fit')));
    bytes[40] = bytes[40]! ^ 0xff;
    expect(() => readFitRecords(bytes)).toThrow(/CRC/);
  });

  it('rebases timestamps to now at playback pace, strictly increasing', async () => {
    const records = Array.from({ length: 5 }, (_, i) => ({ ts: START.getTime() + i * 1000, hr: 100 + i }));
    const out: { ts: number; hr?: number }[] = [];
    const t0 = Date.now();
    await replay(records, (s) => out.push(s), { speed: 20 });
    expect(out.map((s) => s.hr)).toEqual([100, 101, 102, 103, 104]);
    expect(out[0]!.ts).toBeGreaterThanOrEqual(t0);
    expect(out[4]!.ts - out[0]!.ts).toBeGreaterThanOrEqual(195); // 4 s at 20×
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190); // it waited
    const fast: number[] = [];
    await replay(records, (s) => fast.push(s.ts), { speed: 0 });
    expect(fast.every((t, i) => i === 0 || t > fast[i - 1]!)).toBe(true);
  });

  it('`edge replay` publishes the records of a generated FIT file', async () => {
    const broker = await startAedes();
    cleanup.push(() => broker.close());
    const collector = new Collector(broker.url);
    cleanup.push(() => collector.close());
    await collector.ready();
    const dir = tempDir('edge-fit');
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'ride.fit');
    const recs = makeFit(file);
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        CLI,
        'replay',
        file,
        '--athlete',
        'ath-fit',
        '--speed',
        '0',
        '--original-timestamps',
      ],
      {
        env: {
          ...process.env,
          MQTT_URL: broker.url,
          EDGE_ID: 'edge-replay',
          DATA_DIR: dir,
          EDGE_HTTP_PORT: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: string[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => out.push(b.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, out.join('')).toBe(0);
    await until(
      () => (collector.byDevice.get('ath-fit/fit-replay')?.flatMap((x) => x.batch.samples).length ?? 0) >= 60,
      5000,
    );
    const samples = collector.byDevice.get('ath-fit/fit-replay')!.flatMap((x) => x.batch.samples);
    expect(samples.map((s) => s.ts)).toEqual(recs.map((r) => r.timestamp.getTime()));
    expect(samples.map((s) => s.power)).toEqual(recs.map((r) => r.power));
    expect(samples.map((s) => s.hr)).toEqual(recs.map((r) => r.heartRate));
  }, 60_000);

  it('replays a recorded indoor-trainer FIT file (../shared/fixtures/fit, else a generated one) through the agent', async () => {
    const { path: file } = fitFixture('sample-activity-indoor-trainer.fit', { seconds: 2263 });
    const { samples } = readFitFile(file);
    expect(samples.length).toBeGreaterThan(2000); // 2,263 records at 1 Hz
    expect(samples.some((s) => s.power !== undefined && s.hr !== undefined && s.cadence !== undefined)).toBe(true);
    const broker = await startAedes();
    cleanup.push(() => broker.close());
    const collector = new Collector(broker.url);
    cleanup.push(() => collector.close());
    await collector.ready();
    const config = testConfig({ MQTT_URL: broker.url, EDGE_ID: 'edge-real-fit', EDGE_QUEUE_FSYNC: 'false' });
    cleanup.push(() => rmSync(config.dataDir, { recursive: true, force: true }));
    const agent = new EdgeAgent({ config, logger: createLogger('edge-test', 'silent'), pairings: [], http: false });
    await agent.start();
    cleanup.push(() => agent.stop({ drainMs: 0 }));
    await replay(samples, ({ ts, ...m }) => agent.push('ath-real', 'trainer', ts, m), {
      speed: 0,
      originalTimestamps: true,
    });
    await agent.stop({ drainMs: 10_000 });
    await until(
      () => (collector.byDevice.get('ath-real/trainer')?.flatMap((x) => x.batch.samples).length ?? 0) >= samples.length,
      10_000,
    );
    const got = collector.byDevice.get('ath-real/trainer')!.flatMap((x) => x.batch.samples);
    expect(got).toEqual(samples);
  }, 60_000);
});
