import { Prng } from './prng.js';

/**
 * A virtual rider. Power follows a structured session (warm-up, then over/under intervals) with
 * an Ornstein–Uhlenbeck wander and pedal-stroke jitter, and the odd coast; cadence rises with
 * effort; heart rate chases a power-dependent target with first-order lag (faster up than down);
 * speed comes from a flat-road physics model with inertia:
 *   m·dv/dt = η·P/v − (½·ρ·CdA·v² + Crr·m·g)
 */
export interface AthleteState {
  t: number;
  power: number;
  cadence: number;
  hr: number;
  speed: number;
  distance: number;
  /** Beat times (s since start) produced during the last step. */
  beats: number[];
  crankRevs: number;
  wheelRevs: number;
  /** Time (s) of the last whole crank/wheel revolution. */
  lastCrankEvent: number;
  lastWheelEvent: number;
}

const RHO = 1.225;
const G = 9.81;
const ETA = 0.97;

export class Athlete {
  readonly ftp: number;
  readonly mass: number;
  readonly hrRest: number;
  readonly hrMax: number;
  private readonly cda: number;
  private readonly crr = 0.004;
  private readonly phase: number;
  private readonly rng: Prng;
  private ou = 0;
  private smoothedPower = 0;
  private coastUntil = -1;
  private nextBeat = 0;
  readonly state: AthleteState;

  constructor(
    seed: number,
    readonly wheelCircumferenceM = 2.105,
  ) {
    this.rng = new Prng(seed);
    this.ftp = Math.round(this.rng.range(170, 320));
    this.mass = Math.round(this.rng.range(58, 92));
    this.hrRest = Math.round(this.rng.range(48, 64));
    this.hrMax = Math.round(this.rng.range(172, 198));
    this.cda = this.rng.range(0.28, 0.36);
    this.phase = this.rng.range(0, 420);
    this.state = {
      t: 0,
      power: 0,
      cadence: 0,
      hr: this.hrRest + 10,
      speed: 0,
      distance: 0,
      beats: [],
      crankRevs: 0,
      wheelRevs: 0,
      lastCrankEvent: 0,
      lastWheelEvent: 0,
    };
    this.nextBeat = 60 / this.state.hr;
  }

  /** Session intensity (fraction of FTP) at time t. */
  private level(t: number): number {
    if (t < 300) return 0.5 + (0.25 * t) / 300;
    const c = (t + this.phase) % 420;
    return c < 240 ? 1.05 : 0.6;
  }

  step(dt: number): AthleteState {
    const s = this.state;
    const r = this.rng;
    s.t += dt;
    this.ou += (-this.ou / 10) * dt + 0.05 * Math.sqrt(dt) * r.gauss();
    if (s.t > this.coastUntil && r.next() < 0.004 * dt) this.coastUntil = s.t + r.range(2, 6);
    const coasting = s.t <= this.coastUntil;
    const level = this.level(s.t);
    const target = this.ftp * level * (1 + this.ou) * (1 + 0.03 * r.gauss());
    s.power = coasting ? 0 : Math.max(0, Math.round(target));
    s.cadence = coasting ? 0 : Math.max(50, 88 + 12 * (level - 0.75) + 2 * r.gauss());
    // heart rate: first-order lag towards a target set by smoothed power
    this.smoothedPower += ((s.power - this.smoothedPower) * dt) / 20;
    const frac = Math.min(1, 0.3 + 0.62 * (this.smoothedPower / this.ftp));
    const hrTarget = this.hrRest + (this.hrMax - this.hrRest) * frac;
    const tau = hrTarget > s.hr ? 25 : 40;
    s.hr += ((hrTarget - s.hr) * dt) / tau;
    // beats for RR intervals, with a little variability
    s.beats = [];
    while (this.nextBeat <= s.t) {
      s.beats.push(this.nextBeat);
      this.nextBeat += (60 / s.hr) * (1 + 0.02 * r.gauss());
    }
    // speed from power with inertia
    const m = this.mass + 9;
    const v = Math.max(s.speed, 1);
    const resist = 0.5 * RHO * this.cda * s.speed * s.speed + this.crr * m * G;
    s.speed = Math.max(0, s.speed + ((ETA * s.power) / v - resist) * (dt / m));
    s.distance += s.speed * dt;
    // cumulative crank and wheel revolutions with the time of the last whole one
    const crank = s.crankRevs + (s.cadence / 60) * dt;
    if (Math.floor(crank) > Math.floor(s.crankRevs) && s.cadence > 0) {
      const over = (crank - Math.floor(crank)) / (s.cadence / 60);
      s.lastCrankEvent = s.t - over;
    }
    s.crankRevs = crank;
    const wheel = s.wheelRevs + (s.speed / this.wheelCircumferenceM) * dt;
    if (Math.floor(wheel) > Math.floor(s.wheelRevs) && s.speed > 0) {
      const over = (wheel - Math.floor(wheel)) / (s.speed / this.wheelCircumferenceM);
      s.lastWheelEvent = s.t - over;
    }
    s.wheelRevs = wheel;
    return s;
  }
}
