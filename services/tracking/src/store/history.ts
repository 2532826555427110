import { Sender } from '@questdb/nodejs-client';
import { isValidId, type SamplesImported, TRACKING_METRICS_DDL, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { PlatformErrorCode, questdbExec, WattstreamError } from '@wattstream/platform';
import { TrackingErrorCode } from '../errors.js';

/** Positions of uploaded activities (live samples carry none), kept by tracking beside the samples. */
export const POSITIONS_TABLE = 'tracking_positions';
const POSITIONS_DDL = `CREATE TABLE IF NOT EXISTS ${POSITIONS_TABLE} (
  ts TIMESTAMP, athlete_id SYMBOL, device_id SYMBOL, lat DOUBLE, lon DOUBLE, altitude DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, athlete_id, device_id)`;

export const POWER_DURATIONS_S = [5, 60, 300, 1200, 3600] as const;

export interface Series {
  t: number[];
  power: (number | null)[];
  hr: (number | null)[];
  cadence: (number | null)[];
  speed: (number | null)[];
  distance: (number | null)[];
}

export interface Second {
  ts: number;
  power: number | null;
  hr: number | null;
  cadence: number | null;
  speed: number | null;
  distance: number | null;
  lat: number | null;
  lon: number | null;
  altitude: number | null;
}

/** A literal safe to splice into SQL: ids are checked against the contract pattern, times are integers. */
const id = (v: string) => {
  if (!isValidId(v)) throw new RangeError(`not an id: ${v}`);
  return `'${v}'`;
};
const at = (ms: number) => `cast(${Math.trunc(ms) * 1000} as timestamp)`;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const round = (v: unknown, digits: number): number | null => {
  const n = num(v);
  return n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;
};

/**
 * The ride history in QuestDB (`tracking_metrics`, plus `tracking_positions` of uploads), over
 * its HTTP `/exec` SQL endpoint: downsampled series (SAMPLE BY … FROM … TO, so buckets align to
 * the range start), per-second rows for export, power-duration by window functions, the latest
 * row per device. QuestDB unreachable → 503 `WS_TRACKING_HISTORY_UNAVAILABLE`; each request tries
 * again, so the service recovers by itself when QuestDB is back.
 */
export class History {
  private tables: Promise<void> | undefined;
  private sender: Promise<Sender> | undefined;

  constructor(
    private readonly httpUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async exec(sql: string) {
    try {
      return await questdbExec(this.httpUrl, sql, { timeoutMs: this.timeoutMs });
    } catch (err) {
      const e = err as WattstreamError;
      if (e.code === PlatformErrorCode.QuestDbUnavailable) {
        throw new WattstreamError(
          TrackingErrorCode.HistoryUnavailable,
          'the ride history (QuestDB) is not answering; try again in a few seconds',
          { statusCode: 503, cause: err, details: { retryAfterS: 5 } },
        );
      }
      throw err;
    }
  }

  /** Creates the tables when missing (once per process; again after a failure). */
  ensureTables(): Promise<void> {
    this.tables ??= (async () => {
      await this.exec(TRACKING_METRICS_DDL);
      await this.exec(POSITIONS_DDL);
    })().catch((err) => {
      this.tables = undefined;
      throw err;
    });
    return this.tables;
  }

  private where(athleteId: string, deviceId: string | null, from: number, to: number, extra = ''): string {
    const dev = deviceId === null ? '' : ` AND device_id = ${id(deviceId)}`;
    return `WHERE athlete_id = ${id(athleteId)}${dev} AND ts >= ${at(from)} AND ts < ${at(to)}${extra}`;
  }

  /** Buckets of `resolutionMs` from `from` (aligned to it) up to `to`: means, and the highest cumulative distance. */
  async series(athleteId: string, deviceId: string | null, from: number, to: number, resolutionMs: number) {
    await this.ensureTables();
    const r = await this.exec(
      `SELECT ts, avg(power) power, avg(hr) hr, avg(cadence) cadence, avg(speed) speed, max(distance) distance
       FROM ${TRACKING_METRICS_TABLE} ${this.where(athleteId, deviceId, from, to)}
       SAMPLE BY ${Math.max(1, Math.round(resolutionMs))}T FROM ${at(from)} TO ${at(to)}`,
    );
    const s: Series = { t: [], power: [], hr: [], cadence: [], speed: [], distance: [] };
    for (const row of r.dataset) {
      s.t.push(Date.parse(row[0] as string));
      s.power.push(round(row[1], 1));
      s.hr.push(round(row[2], 1));
      s.cadence.push(round(row[3], 1));
      s.speed.push(round(row[4], 3));
      s.distance.push(round(row[5], 2));
    }
    return s;
  }

  /** One row per second with data (means of the second's samples), with positions where recorded: for export. */
  async seconds(athleteId: string, from: number, to: number): Promise<Second[]> {
    await this.ensureTables();
    const w = this.where(athleteId, null, from, to);
    const [m, p] = await Promise.all([
      this.exec(
        `SELECT ts, avg(power), avg(hr), avg(cadence), avg(speed), max(distance) FROM ${TRACKING_METRICS_TABLE} ${w}
         SAMPLE BY 1s FROM ${at(from)} TO ${at(to)}`,
      ),
      this.exec(
        `SELECT ts, avg(lat), avg(lon), avg(altitude) FROM ${POSITIONS_TABLE} ${w} SAMPLE BY 1s FROM ${at(from)} TO ${at(to)}`,
      ),
    ]);
    const pos = new Map<number, unknown[]>();
    for (const row of p.dataset) pos.set(Date.parse(row[0] as string), row);
    return m.dataset.map((row) => {
      const ts = Date.parse(row[0] as string);
      const q = pos.get(ts);
      return {
        ts,
        power: round(row[1], 0),
        hr: round(row[2], 0),
        cadence: round(row[3], 0),
        speed: round(row[4], 3),
        distance: round(row[5], 2),
        lat: num(q?.[1]),
        lon: num(q?.[2]),
        altitude: round(q?.[3], 1),
      };
    });
  }

  /**
   * Best mean power over 5 s … 60 min: 1 s means (seconds without power skipped, as the live
   * metrics do), rolling means over the last N of them by a window function, the highest of the
   * full windows; and the peak heart rate. All in QuestDB.
   */
  async powerDuration(athleteId: string, from: number, to: number) {
    await this.ensureTables();
    const frame = (n: number) => `OVER (ORDER BY ts ROWS BETWEEN ${n - 1} PRECEDING AND CURRENT ROW)`;
    const cols = POWER_DURATIONS_S.map((n) => `avg(p) ${frame(n)} a${n}, count(p) ${frame(n)} n${n}`).join(', ');
    const best = POWER_DURATIONS_S.map((n) => `max(CASE WHEN n${n} = ${n} THEN a${n} END) b${n}`).join(', ');
    const w = this.where(athleteId, null, from, to);
    const [pd, hr] = await Promise.all([
      this.exec(
        `WITH s AS (SELECT ts, avg(power) p FROM ${TRACKING_METRICS_TABLE} ${w} AND power != null
           SAMPLE BY 1s FROM ${at(from)} TO ${at(to)}),
         r AS (SELECT ts, ${cols} FROM s)
         SELECT ${best} FROM r`,
      ),
      this.exec(`SELECT max(hr) FROM ${TRACKING_METRICS_TABLE} ${w}`),
    ]);
    const row = pd.dataset[0] ?? [];
    return {
      best: POWER_DURATIONS_S.map((durationS, i) => ({ durationS, watts: round(row[i], 1) })),
      peakHr: num(hr.dataset[0]?.[0]),
    };
  }

  /** The latest row of each of the athlete's devices in the last `days` days. */
  async devices(athleteId: string, days: number) {
    await this.ensureTables();
    const r = await this.exec(
      `SELECT device_id, ts, hr, power, cadence, speed, distance FROM ${TRACKING_METRICS_TABLE}
       WHERE athlete_id = ${id(athleteId)} AND ts > dateadd('d', -${Math.trunc(days)}, now())
       LATEST ON ts PARTITION BY device_id`,
    );
    const names = ['hr', 'power', 'cadence', 'speed', 'distance'];
    return r.dataset
      .map((row) => ({
        deviceId: row[0] as string,
        lastSeen: new Date(Date.parse(row[1] as string)).toISOString(),
        metrics: names.filter((_, i) => row[i + 2] !== null),
        battery: null,
      }))
      .sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : -1));
  }

  private ilp(): Promise<Sender> {
    const u = new URL(this.httpUrl);
    this.sender ??= Sender.fromConfig(`${u.protocol.replace(':', '')}::addr=${u.host};retry_timeout=2000;`).catch(
      (err) => {
        this.sender = undefined;
        throw err;
      },
    );
    return this.sender;
  }

  /** Writes an uploaded session's samples (ILP over HTTP; the tables' DEDUP makes a rewrite harmless). */
  async writeImported(e: SamplesImported): Promise<void> {
    await this.ensureTables();
    let sender: Sender;
    try {
      sender = await this.ilp();
      for (const s of e.samples) {
        if (
          s.hr !== undefined ||
          s.power !== undefined ||
          s.cadence !== undefined ||
          s.speed !== undefined ||
          s.distance !== undefined
        ) {
          sender.table(TRACKING_METRICS_TABLE).symbol('athlete_id', e.athleteId).symbol('device_id', e.deviceId);
          if (s.hr !== undefined) sender.intColumn('hr', s.hr);
          if (s.power !== undefined) sender.intColumn('power', s.power);
          if (s.cadence !== undefined) sender.floatColumn('cadence', s.cadence);
          if (s.speed !== undefined) sender.floatColumn('speed', s.speed);
          if (s.distance !== undefined) sender.floatColumn('distance', s.distance);
          await sender.at(s.ts, 'ms');
        }
        if (s.lat !== undefined && s.lon !== undefined) {
          sender.table(POSITIONS_TABLE).symbol('athlete_id', e.athleteId).symbol('device_id', e.deviceId);
          sender.floatColumn('lat', s.lat).floatColumn('lon', s.lon);
          if (s.altitude !== undefined) sender.floatColumn('altitude', s.altitude);
          await sender.at(s.ts, 'ms');
        }
      }
      await sender.flush();
    } catch (err) {
      const old = this.sender;
      this.sender = undefined;
      await old?.then((s) => s.close()).catch(() => {});
      if (err instanceof WattstreamError) throw err;
      throw new WattstreamError(
        TrackingErrorCode.HistoryUnavailable,
        `writing imported samples failed: ${(err as Error).message}`,
        {
          statusCode: 503,
          cause: err,
        },
      );
    }
  }

  async close(): Promise<void> {
    const s = this.sender;
    this.sender = undefined;
    await s?.then((x) => x.close()).catch(() => {});
  }
}
