import { ReadingBuilder } from './normalize.js';
import { u16le } from './reader.js';
import { DecodeErrorCode, type DecodeResult, fail } from './types.js';

/** An ANT+ broadcast data payload is exactly 8 bytes (ANT Message Protocol §5.2.1). */
export function checkPage(bytes: Uint8Array): DecodeResult | undefined {
  if (bytes.length < 8) {
    return fail(DecodeErrorCode.Truncated, `an ANT+ data page is 8 bytes; got ${bytes.length}`);
  }
  if (bytes.length > 8) {
    return fail(DecodeErrorCode.Unsupported, `an ANT+ data page is 8 bytes; got ${bytes.length}`);
  }
  return undefined;
}

const BATTERY_STATUS = ['reserved', 'new', 'good', 'ok', 'low', 'critical', 'reserved', 'invalid'] as const;

export const batteryStatus = (bits: number): string => BATTERY_STATUS[bits & 0x07]!;

/**
 * Common data pages 80–82 (ANT+ Common Pages rev 3.x §6): manufacturer, product, battery.
 * Returns true when `page` is one of them.
 */
export function decodeCommonPage(page: number, b: Uint8Array, out: ReadingBuilder): boolean {
  if (page === 0x50) {
    out.detail('page', page).detail('hwRevision', b[3]).detail('manufacturerId', u16le(b, 4));
    out.detail('modelNumber', u16le(b, 6));
    return true;
  }
  if (page === 0x51) {
    out.detail('page', page).detail('swRevision', b[3]);
    out.detail('serialNumber', (u16le(b, 4) + u16le(b, 6) * 0x10000) >>> 0);
    return true;
  }
  if (page === 0x52) {
    out.detail('page', page);
    readBattery(out, b[7]!, b[6]!);
    return true;
  }
  return false;
}

/**
 * Battery status and voltage: bits 4–6 of the descriptive byte are the status, bits 0–3 the
 * coarse voltage (0x0f = invalid), and the fraction byte adds 1/256 V.
 */
export function readBattery(out: ReadingBuilder, descriptive: number, fraction: number): void {
  out.detail('batteryStatus', batteryStatus((descriptive >> 4) & 0x07));
  const coarse = descriptive & 0x0f;
  if (coarse !== 0x0f) out.detail('batteryVoltage', Math.round((coarse + fraction / 256) * 1000) / 1000);
}

export const unsupportedPage = (profile: string, page: number): DecodeResult =>
  fail(DecodeErrorCode.Unsupported, `${profile} data page 0x${page.toString(16).padStart(2, '0')} is not decoded`);

export { ReadingBuilder };

/** Page-toggle tracking for profiles whose byte 0 bit 7 toggles every 4 messages (HR, speed,
 * cadence): until the toggle has been seen to change, the sensor may be a legacy device whose
 * bytes 0–3 carry no page, so page-specific bytes are not trusted (ANT+ HRM profile §5.2). */
export interface ToggleState {
  lastToggle?: number;
  toggleSeen: boolean;
}

export function stepToggle(s: ToggleState, byte0: number): ToggleState {
  const t = byte0 & 0x80;
  if (s.lastToggle === undefined) return { lastToggle: t, toggleSeen: s.toggleSeen };
  return { lastToggle: t, toggleSeen: s.toggleSeen || t !== s.lastToggle };
}
