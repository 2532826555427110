import { simAthleteIds } from '@wattstream/contracts';
import { FakeAntStick } from '../ant/fake-stick.js';
import { FakeBleBinding } from '../ble/fake-binding.js';
import { antSensorId, bleSensorId, type Pairing } from '../sensors/pairing.js';
import { Athlete } from './athlete.js';
import {
  encodeAntFec,
  encodeAntHeartRate,
  encodeCyclingPowerMeasurement,
  encodeHeartRateMeasurement,
} from './encoders.js';

export type SimProfile = 'ble' | 'ant' | 'mixed';

export interface SimulationOptions {
  athletes: number;
  /** Same seed → same athletes and the same power/HR traces. */
  seed?: number;
  /** Notifications per second of power meters/trainers and ANT+ sensors. */
  hz?: number;
  /** Notifications per second of BLE heart-rate straps (real ones send 1/s; at most `hz`). */
  bleHrHz?: number;
  profile?: SimProfile;
  /** Athlete ids are `<prefix>-<n>` (default `sim`). */
  athletePrefix?: string;
}

interface SimDevice {
  transport: 'ble' | 'ant';
  kind: 'hr' | 'power' | 'fec';
  address?: string;
  deviceNumber?: number;
  state: Record<string, unknown>;
}

interface SimAthlete {
  id: string;
  model: Athlete;
  devices: SimDevice[];
}

/**
 * Virtual athletes whose sensors speak real protocol bytes: BLE ones notify through a
 * `FakeBleBinding` (heart rate 0x2A37 + cycling power 0x2A63 with crank and wheel data), ANT+ ones
 * broadcast through a `FakeAntStick` (HR page 4 + FE-C trainer pages 0x10/0x19). The agent reads
 * them with the real noble / ant-plus and its own decoders, so the whole path runs.
 */
export class Simulation {
  readonly binding = new FakeBleBinding({ advertIntervalMs: 500 });
  readonly stick = new FakeAntStick();
  readonly pairings: Pairing[] = [];
  private readonly athletes: SimAthlete[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastStepMs: number | undefined;
  private ticks = 0;
  readonly hz: number;
  /** Payloads handed to the fake hardware that a connected/listening agent received. */
  delivered = 0;

  constructor(readonly opts: SimulationOptions) {
    this.hz = opts.hz ?? 4;
    const seed = opts.seed ?? 1;
    const ids = simAthleteIds(opts.athletes, opts.athletePrefix);
    for (let i = 0; i < opts.athletes; i++) {
      const id = ids[i] as string;
      const model = new Athlete((seed * 7919 + i * 104_729) >>> 0);
      const profile = opts.profile ?? 'mixed';
      const transport: 'ble' | 'ant' = profile === 'mixed' ? (i % 2 === 0 ? 'ble' : 'ant') : profile;
      const devices: SimDevice[] = [];
      if (transport === 'ble') {
        const hr = `5e${(i * 2).toString(16).padStart(10, '0')}`;
        const pm = `5e${(i * 2 + 1).toString(16).padStart(10, '0')}`;
        this.binding.addPeripheral({
          id: hr,
          name: `SIM HRM ${i + 1}`,
          services: {
            '180d': { '2a37': { properties: ['notify'] } },
            '180f': { '2a19': { properties: ['read'], value: Buffer.from([90]) } },
          },
        });
        this.binding.addPeripheral({
          id: pm,
          name: `SIM PWR ${i + 1}`,
          services: { '1818': { '2a63': { properties: ['notify'] } } },
        });
        devices.push({ transport, kind: 'hr', address: hr, state: { t: undefined } });
        devices.push({ transport, kind: 'power', address: pm, state: {} });
        this.pairings.push({
          sensorId: bleSensorId(hr),
          athleteId: id,
          transport,
          address: hr,
          name: `SIM HRM ${i + 1}`,
        });
        this.pairings.push({
          sensorId: bleSensorId(pm),
          athleteId: id,
          transport,
          address: pm,
          name: `SIM PWR ${i + 1}`,
        });
      } else {
        const hrNum = ((i * 2) % 65_534) + 1;
        const fecNum = ((i * 2 + 1) % 65_534) + 1;
        devices.push({
          transport,
          kind: 'hr',
          deviceNumber: hrNum,
          state: { count: 0, beatTime: 0, prevBeat: 0, msg: 0 },
        });
        devices.push({ transport, kind: 'fec', deviceNumber: fecNum, state: { msg: 0, events: 0, accPower: 0 } });
        this.pairings.push({
          sensorId: antSensorId(120, hrNum),
          athleteId: id,
          transport,
          deviceType: 120,
          deviceNumber: hrNum,
        });
        this.pairings.push({
          sensorId: antSensorId(17, fecNum),
          athleteId: id,
          transport,
          deviceType: 17,
          deviceNumber: fecNum,
        });
      }
      this.athletes.push({ id, model, devices });
    }
  }

  /** Advances every athlete to `nowMs` and sends one round of sensor payloads. */
  step(nowMs: number): void {
    const dt = this.lastStepMs === undefined ? 1 / this.hz : Math.max(0, (nowMs - this.lastStepMs) / 1000);
    this.lastStepMs = nowMs;
    const every = Math.max(1, Math.round(this.hz / Math.min(this.hz, this.opts.bleHrHz ?? 1)));
    const hrThisTick = this.ticks++ % every === 0;
    for (const a of this.athletes) {
      const s = a.model.step(dt);
      for (const d of a.devices) {
        let sent = false;
        if (d.transport === 'ble') {
          if (d.kind === 'hr') {
            if (!hrThisTick) continue;
            sent = this.binding.sendNotification(
              d.address!,
              '2a37',
              encodeHeartRateMeasurement(s, d.state as { t: number | undefined }),
            );
          } else {
            sent = this.binding.sendNotification(d.address!, '2a63', encodeCyclingPowerMeasurement(s));
          }
        } else if (d.kind === 'hr') {
          sent = this.stick.broadcast(120, d.deviceNumber!, encodeAntHeartRate(s, d.state as never));
        } else {
          sent = this.stick.broadcast(17, d.deviceNumber!, encodeAntFec(s, d.state as never));
        }
        if (sent) this.delivered++;
      }
    }
  }

  /** Steps in real time at `hz`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.step(Date.now()), 1000 / this.hz);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
