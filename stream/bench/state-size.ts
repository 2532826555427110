import {
  batchContentHash,
  canonicalSampleBatch,
  type MetricsReceived,
  metricsReceivedCeId,
} from '@wattstream/contracts';
import { newOutbox, PartitionState, Processor } from '../src/processor.js';
import { encodeState, STATE_FORMAT_VERSION } from '../src/state-codec.js';

export interface StateSizeResult {
  athletes: number;
  devicesPerAthlete: number;
  rideSeconds: number;
  /** V8 heap per athlete with an open session (needs --expose-gc for a clean figure) */
  heapBytesPerAthlete: number;
  /** changelog record value per athlete (JSON) */
  snapshotBytesPerAthlete: number;
  gcExposed: boolean;
}

/**
 * Bytes of state per active athlete: athletes mid-ride (rolling windows full, open bins, three
 * devices with their redelivery memory), measured on the V8 heap and as changelog snapshots.
 */
export function benchStateSize({ athletes = 5000, devices = 3, seconds = 120 } = {}): StateSizeResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  const proc = new Processor(
    { sessionGapMs: 300_000, latenessMs: 5000, maxFutureSkewMs: 30_000, idleStateTtlMs: 6 * 3_600_000 },
    { get: () => undefined },
  );
  const t0 = 1_764_000_000_000;
  const names = Array.from({ length: athletes }, (_, i) => `athlete-${i}`);
  const devs = Array.from({ length: devices }, (_, i) => `device-${i}`);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const ps = new PartitionState(0);
  const out = newOutbox();
  for (let s = 0; s < seconds; s += 10) {
    for (const athleteId of names) {
      devs.forEach((deviceId, d) => {
        const samples = Array.from({ length: 10 }, (_, k) => {
          const ts = t0 + (s + k) * 1000 + d * 100;
          return d === 0
            ? { ts, power: 150 + ((s + k) % 100), cadence: 90 }
            : d === 1
              ? { ts, hr: 120 + ((s + k) % 40) }
              : { ts, speed: 9.5, distance: (s + k) * 9.5 };
        });
        const rec: MetricsReceived = { athleteId, deviceId, edgeId: 'e', seq: s / 10, samples };
        const ceId = metricsReceivedCeId(athleteId, deviceId, rec.seq, batchContentHash(canonicalSampleBatch(rec)));
        proc.apply(ps, rec, Date.now(), out, ceId);
      });
    }
    out.changed.clear();
    out.started.length = 0;
  }
  ps.dirty.clear();
  gc?.();
  const after = process.memoryUsage().heapUsed;
  let snapshot = 0;
  for (const [id, a] of ps.athletes) {
    snapshot += JSON.stringify({
      v: STATE_FORMAT_VERSION,
      athleteId: id,
      updatedAt: a.lastArrival,
      state: encodeState(a),
    }).length;
  }
  return {
    athletes,
    devicesPerAthlete: devices,
    rideSeconds: seconds,
    heapBytesPerAthlete: Math.round((after - before) / athletes),
    snapshotBytesPerAthlete: Math.round(snapshot / athletes),
    gcExposed: gc !== undefined,
  };
}
