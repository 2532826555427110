import { fileURLToPath } from 'node:url';
import { kafkaTopics, type SessionSummarized } from '@wattstream/contracts';
import { freePort } from '@wattstream/infra';
import { instanceEnv, tempDir, testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { ServiceProcess, unique } from '@wattstream/testkit';
import { inventoryService } from '../src/service.js';

export { api, signUp, startUsers, type Users } from '../../users/test/support.js';

export const inventoryCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
export type Inventory = Awaited<ReturnType<typeof startInventory>>;

/** The inventory service in-process on a fresh database, its own consumer group, tokens from `jwksUrl`. */
export async function startInventory(jwksUrl: string, env: Record<string, string> = {}) {
  const db = await testDatabase('inventory');
  const group = unique('inventory');
  const svc = await startService(inventoryService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      INVENTORY_PORT: '0',
      DATABASE_URL: db.url,
      OUTBOX_POLL: '200ms',
      AUTH_JWKS_URL: jwksUrl,
      INVENTORY_CONSUMER_GROUP: group,
      ...env,
    },
  });
  return Object.assign(svc, {
    db,
    group,
    async destroy() {
      await svc.stop();
      await db.drop();
    },
  });
}

/** The inventory service as a child process (for kill -9), on a free port. */
export async function inventoryProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  return new ServiceProcess({
    cli: inventoryCli,
    args: ['serve'],
    env: {
      LOG_LEVEL: 'warn',
      INVENTORY_PORT: String(port),
      OUTBOX_POLL: '200ms',
      ...instanceEnv(tempDir('inventory-proc')),
      ...env,
    },
    httpUrl: `http://127.0.0.1:${port}`,
  });
}

/** A `training.session.summarized` value: a one-hour ride of `athleteId` starting at `startedAt`. */
export function summarizedEvent(
  athleteId: string,
  startedAt: number,
  o: {
    revision?: number;
    distanceM?: number;
    durationS?: number;
    gearId?: string | null;
    sport?: SessionSummarized['sport'];
  } = {},
): SessionSummarized {
  const revision = o.revision ?? 1;
  return {
    sessionId: `${athleteId}:${startedAt}`,
    athleteId,
    revision,
    source: 'live',
    sport: o.sport ?? 'cycling',
    startedAt,
    endedAt: startedAt + 3_600_000,
    durationS: o.durationS ?? 3600,
    movingS: 3500,
    distanceM: o.distanceM ?? 35_000,
    kj: 720,
    avgPower: 200,
    maxPower: 900,
    normalizedPower: 220,
    intensity: 0.88,
    load: 77.4,
    avgHr: 140,
    maxHr: 175,
    timeInPowerZones: null,
    timeInHrZones: null,
    ftp: 250,
    gearId: o.gearId ?? null,
    workoutId: null,
    summarizedAt: startedAt + 3_601_000,
  };
}

export const SUMMARIZED = kafkaTopics.sessionSummarized.name;
