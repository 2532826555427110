import { createHash } from 'node:crypto';
import type { SampleBatch } from './samples.js';

/**
 * The canonical encoding of a validated `SampleBatch`: `{"seq":…,"samples":[…]}` with the keys of
 * each sample in schema order (ts, hr, power, cadence, speed, distance, rr) and numbers as
 * `JSON.stringify` writes them (`1e2` → `100`, `5.0` → `5`). Ingest writes this, never the edge's
 * bytes, so a consumer reads exactly the value that was validated: a duplicate key in the payload
 * (`{"power":5000,"power":114}`, of which JSON.parse keeps the last) cannot reach Kafka.
 */
export function canonicalSampleBatch(batch: SampleBatch): string {
  let out = `{"seq":${batch.seq},"samples":[`;
  const samples = batch.samples;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as SampleBatch['samples'][number];
    out += i === 0 ? `{"ts":${s.ts}` : `,{"ts":${s.ts}`;
    if (s.hr !== undefined) out += `,"hr":${s.hr}`;
    if (s.power !== undefined) out += `,"power":${s.power}`;
    if (s.cadence !== undefined) out += `,"cadence":${s.cadence}`;
    if (s.speed !== undefined) out += `,"speed":${s.speed}`;
    if (s.distance !== undefined) out += `,"distance":${s.distance}`;
    if (s.rr !== undefined) out += `,"rr":[${s.rr.join(',')}]`;
    out += '}';
  }
  return `${out}]}`;
}

/** Hex digits of the content hash in an event id: 64 bits of SHA-256. */
const CONTENT_HASH_HEX = 16;

/** The content hash of a batch: the first 64 bits of SHA-256 over its canonical encoding, hex. */
export function batchContentHash(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex').slice(0, CONTENT_HASH_HEX);
}

/**
 * The identity of a `tracking.metrics.received` event (its `ce_id`), contract v1:
 * `{athleteId}/{deviceId}/{seq}/{contentHash}`. Device ids are scoped by the athlete, and the
 * content is part of the identity: the same batch sent again (a redelivery) has the same id,
 * while a batch that reuses a seq with other samples (an edge that lost its queue, the same
 * sensor on another edge) is another event and is kept. Samples themselves are identified by
 * (athleteId, deviceId, ts) everywhere: the QuestDB dedup keys and the stream worker's sample
 * de-duplication.
 */
export function metricsReceivedCeId(athleteId: string, deviceId: string, seq: number, contentHash: string): string {
  return `${athleteId}/${deviceId}/${seq}/${contentHash}`;
}

export interface MetricsReceivedIdentity {
  athleteId: string;
  deviceId: string;
  seq: number;
  contentHash: string;
}

const CE_ID = /^([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})\/(\d{1,16})\/([0-9a-f]{16})$/;

/** Parses a `ce_id` of `tracking.metrics.received`; `undefined` for any other form. */
export function parseMetricsReceivedCeId(id: string | undefined): MetricsReceivedIdentity | undefined {
  const m = id === undefined ? null : CE_ID.exec(id);
  if (m === null) return undefined;
  const seq = Number(m[3]);
  if (!Number.isSafeInteger(seq)) return undefined;
  return { athleteId: m[1] as string, deviceId: m[2] as string, seq, contentHash: m[4] as string };
}
