import type { Logger } from '@wattstream/platform';
import { parseDataFrame } from './ant/frame.js';
import type { AntPlusLib, AntStick } from './ant/stick.js';
import { BLE_CHARS } from './ble/ble-manager.js';
import type { Noble, NoblePeripheral } from './ble/noble.js';
import {
  ANT_DEVICE_TYPES,
  type AntDeviceType,
  createDecoder,
  isAntDeviceType,
  type Metrics,
  type SensorDecoder,
} from './decoders/index.js';
import { EdgeErrorCode } from './errors.js';
import { antSensorId, bleSensorId } from './sensors/pairing.js';

export interface ScanResult {
  transport: 'ble' | 'ant';
  type: string;
  sensorId: string;
  name?: string;
  rssi?: number;
  value?: Metrics;
}

const BLE_TYPES: Record<string, string> = {
  '180d': 'heart-rate',
  '1818': 'cycling-power',
  '1816': 'speed-cadence',
  '1814': 'running-speed-cadence',
  '1826': 'fitness-machine',
};

/**
 * Finds sensors and reports each one as it is discovered and whenever its value changes
 * (`onUpdate`). ANT+ values come from the broadcasts; BLE values need a connection, made only
 * with `connectBle` (one sensor at a time, each with a timeout).
 */
export async function scanSensors(opts: {
  noble?: Noble;
  ant?: { stick: AntStick; lib: Pick<AntPlusLib, 'HeartRateScanner'> };
  durationMs: number;
  connectBle?: boolean;
  logger: Logger;
  onUpdate: (r: ScanResult) => void;
}): Promise<ScanResult[]> {
  const found = new Map<string, ScanResult>();
  const report = (r: ScanResult) => {
    found.set(r.sensorId, r);
    opts.onUpdate(r);
  };
  const cleanups: (() => void | Promise<void>)[] = [];
  const bleToConnect: NoblePeripheral[] = [];

  if (opts.noble) {
    const noble = opts.noble;
    const onDiscover = (p: NoblePeripheral) => {
      const svc = (p.advertisement.serviceUuids ?? []).find((u) => BLE_TYPES[u]);
      if (!svc) return;
      const sensorId = bleSensorId(p.id);
      const known = found.get(sensorId);
      const r: ScanResult = {
        transport: 'ble',
        type: BLE_TYPES[svc]!,
        sensorId,
        rssi: p.rssi,
        ...(known?.value ? { value: known.value } : {}),
      };
      if (p.advertisement.localName) r.name = p.advertisement.localName;
      if (!known) {
        report(r);
        bleToConnect.push(p);
      } else found.set(sensorId, r);
    };
    noble.on('discover', onDiscover);
    cleanups.push(() => {
      noble.off('discover', onDiscover);
      noble.stopScanning();
    });
    const start = () =>
      noble
        .startScanningAsync(Object.keys(BLE_TYPES), true)
        .catch((err: Error) => opts.logger.error({ err: err.message }, 'BLE scan failed'));
    if (noble.state === 'poweredOn') await start();
    else noble.once('stateChange', (s: string) => s === 'poweredOn' && void start());
  }

  if (opts.ant) {
    const { stick, lib } = opts.ant;
    const decoders = new Map<string, SensorDecoder>();
    const reportedAt = new Map<string, number>();
    const onRead = (buf: Buffer) => {
      const r = parseDataFrame(buf);
      if (!r.ok || r.frame.deviceType === undefined || r.frame.deviceNumber === undefined) return;
      const type = r.frame.deviceType;
      if (!isAntDeviceType(type)) return;
      const sensorId = antSensorId(type, r.frame.deviceNumber);
      let d = decoders.get(sensorId);
      if (!d) {
        d = createDecoder({ transport: 'ant', deviceType: type as AntDeviceType });
        decoders.set(sensorId, d);
      }
      const res = d.decode(r.frame.data, Date.now());
      const prev = found.get(sensorId);
      // Pages carry different metrics (FE-C 0x10 speed, 0x19 power): show the union.
      const value =
        res.ok && Object.keys(res.reading.metrics).length > 0
          ? { ...prev?.value, ...res.reading.metrics }
          : prev?.value;
      const next: ScanResult = {
        transport: 'ant',
        type: ANT_DEVICE_TYPES[type].name,
        sensorId,
        ...(r.frame.rssi !== undefined ? { rssi: r.frame.rssi } : {}),
        ...(value ? { value } : {}),
      };
      const now = Date.now();
      if (!prev || now - (reportedAt.get(sensorId) ?? 0) >= 1000) {
        reportedAt.set(sensorId, now);
        report(next);
      } else found.set(sensorId, next);
    };
    stick.on('read', onRead);
    stick.once('startup', () => new lib.HeartRateScanner(stick).scan());
    if (!stick.open()) opts.logger.error({ code: EdgeErrorCode.AntNoStick }, 'no ANT+ USB stick found');
    cleanups.push(() => {
      stick.off('read', onRead);
      stick.close();
    });
  }

  const deadline = Date.now() + opts.durationMs;
  if (opts.connectBle) {
    while (Date.now() < deadline) {
      const p = bleToConnect.shift();
      if (!p) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const value = await readOneBleValue(p, Math.min(5000, Math.max(0, deadline - Date.now())));
      const sensorId = bleSensorId(p.id);
      if (value) report({ ...found.get(sensorId)!, value });
    }
  } else {
    await new Promise((r) => setTimeout(r, opts.durationMs));
  }
  for (const c of cleanups) await c();
  return [...found.values()];
}

/** Connects, waits for the first decodable notification, disconnects. */
async function readOneBleValue(p: NoblePeripheral, timeoutMs: number): Promise<Metrics | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), timeoutMs);
  });
  const work = (async () => {
    await p.connectAsync();
    const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync([], BLE_CHARS);
    return new Promise<Metrics | undefined>((resolve) => {
      for (const c of characteristics) {
        if (!c.properties.includes('notify')) continue;
        const d = createDecoder({ transport: 'ble', char: c.uuid as (typeof BLE_CHARS)[number] });
        c.on('data', (buf: Buffer) => {
          const r = d.decode(buf, Date.now());
          if (r.ok && Object.keys(r.reading.metrics).length > 0) resolve(r.reading.metrics);
        });
        void c.subscribeAsync();
      }
    });
  })().catch(() => undefined);
  const value = await Promise.race([work, timeout]);
  clearTimeout(timer);
  if (p.state === 'connecting') p.cancelConnect();
  if (p.state === 'connected') await p.disconnectAsync().catch(() => {});
  return value;
}
