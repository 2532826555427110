import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { cloudEventHeaders, kafkaTopics, type Sample } from '@wattstream/contracts';
import { tempDir } from '@wattstream/infra/testing';
import { createProducer, loadConfig, loadTokenKeys, type Producer } from '@wattstream/platform';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveConfigSpec } from '../src/config.js';
import { type LiveServer, startLiveServer } from '../src/live/server.js';
import { mintUserToken } from '../src/token.js';
import { type StreamWorker, startWorker } from '../src/worker.js';
import { produceSamples, testEnv, testKafka, uniquePrefix, waitFor } from './helpers/kafka.js';

// The dashboard in Debian's headless Chromium, fed by a ride going through the real worker and
// live server: the values on the page change as the ride runs.

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

describe('live dashboard', () => {
  const kafka = testKafka('dashboard-test');
  const prefix = uniquePrefix('dash');
  const dataDir = tempDir('dash');
  let worker: StreamWorker;
  let live: LiveServer;
  let producer: Producer;
  let browser: Browser;

  beforeAll(async () => {
    const env = { ...process.env, STREAM_TOPIC_PREFIX: prefix, DATA_DIR: dataDir, STREAM_PARTITIONS: '2' };
    worker = await startWorker(
      testEnv({
        ...env,
        STREAM_GROUP_ID: `${prefix}g`,
        STREAM_INSTANCE_ID: 'dash',
        STREAM_HTTP_PORT: '0',
        STREAM_COMMIT_INTERVAL: '200ms',
      }),
    );
    live = await startLiveServer(testEnv({ ...env, LIVE_PORT: '0', BIND_HOST: '127.0.0.1', LIVE_HTTP_PORT: '0' }));
    producer = createProducer(kafka);
    await producer.connect();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await producer?.disconnect();
    await live?.stop();
    await worker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows athlete tiles and the group leaderboard updating as a ride runs', async () => {
    const keys = loadTokenKeys(loadConfig(liveConfigSpec, { ...process.env, DATA_DIR: dataDir }), dataDir);
    // A coach linked to the riders (the users service's coach links; the riders keep the default
    // privacy, coaches may watch), with a token whose `watch` only picks the default tiles.
    const coach = await mintUserToken(keys, { user: 'coach', roles: ['coach'], watch: ['rider1', 'rider2'] });
    const linkedAt = Date.now();
    await producer.send({
      topic: live.topics.coachLinks,
      acks: -1,
      messages: ['rider1', 'rider2'].map((athleteId) => ({
        key: athleteId,
        value: JSON.stringify({ athleteId, coachId: 'coach', active: true, updatedAt: linkedAt }),
        headers: cloudEventHeaders({
          type: kafkaTopics.coachLinkUpdated.name,
          id: `coach:${athleteId}`,
          source: '/users',
        }),
      })),
    });
    const claims = { sub: 'coach', roles: ['coach' as const] };
    await waitFor(() => live.access.mayWatchAthlete(claims, 'rider2'), 10_000, 'coach links read');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: live.port,
          method: 'PUT',
          path: '/v1/groups/tuesday',
          headers: { authorization: `Bearer ${coach}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ name: 'Tuesday ride', members: ['rider1', 'rider2'], rankBy: 'distance' }));
    });
    expect(status).toBe(200);

    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${live.port}/?token=${coach}&athletes=rider1,rider2&group=tuesday`);
    await page.waitForSelector('#status[data-state="live"]');

    // a ride in real time: 4 Hz power, HR, cadence, speed and distance from one trainer, 1 s batches
    const t0 = Date.now();
    const powers: string[] = [];
    let seq = 0;
    for (let s = 0; s < 6; s++) {
      const samples: Sample[] = Array.from({ length: 4 }, (_, i) => {
        const k = s * 4 + i;
        return {
          ts: t0 + k * 250,
          power: 150 + ((k * 37) % 200),
          hr: 120 + k,
          cadence: 85 + (k % 10),
          speed: 8 + k / 10,
          distance: k * 2.5,
        };
      });
      for (const athleteId of ['rider1', 'rider2']) {
        await produceSamples(producer, live.topics.metrics, {
          athleteId,
          deviceId: 'trainer',
          samples: athleteId === 'rider2' ? samples.map((x) => ({ ...x, distance: (x.distance ?? 0) * 2 })) : samples,
          batchSize: 4,
          seq,
        });
      }
      seq++;
      await new Promise((r) => setTimeout(r, 1000));
      powers.push((await page.textContent('[data-athlete="rider1"] [data-metric="power"]')) ?? '');
    }
    const tile = '[data-athlete="rider1"]';
    // the tile shows live numbers that changed while the ride ran
    expect(new Set(powers.filter((p) => p !== '–')).size).toBeGreaterThanOrEqual(3);
    expect(Number(await page.textContent(`${tile} [data-metric="hr"]`))).toBeGreaterThan(120);
    expect(await page.getAttribute(`${tile} .hr`, 'data-zone')).toMatch(/^[1-5]$/);
    expect(Number(await page.textContent(`${tile} [data-metric="cadence"]`))).toBeGreaterThanOrEqual(85);
    expect(Number(await page.textContent(`${tile} [data-metric="speed"]`))).toBeGreaterThan(28);
    expect(Number(await page.textContent(`${tile} [data-metric="distance"]`))).toBeGreaterThan(0);
    expect(Number(await page.textContent(`${tile} [data-metric="wbal"]`))).toBeGreaterThan(0);
    const points = (await page.getAttribute(`${tile} .spark polyline`, 'points')) ?? '';
    expect(points.split(' ').length).toBeGreaterThanOrEqual(3);
    // the leaderboard ranks rider2 (twice the distance) first
    await page.waitForSelector('#board-rows tr[data-athlete="rider2"]');
    const first = await page.getAttribute('#board-rows tr:first-child', 'data-athlete');
    expect(first).toBe('rider2');
    // a notification for the coach (notifications.live) appears as a toast
    await producer.send({
      topic: live.topics.notifications,
      acks: -1,
      messages: [
        {
          key: 'coach',
          value: JSON.stringify({
            notificationId: 'n-dash-1',
            userId: 'coach',
            kind: 'friend.ride.completed',
            title: 'rider2 finished a ride',
            body: '0.1 km in 6 s',
            locale: 'en',
            createdAt: Date.now(),
          }),
          headers: cloudEventHeaders({
            type: kafkaTopics.notificationLive.name,
            id: 'n-dash-1',
            source: '/notifications',
          }),
        },
      ],
    });
    await page.waitForSelector('.toast', { timeout: 15_000 });
    expect(await page.textContent('.toast strong')).toBe('rider2 finished a ride');
    if (process.env.DASHBOARD_SCREENSHOT)
      await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });
    await page.close();
  }, 60_000);
});
