import { fileURLToPath } from 'node:url';
import { startTestService, testServiceProcess } from '@wattstream/testkit';
import { trainingService } from '../src/service.js';

export { api, signUp, startUsers, type Users, usersAndDatabase } from '../../users/test/support.js';

export const trainingCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const harness = {
  name: 'training',
  definition: trainingService,
  cli: trainingCli,
  portEnv: 'TRAINING_PORT',
  groupEnv: 'TRAINING_CONSUMER_GROUP',
};
export type Training = Awaited<ReturnType<typeof startTraining>>;

/** The training service in-process on a fresh database, its own consumer group, tokens from `jwksUrl`. */
export const startTraining = (jwksUrl: string, env: Record<string, string> = {}) =>
  startTestService(harness, jwksUrl, env);

/** The training service as a child process (for kill -9), on a free port. */
export const trainingProcess = (env: Record<string, string>) => testServiceProcess(harness, env);

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
