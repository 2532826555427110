import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isValidId, WattstreamError } from '@wattstream/contracts';
import { type AntDeviceType, isAntDeviceType } from '../decoders/index.js';
import { EdgeErrorCode } from '../errors.js';

/** A sensor paired to an athlete. `sensorId` is also the `deviceId` of its MQTT topic. */
export type Pairing =
  | {
      sensorId: string;
      athleteId: string;
      transport: 'ble';
      /** noble peripheral id (MAC without colons, lowercase, on Linux). */
      address: string;
      name?: string;
      wheelCircumferenceMm?: number;
      pairedAt?: string;
    }
  | {
      sensorId: string;
      athleteId: string;
      transport: 'ant';
      deviceType: AntDeviceType;
      deviceNumber: number;
      name?: string;
      wheelCircumferenceMm?: number;
      pairedAt?: string;
    };

export type SensorRef =
  | { transport: 'ble'; address: string }
  | { transport: 'ant'; deviceType: AntDeviceType; deviceNumber: number };

export const bleSensorId = (address: string) => `ble-${address.toLowerCase().replace(/[^0-9a-f]/g, '')}`;
export const antSensorId = (deviceType: number, deviceNumber: number) => `ant-${deviceType}-${deviceNumber}`;

/** Parses a sensor id as `edge scan` prints it: `ble-<address>` or `ant-<deviceType>-<deviceNumber>`. */
export function parseSensorId(id: string): SensorRef | undefined {
  if (!isValidId(id)) return undefined;
  const ble = /^ble-([0-9a-f]{1,60})$/.exec(id);
  if (ble) return { transport: 'ble', address: ble[1]! };
  const ant = /^ant-(\d{1,3})-(\d{1,5})$/.exec(id);
  if (ant) {
    const type = Number(ant[1]);
    const num = Number(ant[2]);
    if (isAntDeviceType(type) && num >= 1 && num <= 0xffff)
      return { transport: 'ant', deviceType: type, deviceNumber: num };
  }
  return undefined;
}

export function pairingFor(
  sensorId: string,
  athleteId: string,
  extra: { name?: string; wheelCircumferenceMm?: number } = {},
): Pairing {
  const ref = parseSensorId(sensorId);
  if (!ref) {
    throw new WattstreamError(
      EdgeErrorCode.SensorId,
      `"${sensorId}" is not a sensor id: use the id \`edge scan\` prints, e.g. ble-c0ffee000001 or ant-120-12345`,
    );
  }
  if (!isValidId(athleteId)) {
    throw new WattstreamError(
      EdgeErrorCode.SensorId,
      `athlete id "${athleteId}" must be 1–64 characters of A-Z a-z 0-9 _ -`,
    );
  }
  const base = { sensorId, athleteId, ...extra, pairedAt: new Date().toISOString() };
  return ref.transport === 'ble'
    ? { ...base, transport: 'ble', address: ref.address }
    : { ...base, transport: 'ant', deviceType: ref.deviceType, deviceNumber: ref.deviceNumber };
}

/** Pairings live in `DATA_DIR/edge/pairings.json`, written atomically (tmp + rename). */
export class PairingStore {
  constructor(readonly file: string) {}

  list(): Pairing[] {
    if (!existsSync(this.file)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new WattstreamError(
        EdgeErrorCode.PairingsCorrupt,
        `cannot read ${this.file} (${(err as Error).message}); fix or delete it and pair again`,
      );
    }
    const list = (parsed as { sensors?: unknown }).sensors;
    if (!Array.isArray(list)) {
      throw new WattstreamError(EdgeErrorCode.PairingsCorrupt, `${this.file} has no "sensors" list; fix or delete it`);
    }
    return list as Pairing[];
  }

  upsert(p: Pairing): { replaced: Pairing | undefined } {
    const all = this.list();
    const i = all.findIndex((x) => x.sensorId === p.sensorId);
    const replaced = i >= 0 ? all[i] : undefined;
    if (i >= 0) all[i] = p;
    else all.push(p);
    this.save(all);
    return { replaced };
  }

  remove(sensorId: string): Pairing | undefined {
    const all = this.list();
    const found = all.find((x) => x.sensorId === sensorId);
    if (found) this.save(all.filter((x) => x.sensorId !== sensorId));
    return found;
  }

  private save(all: Pairing[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, sensors: all }, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
