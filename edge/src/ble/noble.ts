import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { WattstreamError } from '@wattstream/contracts';
import { EdgeErrorCode } from '../errors.js';

/** The part of @abandonware/noble's API the agent uses (its index.d.ts does not cover
 * `with-bindings`, and importing the index opens an HCI socket). */
export interface NobleCharacteristic extends EventEmitter {
  uuid: string;
  properties: string[];
  subscribeAsync(): Promise<void>;
  unsubscribeAsync(): Promise<void>;
  readAsync(): Promise<Buffer>;
}
export interface NobleService {
  uuid: string;
}
export interface NoblePeripheral extends EventEmitter {
  id: string;
  address: string;
  rssi: number;
  state: 'error' | 'connecting' | 'connected' | 'disconnecting' | 'disconnected';
  advertisement: { localName?: string; serviceUuids?: string[] };
  connectAsync(): Promise<void>;
  cancelConnect(): void;
  disconnectAsync(): Promise<void>;
  discoverSomeServicesAndCharacteristicsAsync(
    serviceUuids: string[],
    characteristicUuids: string[],
  ): Promise<{ services: NobleService[]; characteristics: NobleCharacteristic[] }>;
}
export interface Noble extends EventEmitter {
  readonly state: string;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  stopScanning(): void;
}

const require = createRequire(import.meta.url);

/** noble driven by the given bindings (a fake in tests and the simulator). */
export function nobleWithBindings(bindings: EventEmitter): Noble {
  const factory = require('@abandonware/noble/with-bindings') as (b: EventEmitter) => Noble;
  return factory(bindings);
}

/**
 * The platform's noble (HCI socket on Linux), loaded only when BLE is actually used: requiring it
 * opens a Bluetooth socket and throws EAFNOSUPPORT on hosts without Bluetooth.
 */
export function loadSystemNoble(): Noble {
  try {
    return require('@abandonware/noble') as Noble;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint =
      e.code === 'EAFNOSUPPORT'
        ? 'this host has no Bluetooth socket support'
        : /bluetooth_hci_socket|binding/i.test(e.message)
          ? 'the HCI addon is not built: run `pnpm rebuild @abandonware/bluetooth-hci-socket` on this device (needs make, g++, python3)'
          : e.message;
    throw new WattstreamError(EdgeErrorCode.BleUnavailable, `Bluetooth LE is unavailable: ${hint}`, { cause: err });
  }
}
