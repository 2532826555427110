import type { Target, WorkoutStep } from '@wattstream/contracts';

/** One constant or linearly changing stretch of a workout, intervals expanded. */
export interface Segment {
  /** index of the step it comes from */
  step: number;
  kind: WorkoutStep['kind'] | 'on' | 'off';
  startS: number;
  durationS: number;
  /** null for free ride */
  from: Target | null;
  to: Target | null;
}

/** The steps as a timeline: intervals become their on/off segments. */
export function segmentsOf(steps: readonly WorkoutStep[]): Segment[] {
  const out: Segment[] = [];
  let t = 0;
  steps.forEach((s, step) => {
    const push = (kind: Segment['kind'], durationS: number, from: Target | null, to: Target | null) => {
      out.push({ step, kind, startS: t, durationS, from, to });
      t += durationS;
    };
    switch (s.kind) {
      case 'warmup':
      case 'cooldown':
      case 'ramp':
        push(s.kind, s.durationS, s.from, s.to);
        break;
      case 'steady':
        push('steady', s.durationS, s.target, s.target);
        break;
      case 'intervals':
        for (let i = 0; i < s.repeat; i++) {
          push('on', s.onDurationS, s.onTarget, s.onTarget);
          push('off', s.offDurationS, s.offTarget, s.offTarget);
        }
        break;
      case 'free':
        push('free', s.durationS, null, null);
        break;
    }
  });
  return out;
}

export const workoutDuration = (steps: readonly WorkoutStep[]): number =>
  segmentsOf(steps).reduce((sum, s) => sum + s.durationS, 0);

/** A power target in watts (mean over a linear segment), or null when it is not a power target. */
export function targetWatts(seg: Segment, ftp: number): number | null {
  const w = (t: Target | null) => (t?.unit === 'watts' ? t.value : t?.unit === 'ftp' ? (t.value / 100) * ftp : null);
  const a = w(seg.from);
  const b = w(seg.to);
  return a === null || b === null ? null : (a + b) / 2;
}
