import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** What the agent needs of an ant-plus USB stick (GarminStick2/3 or the fake). */
export interface AntStick extends EventEmitter {
  maxChannels: number;
  canScan: boolean;
  open(): boolean;
  close(): void;
  isScanning(): boolean;
}

type SensorCtor = new (
  stick: AntStick,
) => EventEmitter & { attach(channel: number, deviceId: number): void; detach(): void; channel?: number };
type ScannerCtor = new (stick: AntStick) => EventEmitter & { scan(): void; detach(): void };

export interface AntPlusLib {
  GarminStick2: new () => AntStick;
  GarminStick3: new () => AntStick;
  sensors: Record<number, SensorCtor>;
  HeartRateScanner: ScannerCtor;
}

const require = createRequire(import.meta.url);

/** ant-plus, loaded on first use (it loads the native `usb` module). */
export function loadAntPlus(): AntPlusLib {
  const m = require('ant-plus') as Record<string, unknown>;
  const get = <T>(name: string) => m[name] as T;
  return {
    GarminStick2: get('GarminStick2'),
    GarminStick3: get('GarminStick3'),
    HeartRateScanner: get('HeartRateScanner'),
    sensors: {
      120: get('HeartRateSensor'),
      11: get('BicyclePowerSensor'),
      121: get('SpeedCadenceSensor'),
      122: get('CadenceSensor'),
      123: get('SpeedSensor'),
      17: get('FitnessEquipmentSensor'),
      124: get('StrideSpeedDistanceSensor'),
    },
  };
}
