import { crc32 } from 'node:zlib';

/**
 * On-disk record framing of the outbound queue:
 *   u32 LE payload length · u32 LE CRC-32 of the payload · payload
 *   payload = u16 LE topic length · topic (UTF-8) · f64 LE seq · body (the MQTT payload)
 * A record whose length runs past the end of the file or whose CRC does not match is a torn
 * write (the agent died mid-append) and ends the segment.
 */
export interface StoredRecord {
  topic: string;
  seq: number;
  body: Buffer;
}

const HEADER = 8;

export function encodeRecord(topic: string, seq: number, body: Buffer): Buffer {
  const topicBytes = Buffer.from(topic, 'utf8');
  const payloadLen = 2 + topicBytes.length + 8 + body.length;
  const out = Buffer.allocUnsafe(HEADER + payloadLen);
  out.writeUInt32LE(payloadLen, 0);
  out.writeUInt16LE(topicBytes.length, HEADER);
  topicBytes.copy(out, HEADER + 2);
  out.writeDoubleLE(seq, HEADER + 2 + topicBytes.length);
  body.copy(out, HEADER + 2 + topicBytes.length + 8);
  out.writeUInt32LE(crc32(out.subarray(HEADER)) >>> 0, 4);
  return out;
}

export interface ParsedSegment {
  records: StoredRecord[];
  /** Bytes of valid records; anything after is torn or corrupt. */
  validBytes: number;
  torn: boolean;
}

export function parseSegment(buf: Buffer): ParsedSegment {
  const records: StoredRecord[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 10 || off + HEADER + len > buf.length) break;
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(payload) >>> 0 !== buf.readUInt32LE(off + 4)) break;
    const topicLen = payload.readUInt16LE(0);
    if (2 + topicLen + 8 > len) break;
    const topic = payload.toString('utf8', 2, 2 + topicLen);
    const seq = payload.readDoubleLE(2 + topicLen);
    records.push({ topic, seq, body: payload.subarray(2 + topicLen + 8) });
    off += HEADER + len;
  }
  return { records, validBytes: off, torn: off !== buf.length };
}

/** Ack files are a list of u32 LE record indices; a torn trailing entry is ignored. */
export function parseAcks(buf: Buffer): Set<number> {
  const acked = new Set<number>();
  for (let off = 0; off + 4 <= buf.length; off += 4) acked.add(buf.readUInt32LE(off));
  return acked;
}
