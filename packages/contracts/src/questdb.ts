/** QuestDB table `tracking_metrics` (contract v1). Create it by SQL before any ILP write: a table
 * auto-created by ILP has no DEDUP, and replays would then duplicate rows. */
export const TRACKING_METRICS_TABLE = 'tracking_metrics';

export const TRACKING_METRICS_DDL = `CREATE TABLE IF NOT EXISTS ${TRACKING_METRICS_TABLE} (
  ts TIMESTAMP,
  athlete_id SYMBOL,
  device_id SYMBOL,
  hr INT,
  power INT,
  cadence DOUBLE,
  speed DOUBLE,
  distance DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, athlete_id, device_id)`;

export const TRACKING_METRICS_COLUMNS = {
  ts: 'TIMESTAMP',
  athlete_id: 'SYMBOL',
  device_id: 'SYMBOL',
  hr: 'INT',
  power: 'INT',
  cadence: 'DOUBLE',
  speed: 'DOUBLE',
  distance: 'DOUBLE',
} as const;
