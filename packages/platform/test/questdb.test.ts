import { Sender } from '@questdb/nodejs-client';
import { TRACKING_METRICS_DDL, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { isWattstreamError, questdbExec, questdbPing, waitForWalApplied } from '../src/index.js';

const http = inject('infra').QUESTDB_HTTP ?? '';
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const athlete = `ath${Date.now()}`;

async function writeRows(): Promise<void> {
  const sender = await Sender.fromConfig(`http::addr=${new URL(http).host};auto_flush=off`);
  for (let i = 0; i < 100; i++) {
    sender
      .table(TRACKING_METRICS_TABLE)
      .symbol('athlete_id', athlete)
      .symbol('device_id', i % 2 ? 'pm1' : 'hr1');
    if (i % 2) sender.intColumn('power', 200 + i).floatColumn('cadence', 90.5);
    else sender.intColumn('hr', 120 + (i % 50));
    await sender.at(T0 + i * 250, 'ms');
  }
  await sender.flush();
  await sender.close();
}

const count = async () => {
  await waitForWalApplied(http, TRACKING_METRICS_TABLE);
  const r = await questdbExec(http, `select count() from ${TRACKING_METRICS_TABLE} where athlete_id = '${athlete}'`);
  return Number(r.dataset[0]?.[0]);
};

describe('QuestDB tracking_metrics against a real QuestDB', () => {
  beforeAll(async () => {
    expect(await questdbPing(http)).toBe(true);
    await questdbExec(http, TRACKING_METRICS_DDL);
  });

  it('creates the table with the contract columns, WAL and dedup keys', async () => {
    const cols = await questdbExec(
      http,
      `select "column", type, upsertKey from table_columns('${TRACKING_METRICS_TABLE}')`,
    );
    expect(Object.fromEntries(cols.dataset.map((r) => [r[0], [r[1], r[2]]]))).toEqual({
      ts: ['TIMESTAMP', true],
      athlete_id: ['SYMBOL', true],
      device_id: ['SYMBOL', true],
      hr: ['INT', false],
      power: ['INT', false],
      cadence: ['DOUBLE', false],
      speed: ['DOUBLE', false],
      distance: ['DOUBLE', false],
    });
    const t = await questdbExec(
      http,
      `select designatedTimestamp, partitionBy, walEnabled, dedup from tables() where table_name = '${TRACKING_METRICS_TABLE}'`,
    );
    expect(t.dataset[0]).toEqual(['ts', 'DAY', true, true]);
  });

  it('writes rows over ILP/HTTP, reads them back over SQL, and a replay changes nothing', async () => {
    await writeRows();
    expect(await count()).toBe(100);
    const r = await questdbExec(
      http,
      `select ts, device_id, power, cadence, hr from ${TRACKING_METRICS_TABLE} where athlete_id = '${athlete}' order by ts limit 2`,
    );
    expect(r.dataset).toEqual([
      ['2026-11-01T12:00:00.000000Z', 'hr1', null, null, 120],
      ['2026-11-01T12:00:00.250000Z', 'pm1', 201, 90.5, null],
    ]);
    await writeRows();
    expect(await count()).toBe(100);
  });

  it('reports bad SQL with a coded error', async () => {
    const err = await questdbExec(http, 'select nope from nowhere').catch((e: unknown) => e);
    expect(isWattstreamError(err, 'WS_QUESTDB_SQL')).toBe(true);
  });
});
