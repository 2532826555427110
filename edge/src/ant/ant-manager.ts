import type { EventEmitter } from 'node:events';
import type { Logger } from '@wattstream/platform';
import type { AntDeviceType } from '../decoders/index.js';
import { EdgeErrorCode } from '../errors.js';
import type { SensorHub } from '../sensors/hub.js';
import type { Pairing } from '../sensors/pairing.js';
import { parseDataFrame } from './frame.js';
import type { AntPlusLib, AntStick } from './stick.js';

type AntPairing = Extract<Pairing, { transport: 'ant' }>;

export interface AntManagerOptions {
  stick: AntStick;
  lib: Pick<AntPlusLib, 'sensors' | 'HeartRateScanner'>;
  hub: SensorHub;
  logger: Logger;
  /** `scan`: one RX-scan channel hears every device (many athletes per stick); `attach`: one
   * channel per sensor (sticks without scan mode, at most `maxChannels`); `auto`: scan if able. */
  mode?: 'auto' | 'scan' | 'attach';
  /** A sensor not heard for this long is considered gone (its decoders restart on return). */
  lostAfterMs?: number;
  reattachMinMs?: number;
  reattachMaxMs?: number;
  /** Retry interval while no stick is plugged in. */
  openRetryMs?: number;
}

interface Attached {
  pairing: AntPairing;
  sensor: EventEmitter & { attach(channel: number, deviceId: number): void; detach(): void };
  channel: number;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * ANT+ through ant-plus: the library drives the stick and its channels; the agent taps the raw
 * broadcast frames (`'read'`) and decodes every page itself (ant-plus ignores power page 0x12 and
 * gives SDM values as raw parts). Frames are routed by the extended channel ID, so one scan
 * channel serves every athlete in the room.
 */
export class AntManager {
  private readonly byKey = new Map<string, AntPairing>();
  private readonly lastSeen = new Map<string, number>();
  private readonly attachedSensors: Attached[] = [];
  private readonly initialAttach: Attached[] = [];
  private scanner: (EventEmitter & { scan(): void; detach(): void }) | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private openTimer: NodeJS.Timeout | undefined;
  private running = false;
  private mode: 'scan' | 'attach' | undefined;
  private readonly onRead = (buf: Buffer) => this.frame(buf);
  private readonly onStartup = () => this.startup();

  constructor(private readonly opts: AntManagerOptions) {}

  /**
   * Pairs a sensor. While running, it is read at once in scan mode; in attach mode channels are
   * assigned at startup, so it returns false and the sensor is read after the next restart.
   */
  add(p: AntPairing): boolean {
    this.byKey.set(key(p.deviceType, p.deviceNumber), p);
    return !(this.running && this.mode === 'attach');
  }

  /** Unpairs a sensor: its frames are ignored from now on (attach mode: its channel is closed). */
  remove(p: AntPairing): void {
    this.byKey.delete(key(p.deviceType, p.deviceNumber));
    this.lastSeen.delete(p.sensorId);
    const i = this.attachedSensors.findIndex((a) => a.pairing.sensorId === p.sensorId);
    const a = this.attachedSensors[i];
    if (a) {
      this.attachedSensors.splice(i, 1);
      clearTimeout(a.timer);
      a.sensor.removeAllListeners('detached');
      try {
        a.sensor.detach();
      } catch {
        // channel already closed
      }
    }
    this.opts.hub.disconnected(p.sensorId);
  }

  get activeMode(): 'scan' | 'attach' | undefined {
    return this.mode;
  }

  start(): void {
    this.running = true;
    this.opts.stick.on('read', this.onRead);
    this.opts.stick.on('startup', this.onStartup);
    this.open();
    this.presenceTimer = setInterval(() => this.checkPresence(), 1000);
    this.presenceTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.presenceTimer);
    clearTimeout(this.openTimer);
    for (const a of this.attachedSensors) clearTimeout(a.timer);
    this.opts.stick.off('read', this.onRead);
    this.opts.stick.off('startup', this.onStartup);
    try {
      this.opts.stick.close();
    } catch {
      // stick already gone
    }
    for (const p of this.byKey.values()) this.opts.hub.disconnected(p.sensorId);
  }

  private open(): void {
    if (!this.running) return;
    let ok = false;
    try {
      ok = this.opts.stick.open();
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, 'ANT+ stick open failed');
    }
    if (!ok) {
      this.opts.logger.error(
        { code: EdgeErrorCode.AntNoStick },
        'no ANT+ USB stick found (ANTUSB2 0fcf:1008 or ANTUSB-m 0fcf:1009): plug one in, check the udev rule / permissions; retrying',
      );
      this.openTimer = setTimeout(() => this.open(), this.opts.openRetryMs ?? 10_000);
      this.openTimer.unref();
    }
  }

  /** The stick finished its reset/capabilities/network-key handshake: open channels. */
  private startup(): void {
    const mode = this.opts.mode ?? 'auto';
    const stick = this.opts.stick;
    if (mode === 'scan' || (mode === 'auto' && stick.canScan)) {
      this.mode = 'scan';
      // Any scanner opens the one RX-scan channel with channel ID wildcards: every device type
      // is received and routed by its extended channel ID.
      this.scanner ??= new this.opts.lib.HeartRateScanner(stick);
      this.scanner.scan();
      this.opts.logger.info({ sensors: this.byKey.size }, 'ANT+ stick scanning (one channel for every sensor)');
      return;
    }
    this.mode = 'attach';
    const pairings = [...this.byKey.values()];
    if (pairings.length > stick.maxChannels) {
      this.opts.logger.warn(
        { paired: pairings.length, channels: stick.maxChannels },
        'more ANT+ sensors than channels on a stick without scan mode; the extra ones are not read',
      );
    }
    this.attachedSensors.length = 0;
    pairings.slice(0, stick.maxChannels).forEach((p, channel) => {
      const Ctor = this.opts.lib.sensors[p.deviceType as AntDeviceType];
      if (!Ctor) return;
      const sensor = new Ctor(stick);
      const a: Attached = { pairing: p, sensor, channel, attempt: 0, timer: undefined };
      sensor.on('attached', () => {
        a.attempt = 0;
        this.attachNext();
      });
      sensor.on('detached', () => {
        this.opts.hub.disconnected(p.sensorId);
        if (!this.running) return;
        const delay = Math.min(this.opts.reattachMaxMs ?? 30_000, (this.opts.reattachMinMs ?? 1000) * 2 ** a.attempt++);
        this.opts.logger.warn({ sensorId: p.sensorId, delayMs: delay }, 'ANT+ sensor lost; re-attaching');
        a.timer = setTimeout(() => this.attachOne(a), delay);
        a.timer.unref();
      });
      this.attachedSensors.push(a);
      this.initialAttach.push(a);
    });
    this.attachNext();
  }

  /** ant-plus rule: never attach before the previous 'attached' — the first round goes one by one. */
  private attachNext(): void {
    const next = this.initialAttach.shift();
    if (next) this.attachOne(next);
  }

  private attachOne(a: Attached): void {
    a.timer = undefined;
    if (!this.running) return;
    try {
      a.sensor.attach(a.channel, a.pairing.deviceNumber);
    } catch (err) {
      this.opts.logger.warn({ sensorId: a.pairing.sensorId, err: String(err) }, 'ANT+ attach failed');
    }
  }

  private frame(buf: Buffer): void {
    const r = parseDataFrame(buf);
    if (!r.ok) return; // channel events and responses belong to ant-plus
    const f = r.frame;
    let p: AntPairing | undefined;
    if (f.deviceType !== undefined && f.deviceNumber !== undefined)
      p = this.byKey.get(key(f.deviceType, f.deviceNumber));
    else if (this.mode === 'attach') p = this.attachedSensors.find((a) => a.channel === f.channel)?.pairing;
    if (!p) return;
    const now = Date.now();
    this.lastSeen.set(p.sensorId, now);
    this.opts.hub.payload(p.sensorId, { transport: 'ant', deviceType: p.deviceType }, f.data, now);
  }

  private checkPresence(): void {
    const lostAfter = this.opts.lostAfterMs ?? 5000;
    const now = Date.now();
    for (const [sensorId, seen] of this.lastSeen) {
      if (now - seen > lostAfter) {
        this.lastSeen.delete(sensorId);
        this.opts.hub.disconnected(sensorId);
        this.opts.logger.warn({ sensorId, silentMs: now - seen }, 'ANT+ sensor silent; waiting for it to come back');
      }
    }
  }
}

const key = (deviceType: number, deviceNumber: number) => `${deviceType}:${deviceNumber}`;
