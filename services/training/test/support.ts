import { fileURLToPath } from 'node:url';
import { freePort } from '@wattstream/infra';
import { instanceEnv, tempDir, testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { ServiceProcess, unique } from '@wattstream/testkit';
import { trainingService } from '../src/service.js';

export { api, signUp, startUsers, type Users } from '../../users/test/support.js';

export const trainingCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
export type Training = Awaited<ReturnType<typeof startTraining>>;

/** The training service in-process on a fresh database, its own consumer group, tokens from `jwksUrl`. */
export async function startTraining(jwksUrl: string, env: Record<string, string> = {}) {
  const db = await testDatabase('training');
  const group = unique('training');
  const svc = await startService(trainingService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      TRAINING_PORT: '0',
      DATABASE_URL: db.url,
      OUTBOX_POLL: '200ms',
      AUTH_JWKS_URL: jwksUrl,
      TRAINING_CONSUMER_GROUP: group,
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

/** The training service as a child process (for kill -9), on a free port. */
export async function trainingProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  return new ServiceProcess({
    cli: trainingCli,
    args: ['serve'],
    env: {
      LOG_LEVEL: 'warn',
      TRAINING_PORT: String(port),
      OUTBOX_POLL: '200ms',
      ...instanceEnv(tempDir('training-proc')),
      ...env,
    },
    httpUrl: `http://127.0.0.1:${port}`,
  });
}

/** POSTs one file as multipart/form-data (field `file`) with extra text fields. */
export async function upload(
  url: string,
  token: string,
  bytes: Uint8Array,
  filename: string,
  fields: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> & { code?: string } }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes]), filename);
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

/** A valid `training.completed` value for a one-hour session starting at `startedAt`. */
export function completedEvent(athleteId: string, startedAt: number, extra: Record<string, unknown> = {}) {
  return {
    sessionId: `${athleteId}:${startedAt}`,
    athleteId,
    startedAt,
    endedAt: startedAt + 3_600_000,
    durationS: 3600,
    movingS: 3500,
    distanceM: 35_000,
    avgPower: 200,
    maxPower: 900,
    normalizedPower: 220,
    intensity: 0.88,
    load: 77.4,
    kj: 720,
    avgHr: 140,
    maxHr: 175,
    samples: 14_400,
    profileSource: 'profile' as const,
    ...extra,
  };
}
