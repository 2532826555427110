import { ok, ReadingBuilder } from './normalize.js';
import { Reader, safely } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

/** Battery Level 0x2A19 (Battery Service 0x180F; BAS v1.0 §3.1): uint8, percent 0–100. Stateless. */
export function decodeBatteryLevel(bytes: Uint8Array, state: null, _ctx?: DecodeContext): [DecodeResult, null] {
  return safely(state, () => {
    const level = new Reader(bytes).u8('battery level');
    const out = new ReadingBuilder();
    if (level <= 100) out.detail('batteryPercent', level);
    else out.detail('outOfRange', { batteryPercent: level });
    return [ok(out), state];
  });
}
