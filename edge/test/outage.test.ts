import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startMosquitto, tempDir } from '@wattstream/infra/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { queueDepthOnDisk } from '../src/queue/disk-queue.js';
import { Collector, checkDelivery, until } from './support.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The agent as a separate process (`edge simulate`), so it can really be killed with SIGKILL. */
function spawnAgent(env: Record<string, string>): {
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', CLI, 'simulate', '--athletes', '2', '--seed', '7', '--profile', 'mixed'],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  child.stdout!.on('data', (b: Buffer) => log.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => log.push(b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, log, exited };
}

const maxSeqs = (c: Collector) =>
  Object.fromEntries([...c.byDevice].map(([k, l]) => [k.split('/')[1]!, Math.max(...l.map((x) => x.seq))]));

describe('store-and-forward across a broker outage and kill -9 of the agent', () => {
  it('delivers every queued batch exactly in seq order per device; duplicates only as redeliveries', async () => {
    const mosquitto = await startMosquitto({ persistence: true });
    cleanup.push(() => mosquitto.destroy());
    const collector = new Collector(mosquitto.url, 'collector-outage');
    cleanup.push(() => collector.close());
    await collector.ready();
    const dataDir = tempDir('edge-outage');
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      MQTT_URL: mosquitto.url,
      EDGE_ID: 'edge-outage',
      DATA_DIR: dataDir,
      EDGE_HTTP_PORT: '0',
      EDGE_FLUSH_INTERVAL: '100ms',
      MQTT_RECONNECT_MAX: '300ms',
      LOG_LEVEL: 'info',
    };

    // 1. kill -9 while the broker is up: the Last Will announces the agent offline
    const a = spawnAgent(env);
    await until(() => collector.byDevice.size === 4 && collector.minBatches() >= 3, 30_000, 'first agent publishing');
    expect(collector.statuses.at(-1)).toMatchObject({ state: 'online' });
    a.child.kill('SIGKILL');
    await a.exited;
    await until(() => collector.statuses.at(-1)?.state === 'offline', 10_000, 'Last Will');

    // 2. restart: seq continues; then the broker goes away while the agent keeps reading
    const b = spawnAgent(env);
    const beforeB = maxSeqs(collector);
    await until(
      () => Object.entries(maxSeqs(collector)).every(([d, s]) => s >= beforeB[d]! + 3),
      30_000,
      'second agent publishing',
    );
    const outageStart = Date.now();
    await mosquitto.stop();
    await new Promise((r) => setTimeout(r, 3000));
    b.child.kill('SIGKILL'); // during the outage
    await b.exited;
    const killedAt = Date.now();
    const onDisk = queueDepthOnDisk(join(dataDir, 'edge', 'queue'));
    expect(onDisk.batches).toBeGreaterThan(4); // the outage was queued on disk

    // 3. both come back: the third agent replays the backlog, then continues
    await mosquitto.restart();
    await collector.ready();
    const c = spawnAgent(env);
    await until(
      () => Object.entries(onDisk.lastSeq).every(([d, s]) => (maxSeqs(collector)[d] ?? -1) >= s + 3),
      30_000,
      'backlog replayed and new data flowing',
    );
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);

    for (const [device, list] of collector.byDevice) {
      const r = checkDelivery(list); // throws on a gap, a reorder, or a changed redelivery
      const deviceId = device.split('/')[1]!;
      expect(r.maxSeq).toBeGreaterThanOrEqual(onDisk.lastSeq[deviceId]!);
      // samples read during the outage made it
      const during = list
        .flatMap((x) => x.batch.samples)
        .filter((s) => s.ts > outageStart + 200 && s.ts < killedAt - 200);
      expect(during.length, `${device} samples from the outage`).toBeGreaterThan(0);
    }
    expect(collector.invalid).toEqual([]);
  }, 120_000);
});
