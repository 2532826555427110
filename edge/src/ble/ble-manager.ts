import type { Logger } from '@wattstream/platform';
import { BLE_CHARACTERISTICS, type BleCharacteristic, isBleCharacteristic } from '../decoders/index.js';
import { EdgeErrorCode } from '../errors.js';
import type { SensorHub } from '../sensors/hub.js';
import type { Pairing } from '../sensors/pairing.js';
import type { Noble, NobleCharacteristic, NoblePeripheral } from './noble.js';

export interface BleManagerOptions {
  noble: Noble;
  hub: SensorHub;
  logger: Logger;
  /** noble has no connect timeout; a peripheral that never answers would hold the adapter. */
  connectTimeoutMs?: number;
  discoveryTimeoutMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Connection attempts in progress at once (HCI controllers serialize them anyway). */
  maxConcurrentConnects?: number;
}

export const BLE_SERVICES = [...new Set(Object.values(BLE_CHARACTERISTICS).map((c) => c.service))];
export const BLE_CHARS = Object.keys(BLE_CHARACTERISTICS) as BleCharacteristic[];

type LinkState = 'waiting' | 'queued' | 'connecting' | 'connected' | 'backoff';

interface Link {
  pairing: Extract<Pairing, { transport: 'ble' }>;
  state: LinkState;
  peripheral: NoblePeripheral | undefined;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  /** Removes every listener this link added for the current connection. */
  teardown: (() => void) | undefined;
  /** Unpaired while running: whatever is in progress for it stops at the next step. */
  removed: boolean;
}

class TimeoutError extends Error {}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
};

/**
 * Keeps every paired BLE sensor connected and subscribed: scans continuously with duplicates (so a
 * sensor that went away is seen again), connects through a small queue with a timeout (and
 * `cancelConnect`, so one dead sensor never holds the adapter), reconnects with exponential
 * backoff, and removes every listener it added when a connection ends (noble reuses Peripheral
 * objects, so listeners would pile up and data would be doubled — sensors.md §3.3 pitfall 3).
 */
export class BleManager {
  private readonly links = new Map<string, Link>();
  private readonly queue: Link[] = [];
  private connecting = 0;
  private running = false;
  private readonly onDiscover = (p: NoblePeripheral) => this.discovered(p);
  private readonly onState = (s: string) => this.stateChanged(s);

  constructor(private readonly opts: BleManagerOptions) {}

  add(pairing: Extract<Pairing, { transport: 'ble' }>): void {
    if (this.links.has(pairing.address)) return;
    this.links.set(pairing.address, {
      pairing,
      state: 'waiting',
      peripheral: undefined,
      attempt: 0,
      timer: undefined,
      teardown: undefined,
      removed: false,
    });
  }

  /** Stops reading a sensor that was unpaired while running; an advert or a retry will not bring it back. */
  async remove(address: string): Promise<void> {
    const link = this.links.get(address);
    if (!link) return;
    this.links.delete(address);
    link.removed = true;
    const queued = this.queue.indexOf(link);
    if (queued >= 0) this.queue.splice(queued, 1);
    await this.release(link);
  }

  async start(): Promise<void> {
    this.running = true;
    this.opts.noble.on('discover', this.onDiscover);
    this.opts.noble.on('stateChange', this.onState);
    if (this.opts.noble.state === 'poweredOn') await this.scan();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.opts.noble.off('discover', this.onDiscover);
    this.opts.noble.off('stateChange', this.onState);
    try {
      this.opts.noble.stopScanning();
    } catch {
      // adapter already gone
    }
    await Promise.all([...this.links.values()].map((link) => this.release(link)));
  }

  /** Ends whatever the link is doing (timer, connect, connection) and marks its sensor disconnected. */
  private async release(link: Link): Promise<void> {
    clearTimeout(link.timer);
    const p = link.peripheral;
    link.teardown?.();
    const wasConnected = p !== undefined && (p.state === 'connected' || link.state === 'connected');
    if (p && link.state === 'connecting') p.cancelConnect();
    link.state = 'waiting';
    this.opts.hub.disconnected(link.pairing.sensorId);
    if (wasConnected) await withTimeout(p.disconnectAsync(), 2000, 'disconnect').catch(() => {});
  }

  private active(link: Link): boolean {
    return this.running && !link.removed;
  }

  /** State of each link, for status and tests. */
  states(): Record<string, LinkState> {
    return Object.fromEntries([...this.links.values()].map((l) => [l.pairing.sensorId, l.state]));
  }

  private async scan(): Promise<void> {
    try {
      await this.opts.noble.startScanningAsync(BLE_SERVICES, true);
    } catch (err) {
      this.opts.logger.error(
        { err: (err as Error).message, code: EdgeErrorCode.BleUnavailable },
        'cannot start BLE scan',
      );
    }
  }

  private stateChanged(state: string): void {
    this.opts.logger.info({ state }, 'BLE adapter state');
    if (state === 'poweredOn') {
      if (this.running) void this.scan();
      return;
    }
    // Adapter off or gone: every link is down; they reconnect when it is back.
    for (const link of this.links.values()) {
      link.teardown?.();
      if (link.state !== 'backoff') link.state = 'waiting';
      this.opts.hub.disconnected(link.pairing.sensorId);
    }
  }

  private discovered(p: NoblePeripheral): void {
    const link = this.links.get(p.id);
    if (!link || !this.running) return;
    link.peripheral = p;
    if (link.state === 'waiting') this.enqueue(link);
  }

  private enqueue(link: Link): void {
    link.state = 'queued';
    this.queue.push(link);
    this.drainQueue();
  }

  private drainQueue(): void {
    const max = this.opts.maxConcurrentConnects ?? 1;
    while (this.running && this.connecting < max && this.queue.length > 0) {
      const link = this.queue.shift()!;
      if (link.state !== 'queued') continue;
      this.connecting++;
      void this.connect(link).finally(() => {
        this.connecting--;
        this.drainQueue();
      });
    }
  }

  private async connect(link: Link): Promise<void> {
    const p = link.peripheral!;
    const id = link.pairing.sensorId;
    link.state = 'connecting';
    link.attempt++;
    const started = Date.now();
    try {
      try {
        await withTimeout(p.connectAsync(), this.opts.connectTimeoutMs ?? 10_000, 'connect');
      } catch (err) {
        // cancelConnect rejects noble's pending connect and frees the controller's connect slot.
        if (err instanceof TimeoutError) p.cancelConnect();
        throw err;
      }
      if (!this.active(link)) {
        await p.disconnectAsync().catch(() => {});
        return;
      }
      const { characteristics } = await withTimeout(
        // All services: noble fails the call when any *requested* service is missing, and a heart
        // rate strap has no power service. Characteristics are filtered to the ones we decode.
        p.discoverSomeServicesAndCharacteristicsAsync([], BLE_CHARS),
        this.opts.discoveryTimeoutMs ?? 10_000,
        'service discovery',
      );
      if (!this.active(link)) {
        await p.disconnectAsync().catch(() => {});
        return;
      }
      this.attach(link, p, characteristics);
      await Promise.all(
        characteristics
          .filter((c) => isBleCharacteristic(c.uuid))
          .map(async (c) => {
            if (c.properties.includes('notify')) await c.subscribeAsync();
            if (c.uuid === '2a19' && c.properties.includes('read')) {
              const v = await c.readAsync();
              this.opts.hub.payload(id, { transport: 'ble', char: '2a19' }, v, Date.now());
            }
          }),
      );
      link.state = 'connected';
      link.attempt = 0;
      this.opts.logger.info(
        { sensorId: id, ms: Date.now() - started, characteristics: characteristics.map((c) => c.uuid) },
        'BLE sensor connected',
      );
    } catch (err) {
      link.teardown?.();
      // Forget noble's one-shot listeners of the failed attempt (they would fire on the next one).
      for (const ev of ['connect', 'servicesDiscover']) p.removeAllListeners(ev);
      if (p.state === 'connected') await withTimeout(p.disconnectAsync(), 2000, 'disconnect').catch(() => {});
      const code = err instanceof TimeoutError ? EdgeErrorCode.BleConnectTimeout : undefined;
      this.opts.logger.warn(
        {
          sensorId: id,
          attempt: link.attempt,
          err: err instanceof Error ? err.message : String(err),
          ...(code ? { code } : {}),
        },
        'BLE sensor connection failed; will retry',
      );
      this.scheduleRetry(link);
    }
  }

  /** Listeners for one connection; `teardown` removes exactly these. */
  private attach(link: Link, p: NoblePeripheral, chars: NobleCharacteristic[]): void {
    const id = link.pairing.sensorId;
    const handlers: [NobleCharacteristic, (data: Buffer) => void][] = [];
    for (const c of chars) {
      const uuid = c.uuid;
      if (!isBleCharacteristic(uuid)) continue;
      const h = (data: Buffer) => this.opts.hub.payload(id, { transport: 'ble', char: uuid }, data, Date.now());
      c.on('data', h);
      handlers.push([c, h]);
    }
    const onDisconnect = (reason: unknown) => {
      link.teardown?.();
      this.opts.hub.disconnected(id);
      if (!this.active(link)) return;
      this.opts.logger.warn({ sensorId: id, reason }, 'BLE sensor disconnected; reconnecting');
      this.scheduleRetry(link);
    };
    p.once('disconnect', onDisconnect);
    link.teardown = () => {
      for (const [c, h] of handlers) c.off('data', h);
      p.off('disconnect', onDisconnect);
      link.teardown = undefined;
    };
    // New baseline for cumulative counters: the sensor may have restarted them.
    this.opts.hub.connected(id);
  }

  private scheduleRetry(link: Link): void {
    if (!this.active(link)) return;
    const min = this.opts.backoffMinMs ?? 1000;
    const max = this.opts.backoffMaxMs ?? 30_000;
    const base = Math.min(max, min * 2 ** Math.min(link.attempt, 10));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5)); // jitter: no thundering herd
    link.state = 'backoff';
    clearTimeout(link.timer);
    link.timer = setTimeout(() => {
      link.timer = undefined;
      if (!this.active(link)) return;
      // Reconnect straight away if noble knows the peripheral; otherwise wait for an advert.
      if (link.peripheral) this.enqueue(link);
      else link.state = 'waiting';
    }, delay);
    link.timer.unref();
  }
}
