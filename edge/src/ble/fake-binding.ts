import { EventEmitter } from 'node:events';

/**
 * A fake noble binding: the hardware boundary replaced by an EventEmitter that speaks noble's
 * binding protocol (sensors.md §3.1) and emits real GATT notification bytes. noble itself, its
 * Peripheral/Characteristic objects and every listener of the agent are the real ones.
 */
export interface FakeCharacteristic {
  properties: string[];
  /** Value returned by a read (e.g. Battery Level). */
  value?: Buffer;
}

export interface FakePeripheralSpec {
  id: string;
  name?: string;
  rssi?: number;
  /** service uuid → characteristic uuid → characteristic */
  services: Record<string, Record<string, FakeCharacteristic>>;
  /** Never answers a connect request (a sensor out of range that still advertised once). */
  unresponsive?: boolean;
  /** Answers connect but never answers service discovery. */
  silentDiscovery?: boolean;
}

interface FakePeripheral extends FakePeripheralSpec {
  connected: boolean;
  subscribed: Set<string>;
}

export class FakeBleBinding extends EventEmitter {
  private readonly peripherals = new Map<string, FakePeripheral>();
  private scanning = false;
  private advertTimer: NodeJS.Timeout | undefined;
  readonly calls = { connect: 0, cancelConnect: 0, disconnect: 0 };

  constructor(private readonly opts: { advertIntervalMs?: number } = {}) {
    super();
    this.setMaxListeners(0);
  }

  addPeripheral(spec: FakePeripheralSpec): void {
    this.peripherals.set(spec.id, { ...spec, connected: false, subscribed: new Set() });
    if (this.scanning) this.advertise(this.peripherals.get(spec.id)!);
  }

  isConnected(id: string): boolean {
    return this.peripherals.get(id)?.connected === true;
  }

  setUnresponsive(id: string, unresponsive: boolean): void {
    const p = this.peripherals.get(id);
    if (p) p.unresponsive = unresponsive;
  }

  /** Sends a notification if the central subscribed to it; returns whether it was delivered. */
  sendNotification(id: string, characteristic: string, data: Buffer): boolean {
    const p = this.peripherals.get(id);
    if (!p?.connected || !p.subscribed.has(characteristic)) return false;
    this.emit('read', id, this.serviceOf(p, characteristic), characteristic, data, true);
    return true;
  }

  /** The link drops (out of range, battery): HCI reason 0x08 = connection timeout. */
  dropConnection(id: string, reason = 0x08): void {
    const p = this.peripherals.get(id);
    if (!p?.connected) return;
    p.connected = false;
    p.subscribed.clear();
    this.emit('disconnect', id, reason);
  }

  // ---- noble binding API ----
  init(): void {
    setImmediate(() => this.emit('stateChange', 'poweredOn'));
  }
  setScanParameters(): void {
    setImmediate(() => this.emit('scanParametersSet'));
  }
  startScanning(_uuids?: string[], _allowDuplicates?: boolean): void {
    this.scanning = true;
    setImmediate(() => {
      this.emit('scanStart', false);
      for (const p of this.peripherals.values()) if (!p.connected) this.advertise(p);
    });
    clearInterval(this.advertTimer);
    this.advertTimer = setInterval(() => {
      for (const p of this.peripherals.values()) if (!p.connected) this.advertise(p);
    }, this.opts.advertIntervalMs ?? 1000);
    this.advertTimer.unref();
  }
  stopScanning(): void {
    this.scanning = false;
    clearInterval(this.advertTimer);
    setImmediate(() => this.emit('scanStop'));
  }
  connect(id: string): void {
    this.calls.connect++;
    const p = this.peripherals.get(id);
    if (!p || p.unresponsive) return; // like a real controller: no answer at all
    setImmediate(() => {
      p.connected = true;
      this.emit('connect', id, null);
    });
  }
  cancelConnect(_id: string): void {
    this.calls.cancelConnect++;
  }
  disconnect(id: string): void {
    this.calls.disconnect++;
    const p = this.peripherals.get(id);
    setImmediate(() => {
      if (p) {
        p.connected = false;
        p.subscribed.clear();
      }
      this.emit('disconnect', id, 0x16); // local host terminated
    });
  }
  updateRssi(id: string): void {
    setImmediate(() => this.emit('rssiUpdate', id, this.peripherals.get(id)?.rssi ?? -70));
  }
  discoverServices(id: string, uuids: string[]): void {
    const p = this.peripherals.get(id);
    if (!p || p.silentDiscovery) return;
    const all = Object.keys(p.services);
    const found = uuids && uuids.length > 0 ? all.filter((u) => uuids.includes(u)) : all;
    setImmediate(() => this.emit('servicesDiscover', id, found));
  }
  discoverIncludedServices(id: string, service: string): void {
    setImmediate(() => this.emit('includedServicesDiscover', id, service, []));
  }
  discoverCharacteristics(id: string, service: string, uuids: string[]): void {
    const p = this.peripherals.get(id);
    const chars = p?.services[service] ?? {};
    const list = Object.entries(chars)
      .filter(([u]) => !uuids || uuids.length === 0 || uuids.includes(u))
      .map(([uuid, c]) => ({ uuid, properties: c.properties }));
    setImmediate(() => this.emit('characteristicsDiscover', id, service, list));
  }
  discoverDescriptors(id: string, service: string, characteristic: string): void {
    setImmediate(() => this.emit('descriptorsDiscover', id, service, characteristic, ['2902']));
  }
  read(id: string, service: string, characteristic: string): void {
    const value = this.peripherals.get(id)?.services[service]?.[characteristic]?.value ?? Buffer.alloc(0);
    setImmediate(() => this.emit('read', id, service, characteristic, value, false));
  }
  write(id: string, service: string, characteristic: string): void {
    setImmediate(() => this.emit('write', id, service, characteristic));
  }
  notify(id: string, service: string, characteristic: string, on: boolean): void {
    const p = this.peripherals.get(id);
    if (p) {
      if (on) p.subscribed.add(characteristic);
      else p.subscribed.delete(characteristic);
    }
    setImmediate(() => this.emit('notify', id, service, characteristic, on));
  }
  reset(): void {}

  private advertise(p: FakePeripheral): void {
    this.emit(
      'discover',
      p.id,
      p.id.match(/.{2}/g)?.join(':') ?? p.id,
      'random',
      true,
      { localName: p.name, serviceUuids: Object.keys(p.services), serviceData: [], manufacturerData: undefined },
      p.rssi ?? -65,
      true,
    );
  }

  private serviceOf(p: FakePeripheral, characteristic: string): string {
    for (const [svc, chars] of Object.entries(p.services)) if (characteristic in chars) return svc;
    return '';
  }
}
