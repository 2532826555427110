import type { PowerDuration, SampleSeries, Session } from '@wattstream/contracts';
import { startService } from '@wattstream/kernel';
import { encodeRide, sampleRide, waitFor } from '@wattstream/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracking, type Tracking } from '../../services/tracking/test/support.js';
import { startTraining, type Training, upload } from '../../services/training/test/support.js';
import { api, signUp, startUsers, type Users } from '../../services/users/test/support.js';
import { webService } from '../src/service.js';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// The athlete's pages in Debian's Chromium against real users, training and tracking services:
// a FIT upload goes through training, its samples through Kafka into tracking's QuestDB, and the
// page draws what the APIs answer.
describe("the athlete's pages", () => {
  let users: Users;
  let training: Training;
  let tracking: Tracking;
  let web: Awaited<ReturnType<typeof startService<typeof webService.config, void>>>;
  let browser: Browser;
  let rider: Awaited<ReturnType<typeof signUp>>;
  let session: Session;

  beforeAll(async () => {
    users = await startUsers();
    const jwks = `${users.url}/.well-known/jwks.json`;
    training = await startTraining(jwks);
    tracking = await startTracking(jwks);
    web = await startService(webService, {
      env: {
        ...process.env,
        LOG_LEVEL: 'silent',
        WEB_PORT: '0',
        WEB_TRAINING_UPSTREAM: training.url,
        WEB_TRACKING_UPSTREAM: tracking.url,
      },
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    rider = await signUp(users.url, { name: 'pages' });
    const r = await upload(
      `${training.url}/v1/sessions`,
      rider.tokens.accessToken,
      encodeRide(new Date(Date.UTC(2026, 10, 28, 8)), sampleRide(2400, 3)),
      'ride.fit',
    );
    expect(r.status).toBe(201);
    session = r.body as unknown as Session;
    await waitFor(
      async () => {
        const s = await api<SampleSeries>(
          tracking.url,
          'GET',
          `/v1/sessions/${encodeURIComponent(session.id)}/samples?points=1000`,
          { token: rider.tokens.accessToken },
        );
        return s.status === 200 && s.body.t.length > 500;
      },
      { what: "the upload's samples in tracking", timeoutMs: 60_000 },
    );
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await tracking?.destroy();
    await training?.destroy();
    await users?.destroy();
  });

  it('lists the session with its summary and draws its charts from the APIs’ points', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${web.url}/?token=${rider.tokens.accessToken}`);
    await page.waitForSelector('#status[data-state="ready"]');
    const row = `tr[data-session-id="${session.id}"]`;
    expect(await page.textContent(`${row} [data-metric="normalizedPower"]`)).toBe(
      session.summary!.normalizedPower!.toFixed(0),
    );
    await page.click(`${row} a`);
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 20_000 });
    expect(errors).toEqual([]);

    const q = (p: string) => api(tracking.url, 'GET', p, { token: rider.tokens.accessToken });
    const id = encodeURIComponent(session.id);
    const samples = (await q(`/v1/sessions/${id}/samples?points=1000`)).body as SampleSeries;
    const pd = (await q(`/v1/sessions/${id}/power-duration`)).body as PowerDuration;
    const charts = await page.evaluate(() => {
      const c = (globalThis as unknown as { wattstream: { charts: Record<string, { data: unknown[] }> } }).wattstream
        .charts;
      return Object.fromEntries(Object.entries(c).map(([k, u]) => [k, u.data]));
    });
    const t = samples.t.map((ms) => ms / 1000);
    expect(charts.power).toEqual([t, samples.power]);
    expect(charts.hr).toEqual([t, samples.hr]);
    expect(charts.cadence).toEqual([t, samples.cadence]);
    expect(charts.speed).toEqual([t, samples.speed]);
    const zones = session.summary!.timeInPowerZones!;
    expect(charts.zones).toEqual([zones.map((_, i) => i + 1), zones]);
    const best = pd.best.filter((b) => b.watts !== null);
    expect(charts.pd).toEqual([best.map((b) => b.durationS), best.map((b) => b.watts)]);
    expect(await page.locator('#chart-power canvas').count()).toBe(1);
    expect(await page.textContent('[data-metric="kj"]')).toBe(session.summary!.kj.toFixed(0));
    if (process.env.PAGES_SCREENSHOT) await page.screenshot({ path: process.env.PAGES_SCREENSHOT, fullPage: true });
    await page.close();
  }, 60_000);
});
