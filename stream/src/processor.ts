import {
  isValidId,
  type MetricsReceived,
  type StatsUpdated,
  type TrainingCompleted,
  type TrainingStarted,
} from '@wattstream/contracts';
import { DEFAULT_PROFILE, type Profile, type ProfileSource } from '@wattstream/metrics';
import { type AthleteOptions, AthleteState, type SessionEvent } from './athlete.js';

export interface ProcessorOptions extends AthleteOptions {
  /** an athlete without a session and without input for this long is forgotten, ms */
  idleStateTtlMs: number;
}

export interface ProfileLookup {
  get(athleteId: string): Profile | undefined;
}

export interface ProcessorCounters {
  records: number;
  samples: number;
  late: number;
  duplicateBatches: number;
  duplicateSamples: number;
  invalid: number;
}

/** Outputs of one unit of work, written in one Kafka transaction with the input offsets. */
export interface Outbox {
  started: TrainingStarted[];
  completed: TrainingCompleted[];
  /** athletes whose state changed: their snapshot (or tombstone) goes to the changelog */
  changed: Set<string>;
}

export const newOutbox = (): Outbox => ({ started: [], completed: [], changed: new Set() });

/**
 * The state of one input partition: its athletes and its arrival clock. Pure logic, no Kafka:
 * given the same records (and clock advances) it makes the same decisions, which is what makes
 * recovery from the changelog exact.
 *
 * Silence detection. A session ends when its athlete's next sample is `sessionGap` or more
 * after the latest one (event time, deterministic). An athlete who simply stops sends no next
 * sample, so a second clock is needed that moves without them: the partition's *arrival clock*,
 * the highest Kafka record timestamp seen on the partition (stamped by ingest on arrival, so
 * device clock skew does not matter). When the partition is caught up and idle, the clock follows
 * wall time. A session closes when the arrival clock is `sessionGap` past the athlete's latest
 * arrival. While a worker catches up on a backlog (after a restart) only record timestamps move
 * the clock, so the decisions are the ones an uninterrupted worker made.
 */
export class PartitionState {
  readonly athletes = new Map<string, AthleteState>();
  /** athletes whose stats changed since they were last emitted */
  readonly dirty = new Set<AthleteState>();
  /** arrival clock, epoch ms */
  clock = 0;

  constructor(readonly partition: number) {}
}

export class Processor {
  readonly counters: ProcessorCounters = {
    records: 0,
    samples: 0,
    late: 0,
    duplicateBatches: 0,
    duplicateSamples: 0,
    invalid: 0,
  };

  constructor(
    readonly opts: ProcessorOptions,
    private readonly profiles: ProfileLookup,
  ) {}

  profileOf(athleteId: string): { profile: Profile; source: ProfileSource } {
    const p = this.profiles.get(athleteId);
    return p ? { profile: p, source: 'profile' } : { profile: DEFAULT_PROFILE, source: 'default' };
  }

  /** Applies one record; returns false when it is not a valid `MetricsReceived`. */
  apply(ps: PartitionState, rec: unknown, arrival: number, out: Outbox): boolean {
    this.counters.records++;
    if (!isMetricsReceived(rec)) {
      this.counters.invalid++;
      return false;
    }
    if (arrival > ps.clock) ps.clock = arrival;
    let a = ps.athletes.get(rec.athleteId);
    if (a === undefined) {
      a = new AthleteState(rec.athleteId);
      ps.athletes.set(rec.athleteId, a);
    }
    const { profile, source } = this.profileOf(rec.athleteId);
    const events: SessionEvent[] = [];
    const c = a.applyBatch(rec, arrival, profile, source, this.opts, events);
    this.counters.samples += c.applied;
    this.counters.late += c.late;
    this.counters.duplicateSamples += c.duplicateSamples;
    if (c.duplicateBatch) this.counters.duplicateBatches++;
    else out.changed.add(rec.athleteId);
    if (c.applied > 0) ps.dirty.add(a);
    this.emit(rec.athleteId, events, out);
    return true;
  }

  /**
   * Moves the partition's arrival clock to `now` (when given and later) and ends the sessions
   * of athletes silent for the session gap; forgets athletes idle past the state TTL.
   */
  advance(ps: PartitionState, out: Outbox, now?: number): void {
    if (now !== undefined && now > ps.clock) ps.clock = now;
    const clock = ps.clock;
    for (const [id, a] of ps.athletes) {
      if (a.session !== null) {
        if (clock - a.lastArrival >= this.opts.sessionGapMs) {
          const { profile, source } = this.profileOf(id);
          const events: SessionEvent[] = [];
          a.complete(profile, source, events);
          ps.dirty.delete(a);
          this.emit(id, events, out);
          out.changed.add(id);
        }
      } else if (clock - a.lastArrival >= this.opts.idleStateTtlMs) {
        ps.athletes.delete(id);
        out.changed.add(id);
      }
    }
  }

  /** The stats record of an athlete with an open session, advancing its seq. */
  stats(a: AthleteState): StatsUpdated | null {
    const s = a.session;
    if (s === null) return null;
    const { profile, source } = this.profileOf(a.athleteId);
    a.statsSeq++;
    return {
      athleteId: a.athleteId,
      sessionId: s.id,
      seq: a.statsSeq,
      ts: s.maxTs,
      profileSource: source,
      metrics: s.live(profile),
    };
  }

  private emit(athleteId: string, events: SessionEvent[], out: Outbox): void {
    for (const e of events) {
      if (e.kind === 'started') {
        out.started.push({
          sessionId: e.session.id,
          athleteId,
          startedAt: e.session.startTs,
          deviceIds: e.deviceIds,
        });
      } else {
        const sum = e.session.summary(e.profile);
        out.completed.push({
          sessionId: e.session.id,
          athleteId,
          startedAt: sum.startedAt,
          endedAt: sum.endedAt,
          durationS: sum.durationS,
          movingS: sum.movingS,
          distanceM: sum.distanceM,
          avgPower: sum.avgPower,
          maxPower: sum.maxPower,
          normalizedPower: sum.normalizedPower,
          intensity: sum.intensity,
          load: sum.load,
          kj: sum.kj,
          avgHr: sum.avgHr,
          maxHr: sum.maxHr,
          samples: sum.samples,
          profileSource: e.profileSource,
        });
      }
    }
  }
}

/**
 * A structural check of a record value. Ingest validated the batch against the contract already;
 * this guards the worker against foreign producers at a fraction of a full schema check.
 */
export function isMetricsReceived(v: unknown): v is MetricsReceived {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (!isValidId(r.athleteId) || !isValidId(r.deviceId) || typeof r.seq !== 'number' || !Array.isArray(r.samples)) {
    return false;
  }
  for (const s of r.samples as unknown[]) {
    if (typeof s !== 'object' || s === null) return false;
    const x = s as Record<string, unknown>;
    if (typeof x.ts !== 'number' || !Number.isFinite(x.ts)) return false;
    if (x.power !== undefined && typeof x.power !== 'number') return false;
    if (x.hr !== undefined && typeof x.hr !== 'number') return false;
    if (x.cadence !== undefined && typeof x.cadence !== 'number') return false;
    if (x.speed !== undefined && typeof x.speed !== 'number') return false;
    if (x.distance !== undefined && typeof x.distance !== 'number') return false;
  }
  return true;
}
