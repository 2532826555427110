import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '@wattstream/contracts';
import FitParser from 'fit-file-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTraining, startUsers, type Training, type Users, upload } from './support.js';

/** `../shared/fixtures/fit` relative to the repository: real files, read here, never committed. */
const FIT_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'fit');

type Rec = { timestamp: string; power?: number; heart_rate?: number; distance?: number };

/** The file through a second, independent decoder (fit-file-parser), and the metrics from their definitions. */
async function independent(bytes: Buffer) {
  const parser = new FitParser({ force: false, speedUnit: 'm/s', lengthUnit: 'm', mode: 'list' });
  const data = await new Promise<{ records: Rec[]; sessions: Record<string, number>[] }>((resolve, reject) =>
    parser.parse(bytes as Buffer<ArrayBuffer>, (err, d) =>
      err ? reject(new Error(String(err))) : resolve(d as never),
    ),
  );
  const recs = data.records;
  const p = recs.map((r) => r.power).filter((v): v is number => typeof v === 'number');
  const hr = recs.map((r) => r.heart_rate).filter((v): v is number => typeof v === 'number' && v >= 20);
  const dist = recs.map((r) => r.distance).filter((v): v is number => typeof v === 'number');
  let fourth = 0;
  for (let i = 29; i < p.length; i++) fourth += (p.slice(i - 29, i + 1).reduce((a, b) => a + b, 0) / 30) ** 4;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    records: recs.length,
    avgPower: mean(p),
    normalizedPower: p.length >= 30 ? (fourth / (p.length - 29)) ** 0.25 : null,
    kj: p.reduce((a, b) => a + b, 0) / 1000,
    distanceM: dist.length ? dist.at(-1)! - dist[0]! : 0,
    avgHr: mean(hr),
    device: data.sessions[0] ?? {},
  };
}

const within1pct = (got: number | null | undefined, want: number | null) =>
  want === null || want === 0 ? (got ?? 0) === (want ?? 0) : Math.abs((got as number) - want) / Math.abs(want) <= 0.01;

describe('real FIT files from ../shared/fixtures/fit, uploaded', () => {
  const files = existsSync(FIT_DIR)
    ? readdirSync(FIT_DIR)
        .filter((f) => f.endsWith('.fit'))
        .sort()
    : [];
  let users: Users;
  let training: Training;
  beforeAll(async () => {
    if (files.length === 0) return;
    users = await startUsers();
    training = await startTraining(`${users.url}/.well-known/jwks.json`);
  }, 120_000);
  afterAll(async () => {
    await training?.destroy();
    await users?.destroy();
  });

  it('summarises each within 1 % of the values computed independently from the same file', async () => {
    if (files.length === 0) {
      console.log(`[real FIT] check not run: ${FIT_DIR} does not exist or holds no .fit file`);
      return;
    }
    const rider = await signUp(users.url, { name: 'realfit' });
    const lines: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(join(FIT_DIR, f));
      const r = await upload(`${training.url}/v1/sessions`, rider.tokens.accessToken, bytes, f);
      expect(r.status, `${f}: ${JSON.stringify(r.body)}`).toBe(201);
      const s = (r.body as unknown as Session).summary!;
      const ref = await independent(bytes);
      const d = ref.device;
      const cmp = (name: string, got: number | null | undefined, want: number | null, device?: number) => {
        lines.push(
          `  ${name.padEnd(16)} summary ${String(got ?? '–').padStart(10)}  independent ${want === null ? '–'.padStart(10) : want.toFixed(2).padStart(10)}  device ${device ?? '–'}`,
        );
        expect(within1pct(got, want), `${f} ${name}: ${got} vs ${want}`).toBe(true);
      };
      lines.push(`${f} (${ref.records} records, sport ${(r.body as unknown as Session).sport})`);
      cmp('avgPower W', s.avgPower, ref.avgPower, d.avg_power);
      cmp('NP W', s.normalizedPower, ref.normalizedPower, d.normalized_power);
      cmp('kJ', s.kj, ref.kj, d.total_work === undefined ? undefined : d.total_work / 1000);
      cmp('distance m', s.distanceM, ref.distanceM, d.total_distance);
      cmp('avgHr bpm', s.avgHr, ref.avgHr, d.avg_heart_rate);
    }
    console.log(`[real FIT] check ran on ${files.length} files:\n${lines.join('\n')}`);
  }, 120_000);
});
