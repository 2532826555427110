/**
 * ANT serial messages as the USB stick delivers them (ANT Message Protocol and Usage rev 5.1 §7):
 *   A4 · length · message id · payload[length] · checksum (XOR of every preceding byte)
 * Broadcast (0x4E), acknowledged (0x4F) and burst (0x50) data carry the channel number and an
 * 8-byte data page; with extended messages enabled (lib config 0xE0, as ant-plus sets it) a flag
 * byte follows: 0x80 = channel ID (device number u16 LE, device type, transmission type),
 * 0x40 = RSSI (measurement type 0x20, RSSI s8, threshold s8).
 */
export const ANT_SYNC = 0xa4;
export const MSG_BROADCAST = 0x4e;
export const MSG_ACKNOWLEDGED = 0x4f;
export const MSG_BURST = 0x50;
export const MSG_CHANNEL_EVENT = 0x40;

export interface AntDataFrame {
  channel: number;
  messageId: number;
  data: Uint8Array;
  deviceNumber?: number;
  deviceType?: number;
  transmissionType?: number;
  rssi?: number;
}

export type FrameResult = { ok: true; frame: AntDataFrame } | { ok: false; reason: string };

export function checksum(bytes: Uint8Array, end = bytes.length): number {
  let c = 0;
  for (let i = 0; i < end; i++) c ^= bytes[i]!;
  return c;
}

/** Parses one data message; anything else (channel events, malformed bytes) is `ok: false`. */
export function parseDataFrame(buf: Uint8Array): FrameResult {
  if (buf.length < 4 || buf[0] !== ANT_SYNC) return { ok: false, reason: 'no sync byte' };
  const len = buf[1]!;
  if (buf.length < len + 4) return { ok: false, reason: `truncated: length ${len}, ${buf.length - 4} payload bytes` };
  if (checksum(buf, len + 3) !== buf[len + 3]) return { ok: false, reason: 'checksum mismatch' };
  const messageId = buf[2]!;
  if (messageId !== MSG_BROADCAST && messageId !== MSG_ACKNOWLEDGED && messageId !== MSG_BURST) {
    return { ok: false, reason: `not a data message (0x${messageId.toString(16)})` };
  }
  if (len < 9) return { ok: false, reason: 'data message shorter than channel + 8 bytes' };
  const frame: AntDataFrame = { channel: buf[3]! & 0x1f, messageId, data: buf.subarray(4, 12) };
  if (len > 9) {
    const flag = buf[12]!;
    let off = 13;
    if (flag & 0x80 && len >= 9 + 1 + 4) {
      frame.deviceNumber = buf[off]! | (buf[off + 1]! << 8);
      frame.deviceType = buf[off + 2]! & 0x7f; // bit 7 is the pairing bit
      frame.transmissionType = buf[off + 3]!;
      off += 4;
    }
    if (flag & 0x40 && off + 3 <= len + 3 && buf[off] === 0x20) {
      frame.rssi = (buf[off + 1]! << 24) >> 24;
    }
  }
  return { ok: true, frame };
}

/** Builds a broadcast data frame with extended channel ID and RSSI, as a USB stick sends it. */
export function buildBroadcastFrame(
  channel: number,
  page: Uint8Array,
  id?: { deviceNumber: number; deviceType: number; transmissionType?: number; rssi?: number },
): Buffer {
  const payload = [channel, ...page];
  if (id) {
    payload.push(0xc0, id.deviceNumber & 0xff, id.deviceNumber >> 8, id.deviceType, id.transmissionType ?? 0x01);
    payload.push(0x20, (id.rssi ?? -60) & 0xff, -84 & 0xff);
  }
  return buildMessage(MSG_BROADCAST, payload);
}

/** One ANT message: sync byte, length, id, payload, XOR checksum. */
export function buildMessage(messageId: number, payload: number[]): Buffer {
  const msg = [ANT_SYNC, payload.length, messageId, ...payload];
  msg.push(checksum(Uint8Array.from(msg)));
  return Buffer.from(msg);
}
