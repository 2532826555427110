import { decodeAntBikePower, initialAntBikePowerState } from './ant-bike-power.js';
import { decodeAntFec, initialAntFecState, resetAntFecState } from './ant-fec.js';
import { decodeAntHeartRate, initialAntHeartRateState } from './ant-heart-rate.js';
import { decodeAntSdm, initialAntSdmState, resetAntSdmState } from './ant-sdm.js';
import { decodeAntSpeedCadence, initialAntSpeedCadenceState, resetAntSpeedCadenceState } from './ant-speed-cadence.js';
import { decodeBatteryLevel } from './ble-battery.js';
import { decodeCscMeasurement } from './ble-csc.js';
import { decodeCyclingPowerMeasurement } from './ble-cycling-power.js';
import { decodeHeartRateMeasurement } from './ble-heart-rate.js';
import { decodeIndoorBikeData } from './ble-indoor-bike.js';
import { decodeRscMeasurement } from './ble-rsc.js';
import { DEFAULT_WHEEL_OPTIONS, initialRevolutionState, resetRevolutionState } from './revolutions.js';
import type { DecodeResult } from './types.js';

export * from './ant-bike-power.js';
export * from './ant-fec.js';
export * from './ant-heart-rate.js';
export * from './ant-sdm.js';
export * from './ant-speed-cadence.js';
export * from './ble-battery.js';
export * from './ble-csc.js';
export * from './ble-cycling-power.js';
export * from './ble-heart-rate.js';
export * from './ble-indoor-bike.js';
export * from './ble-rsc.js';
export * from './counters.js';
export * from './types.js';

/** GATT characteristics we decode (16-bit UUIDs as noble spells them) and their services. */
export const BLE_CHARACTERISTICS = {
  '2a37': { service: '180d', name: 'Heart Rate Measurement' },
  '2a63': { service: '1818', name: 'Cycling Power Measurement' },
  '2a5b': { service: '1816', name: 'CSC Measurement' },
  '2a53': { service: '1814', name: 'RSC Measurement' },
  '2ad2': { service: '1826', name: 'Indoor Bike Data' },
  '2a19': { service: '180f', name: 'Battery Level' },
} as const;
export type BleCharacteristic = keyof typeof BLE_CHARACTERISTICS;

/** ANT+ device types we decode. */
export const ANT_DEVICE_TYPES = {
  120: { name: 'Heart Rate' },
  11: { name: 'Bike Power' },
  121: { name: 'Bike Speed and Cadence' },
  122: { name: 'Bike Cadence' },
  123: { name: 'Bike Speed' },
  17: { name: 'Fitness Equipment' },
  124: { name: 'Stride Speed and Distance' },
} as const;
export type AntDeviceType = keyof typeof ANT_DEVICE_TYPES;

export type Profile = { transport: 'ble'; char: BleCharacteristic } | { transport: 'ant'; deviceType: AntDeviceType };

export const isBleCharacteristic = (v: string): v is BleCharacteristic => Object.hasOwn(BLE_CHARACTERISTICS, v);
export const isAntDeviceType = (v: number): v is AntDeviceType => Object.hasOwn(ANT_DEVICE_TYPES, String(v));

/** Accepts `2a37`, `0x2A37`, `2A37` or a full 128-bit base UUID `00002a37-0000-1000-8000-00805f9b34fb`. */
export function parseCharacteristic(raw: string): BleCharacteristic | undefined {
  let s = raw.trim().toLowerCase().replace(/^0x/, '');
  const full = /^0000([0-9a-f]{4})-?0000-?1000-?8000-?00805f9b34fb$/.exec(s);
  if (full) s = full[1]!;
  return isBleCharacteristic(s) ? s : undefined;
}

export interface DecoderOptions {
  wheelCircumferenceMm?: number;
  /** After this long without a new crank/wheel event, cadence/speed read 0. Default 2000 ms. */
  staleMs?: number;
}

/** A decoder bound to one sensor: holds the state of its cumulative counters. */
export interface SensorDecoder {
  readonly profile: Profile;
  decode(bytes: Uint8Array, nowMs: number): DecodeResult;
  /** Forget counter baselines (call after every reconnect); accumulated distance is kept. */
  reset(): void;
}

function bind<S>(
  profile: Profile,
  initial: S,
  step: (b: Uint8Array, s: S, nowMs: number) => [DecodeResult, S],
  reset: (s: S) => S,
): SensorDecoder {
  let state = initial;
  return {
    profile,
    decode(bytes, nowMs) {
      const [result, next] = step(bytes, state, nowMs);
      state = next;
      return result;
    },
    reset() {
      state = reset(state);
    },
  };
}

export function createDecoder(profile: Profile, options: DecoderOptions = {}): SensorDecoder {
  const wheel = {
    wheelCircumferenceMm: options.wheelCircumferenceMm ?? DEFAULT_WHEEL_OPTIONS.wheelCircumferenceMm,
    staleMs: options.staleMs ?? DEFAULT_WHEEL_OPTIONS.staleMs,
  };
  const none = () => null;
  if (profile.transport === 'ble') {
    switch (profile.char) {
      case '2a37':
        return bind(profile, null, (b, s) => decodeHeartRateMeasurement(b, s), none);
      case '2a63':
        return bind(
          profile,
          initialRevolutionState(),
          (b, s, nowMs) => decodeCyclingPowerMeasurement(b, s, { nowMs }, wheel),
          resetRevolutionState,
        );
      case '2a5b':
        return bind(
          profile,
          initialRevolutionState(),
          (b, s, nowMs) => decodeCscMeasurement(b, s, { nowMs }, wheel),
          resetRevolutionState,
        );
      case '2a53':
        return bind(profile, null, (b, s) => decodeRscMeasurement(b, s), none);
      case '2ad2':
        return bind(profile, null, (b, s) => decodeIndoorBikeData(b, s), none);
      case '2a19':
        return bind(profile, null, (b, s) => decodeBatteryLevel(b, s), none);
    }
  }
  switch (profile.deviceType) {
    case 120:
      return bind(profile, initialAntHeartRateState(), (b, s) => decodeAntHeartRate(b, s), initialAntHeartRateState);
    case 11:
      return bind(
        profile,
        initialAntBikePowerState(),
        (b, s, nowMs) => decodeAntBikePower(b, s, { nowMs }, { staleMs: wheel.staleMs }),
        initialAntBikePowerState,
      );
    case 121:
    case 122:
    case 123: {
      const type = profile.deviceType;
      return bind(
        profile,
        initialAntSpeedCadenceState(),
        (b, s, nowMs) => decodeAntSpeedCadence(type, b, s, { nowMs }, wheel),
        resetAntSpeedCadenceState,
      );
    }
    case 17:
      return bind(profile, initialAntFecState(), (b, s) => decodeAntFec(b, s), resetAntFecState);
    case 124:
      return bind(profile, initialAntSdmState(), (b, s) => decodeAntSdm(b, s), resetAntSdmState);
  }
}
