import type { Logger } from '@wattstream/platform';
import { createDecoder, type Metrics, type Profile, type SensorDecoder } from '../decoders/index.js';
import type { EdgeMetrics } from '../metrics.js';
import type { Pairing } from './pairing.js';

export type SampleSink = (athleteId: string, deviceId: string, ts: number, metrics: Metrics) => void;

export interface SensorStatus {
  sensorId: string;
  athleteId: string;
  transport: 'ble' | 'ant' | 'replay';
  connected: boolean;
  lastValue: Metrics | undefined;
  lastAt: number | undefined;
  batteryPercent?: number;
  batteryStatus?: string;
  connects: number;
  decodeErrors: number;
}

interface Entry {
  pairing: Pairing;
  decoders: Map<string, SensorDecoder>;
  status: SensorStatus;
  /** Start of the sample readings are being merged into (per-device merge window). */
  openTs: number | undefined;
  warned: Set<string>;
}

const profileKey = (p: Profile) => (p.transport === 'ble' ? p.char : String(p.deviceType));

/**
 * Where raw sensor payloads meet their decoders: one decoder per (sensor, characteristic/profile),
 * holding the counter state of that sensor. Readings of one device that arrive within
 * `mergeWindowMs` of each other (an FTMS record split over several notifications, a power meter's
 * power and battery) become one sample with the first arrival's timestamp.
 */
export class SensorHub {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly sink: SampleSink,
    private readonly opts: { logger: Logger; metrics?: EdgeMetrics; mergeWindowMs?: number; staleMs?: number },
  ) {}

  register(pairing: Pairing): void {
    if (this.entries.has(pairing.sensorId)) return;
    this.entries.set(pairing.sensorId, {
      pairing,
      decoders: new Map(),
      openTs: undefined,
      warned: new Set(),
      status: {
        sensorId: pairing.sensorId,
        athleteId: pairing.athleteId,
        transport: pairing.transport,
        connected: false,
        lastValue: undefined,
        lastAt: undefined,
        connects: 0,
        decodeErrors: 0,
      },
    });
  }

  /** Forgets an unpaired sensor: its decoders, its status, and any payload that still arrives. */
  unregister(sensorId: string): void {
    const e = this.entries.get(sensorId);
    if (!e) return;
    this.entries.delete(sensorId);
    if (e.status.connected) this.updateConnectedGauge();
  }

  has(sensorId: string): boolean {
    return this.entries.has(sensorId);
  }

  /** A sensor (re)connected: its counters may have restarted, so every decoder takes a new baseline. */
  connected(sensorId: string): void {
    const e = this.entries.get(sensorId);
    if (!e) return;
    for (const d of e.decoders.values()) d.reset();
    e.openTs = undefined;
    if (!e.status.connected) {
      e.status.connected = true;
      e.status.connects++;
      if (e.status.connects > 1) this.opts.metrics?.sensorReconnects.inc({ transport: e.pairing.transport });
      this.updateConnectedGauge();
    }
  }

  disconnected(sensorId: string): void {
    const e = this.entries.get(sensorId);
    if (!e?.status.connected) return;
    e.status.connected = false;
    this.updateConnectedGauge();
  }

  /** One raw payload (GATT notification value or ANT+ data page) from a paired sensor. */
  payload(sensorId: string, profile: Profile, bytes: Uint8Array, nowMs: number): void {
    const e = this.entries.get(sensorId);
    if (!e) return;
    // Data from a sensor we had as disconnected: it is back, with possibly restarted counters.
    if (!e.status.connected) this.connected(sensorId);
    const key = profileKey(profile);
    let decoder = e.decoders.get(key);
    if (!decoder) {
      decoder = createDecoder(profile, {
        ...(e.pairing.wheelCircumferenceMm ? { wheelCircumferenceMm: e.pairing.wheelCircumferenceMm } : {}),
        ...(this.opts.staleMs ? { staleMs: this.opts.staleMs } : {}),
      });
      e.decoders.set(key, decoder);
    }
    const r = decoder.decode(bytes, nowMs);
    if (!r.ok) {
      e.status.decodeErrors++;
      this.opts.metrics?.decodeErrors.inc({ code: r.error.code });
      const warnKey = `${key}:${r.error.code}`;
      if (!e.warned.has(warnKey)) {
        e.warned.add(warnKey);
        this.opts.logger.warn(
          { sensorId, profile: key, code: r.error.code, hex: Buffer.from(bytes).toString('hex') },
          `cannot decode a payload: ${r.error.message} (further ones of this kind are logged at debug level)`,
        );
      } else {
        this.opts.logger.debug({ sensorId, profile: key, code: r.error.code }, r.error.message);
      }
      return;
    }
    this.opts.metrics?.samplesRead.inc({ transport: e.pairing.transport });
    const { metrics, details } = r.reading;
    if (typeof details.batteryPercent === 'number') e.status.batteryPercent = details.batteryPercent;
    if (typeof details.batteryStatus === 'string') e.status.batteryStatus = details.batteryStatus;
    if (Object.keys(metrics).length === 0) return;
    const window = this.opts.mergeWindowMs ?? 50;
    const ts = e.openTs !== undefined && nowMs - e.openTs >= 0 && nowMs - e.openTs < window ? e.openTs : nowMs;
    e.openTs = ts;
    e.status.lastValue = e.status.lastAt === ts ? { ...e.status.lastValue, ...metrics } : metrics;
    e.status.lastAt = ts;
    this.sink(e.pairing.athleteId, sensorId, ts, metrics);
  }

  snapshot(): SensorStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }));
  }

  get connectedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.status.connected) n++;
    return n;
  }

  private updateConnectedGauge(): void {
    this.opts.metrics?.sensorsConnected.set(this.connectedCount);
  }
}
