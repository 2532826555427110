import type { MetricsReceived, Sample } from '@wattstream/contracts';
import type { Profile } from '@wattstream/metrics';
import { describe, expect, it } from 'vitest';
import { newOutbox, PartitionState, Processor } from '../src/processor.js';
import { decodeState, encodeState } from '../src/state-codec.js';

// Crafted rides with values computed by hand (see the comments next to each expectation).

const T0 = 1_764_000_000_000;
const opts = { sessionGapMs: 300_000, latenessMs: 5000, idleStateTtlMs: 6 * 3_600_000 };

function setup(profiles: Record<string, Profile> = {}) {
  const proc = new Processor(opts, { get: (id) => profiles[id] });
  const ps = new PartitionState(0);
  const out = newOutbox();
  let seq = 0;
  const send = (samples: Sample[], deviceId = 'd1', athleteId = 'a1', s = seq++) =>
    proc.apply(ps, { athleteId, deviceId, edgeId: 'e1', seq: s, samples } satisfies MetricsReceived, Date.now(), out);
  return { proc, ps, out, send };
}

const ride = (seconds: number, f: (i: number) => Omit<Sample, 'ts'>, start = T0): Sample[] =>
  Array.from({ length: seconds }, (_, i) => ({ ts: start + i * 1000, ...f(i) }));

describe('live metrics on crafted rides', () => {
  it('steady 200 W for 60 s: every total by hand', () => {
    const { proc, ps, out, send } = setup();
    send(ride(60, () => ({ power: 200, hr: 150, cadence: 90, speed: 10 })));
    const a = ps.athletes.get('a1')!;
    const live = proc.stats(a)!;
    expect(live.profileSource).toBe('default');
    expect(live.sessionId).toBe(`a1:${T0}`);
    const m = live.metrics;
    expect(m.power).toBe(200);
    expect(m.power3s).toBe(200);
    expect(m.power30s).toBe(200);
    expect(m.avgPower).toBe(200);
    expect(m.normalizedPower).toBe(200); // constant power: the rolling mean is 200 throughout
    expect(m.intensity).toBe(1); // 200 / default FTP 200
    expect(m.load).toBe(1.7); // 60 s = 1/60 h × 1² × 100 = 1.67
    expect(m.kj).toBe(12); // 200 W × 60 s = 12,000 J
    expect(m.distance).toBe(600); // no cumulative distance: 10 m/s × 60 s
    expect(m.movingS).toBe(60);
    expect(m.elapsedS).toBe(59); // first to last sample
    expect(m.timeInPowerZones).toEqual([0, 0, 0, 60, 0, 0, 0]); // 100 % FTP is zone 4 (90–105 %)
    expect(m.powerZone).toBe(4);
    expect(m.hrZone).toBe(2); // 150 / LTHR 170 = 88 %: zone 2 (81–89 %)
    expect(m.wbal).toBe(20_000); // below CP 210 W: W′ stays full
    expect(m.avgHr).toBe(150);
    expect(m.maxHr).toBe(150);
    expect(out.started).toHaveLength(1);
    expect(out.completed).toHaveLength(0);
  });

  it('30 s at 300 W then 30 s at 100 W: normalizedPower, W′ balance and zones', () => {
    const { proc, ps, out, send } = setup();
    send(ride(60, (i) => ({ power: i < 30 ? 300 : 100 })));
    // NP: the 30 s rolling mean after k seconds at 100 W is 300 − 200k/30, k = 0…30.
    let s4 = 0;
    for (let k = 0; k <= 30; k++) s4 += (300 - (200 * k) / 30) ** 4;
    const np = (s4 / 31) ** 0.25;
    const m = proc.stats(ps.athletes.get('a1')!)!.metrics;
    expect(m.normalizedPower).toBeCloseTo(np, 1);
    expect(m.normalizedPower).toBe(223.1); // (Σ (300 − 20k/3)⁴ / 31)^¼ = 223.07
    expect(m.avgPower).toBe(200);
    expect(m.kj).toBe(12); // 30 × 300 + 30 × 100 J
    expect(m.maxPower).toBe(300);
    // W′bal: 20,000 − 30 × (300 − 210) = 17,300; then 30 s at 100 W recover exponentially:
    // 20,000 − 2,700 × e^(−110 × 30 / 20,000) = 17,710.7
    expect(m.wbal).toBe(17_711);
    expect(m.timeInPowerZones).toEqual([30, 0, 0, 0, 0, 0, 30]); // 50 % and 150 % of FTP
    expect(m.power3s).toBe(100);
    expect(m.power30s).toBe(100);

    // The session summary has the same numbers once it is over.
    proc.advance(ps, out, Date.now() + opts.sessionGapMs);
    expect(out.completed).toHaveLength(1);
    const done = out.completed[0]!;
    expect(done.normalizedPower).toBeCloseTo(np, 1);
    expect(done.avgPower).toBe(200);
    expect(done.kj).toBe(12);
    expect(done.durationS).toBe(59);
    expect(done.intensity).toBeCloseTo(np / 200, 3);
    expect(done.load).toBeCloseTo((60 / 3600) * (np / 200) ** 2 * 100, 1);
    expect(done.samples).toBe(60);
  });

  it('merges devices by second and takes distance from the first cumulative-distance device', () => {
    const { proc, ps, send } = setup();
    // power meter at 2 Hz (alternating 100 / 300 W: 200 W per second), speed sensor with distance,
    // each device publishing 2-second batches
    const pm = ride(20, (i) => ({ power: i % 2 === 0 ? 100 : 300 })).map((s, i) => ({ ...s, ts: T0 + i * 500 }));
    const spd = ride(10, (i) => ({ speed: 8, distance: 1000 + i * 8 }));
    // a second device with its own (larger) distance is ignored
    const watch = ride(10, (i) => ({ distance: 5000 + i * 20 }));
    for (let k = 0; k < 5; k++) {
      send(spd.slice(2 * k, 2 * k + 2), 'spd', 'a1', k);
      send(pm.slice(4 * k, 4 * k + 4), 'pm', 'a1', k);
      send(watch.slice(2 * k, 2 * k + 2), 'watch', 'a1', k);
    }
    const m = proc.stats(ps.athletes.get('a1')!)!.metrics;
    expect(m.avgPower).toBe(200);
    expect(m.kj).toBe(2); // 10 one-second bins at 200 W
    expect(m.distance).toBe(72); // 1072 − 1000
    expect(m.power).toBe(300); // the latest sample by event time
  });

  it('places out-of-order samples within the lateness, drops later ones, ignores redeliveries', () => {
    const { proc, ps, send } = setup();
    // an HR strap's 5-second batches arrive after the power meter's for the same seconds
    send(
      ride(5, () => ({ power: 100 })),
      'pm',
      'a1',
      0,
    );
    send(
      ride(5, () => ({ hr: 120 })),
      'hr',
      'a1',
      0,
    );
    send(
      ride(5, () => ({ power: 100 }), T0 + 5000),
      'pm',
      'a1',
      1,
    );
    send(
      ride(5, () => ({ hr: 120 }), T0 + 5000),
      'hr',
      'a1',
      1,
    );
    send(
      ride(10, () => ({ power: 100 }), T0 + 10_000),
      'pm',
      'a1',
      2,
    );
    // redelivered batch (same device + seq): ignored
    send(
      ride(10, () => ({ power: 900 }), T0 + 10_000),
      'pm',
      'a1',
      2,
    );
    // same samples under a new seq (same device + ts): ignored
    send(
      ride(3, () => ({ power: 900 }), T0 + 17_000),
      'pm',
      'a1',
      3,
    );
    // 3 s out of order (within 5 s): placed in its second
    send([{ ts: T0 + 16_500, power: 400 }], 'pm2', 'a1', 1);
    // 12 s behind the latest sample: late, counted, left out
    send([{ ts: T0 + 7000, power: 2000 }], 'pm3', 'a1', 1);
    const m = proc.stats(ps.athletes.get('a1')!)!.metrics;
    expect(proc.counters.duplicateBatches).toBe(1);
    expect(proc.counters.duplicateSamples).toBe(13);
    expect(proc.counters.late).toBe(1);
    // 20 bins at 100 W except second 16: mean(100, 400) = 250 → (19 × 100 + 250) / 20
    expect(m.avgPower).toBe(107.5);
    expect(m.maxPower).toBe(400);
    expect(m.avgHr).toBe(120);
  });

  it('silence of the session gap ends a session; the next sample starts another', () => {
    const { proc, ps, out, send } = setup();
    send(ride(60, () => ({ power: 150 })));
    send(ride(60, () => ({ power: 250 }), T0 + 59_000 + opts.sessionGapMs));
    expect(out.started.map((s) => s.sessionId)).toEqual([`a1:${T0}`, `a1:${T0 + 59_000 + opts.sessionGapMs}`]);
    expect(out.completed).toHaveLength(1);
    expect(out.completed[0]).toMatchObject({ sessionId: `a1:${T0}`, avgPower: 150, kj: 9, durationS: 59 });
    // a sample from the first session, arriving after it ended: late
    send([{ ts: T0 + 30_000, power: 999 }], 'other');
    expect(proc.counters.late).toBe(1);
    expect(proc.stats(ps.athletes.get('a1')!)!.metrics.maxPower).toBe(250);
  });

  it('a device that restarts its distance counter is re-baselined, not subtracted', () => {
    const { proc, ps, send } = setup();
    send(ride(5, (i) => ({ distance: 100 + i * 10 }))); // 100 … 140
    send(ride(5, (i) => ({ distance: 5 + i * 10 }), T0 + 5000)); // reset: 5 … 45
    expect(proc.stats(ps.athletes.get('a1')!)!.metrics.distance).toBe(80); // 40 + 40
  });

  it('uses the athlete profile when there is one', () => {
    const profile: Profile = { ftp: 250, cp: 260, wPrime: 15_000, maxHr: 190, lthr: 160, weightKg: 70 };
    const { proc, ps, send } = setup({ a1: profile });
    send(ride(60, () => ({ power: 200, hr: 160 })));
    const st = proc.stats(ps.athletes.get('a1')!)!;
    expect(st.profileSource).toBe('profile');
    expect(st.metrics.intensity).toBe(0.8);
    expect(st.metrics.powerZone).toBe(3); // 80 % of 250 W
    expect(st.metrics.hrZone).toBe(5); // at LTHR
  });

  it('state survives an encode/decode round trip mid-ride with the same final summary', () => {
    const samples = ride(600, (i) => ({ power: 150 + ((i * 37) % 200), hr: 120 + (i % 40), speed: 9, cadence: 85 }));
    const run = (cut: number | null) => {
      const { proc, ps, out, send } = setup();
      for (let i = 0; i < samples.length; i += 50) {
        if (cut !== null && i === cut) {
          const json = JSON.parse(JSON.stringify(encodeState(ps.athletes.get('a1')!)));
          ps.athletes.set('a1', decodeState('a1', json));
        }
        send(samples.slice(i, i + 50), 'd1', 'a1', i);
      }
      proc.advance(ps, out, Date.now() + opts.sessionGapMs);
      return out.completed[0];
    };
    const whole = run(null);
    expect(whole?.samples).toBe(600);
    expect(run(300)).toEqual(whole);
    expect(run(550)).toEqual(whole);
  });
});
