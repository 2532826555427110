/**
 * The few MQTT 3.1.1 packets a load generator needs, encoded and decoded by hand so the generator
 * costs far less CPU than the brokers it loads (MQTT.js spends several µs per publish). Bytes on
 * the wire are plain MQTT 3.1.1 (OASIS standard, §2–3); brokers under test are real.
 */

/** Remaining Length, §2.2.3: 7 bits per byte, high bit = more. */
function encodeLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

/** CONNECT, §3.1: protocol level 4, clean session, optional username/password. */
export function connectPacket(o: {
  clientId: string;
  username?: string;
  password?: string;
  keepaliveS?: number;
}): Buffer {
  let flags = 0x02; // [MQTT-3.1.2-6] clean session
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const ka = Buffer.alloc(2);
  ka.writeUInt16BE(o.keepaliveS ?? 60);
  const body = Buffer.concat([
    str('MQTT'),
    Buffer.from([4, flags]),
    ka,
    str(o.clientId),
    ...(o.username !== undefined ? [str(o.username)] : []),
    ...(o.password !== undefined ? [str(o.password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10]), encodeLength(body.length), body]);
}

/** PUBLISH QoS 1, §3.3: the topic part is built once per topic and reused. */
export function topicPart(topic: string): Buffer {
  return str(topic);
}

export function publishQos1(topic: Buffer, packetId: number, payload: Buffer): Buffer {
  const rl = topic.length + 2 + payload.length;
  const lenBytes = encodeLength(rl);
  const out = Buffer.allocUnsafe(1 + lenBytes.length + rl);
  out[0] = 0x32; // PUBLISH, QoS 1, no DUP, no RETAIN
  lenBytes.copy(out, 1);
  let o = 1 + lenBytes.length;
  topic.copy(out, o);
  o += topic.length;
  out.writeUInt16BE(packetId, o);
  payload.copy(out, o + 2);
  return out;
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);

export type Incoming =
  | { type: 'connack'; returnCode: number }
  | { type: 'puback'; packetId: number }
  | { type: 'other'; packetType: number };

/**
 * Splits a byte stream into packets (fixed header + Remaining Length) and decodes the ones a
 * publisher receives; anything else is reported by type.
 */
export class PacketReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, on: (p: Incoming) => void): void {
    let buf = this.buf.length > 0 ? Buffer.concat([this.buf, chunk]) : chunk;
    let i = 0;
    for (;;) {
      if (buf.length - i < 2) break;
      let mult = 1;
      let len = 0;
      let j = i + 1;
      let complete = false;
      for (; j < buf.length && j < i + 5; j++) {
        const b = buf[j] as number;
        len += (b & 0x7f) * mult;
        mult *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      const start = j + 1;
      if (buf.length - start < len) break;
      const type = (buf[i] as number) >> 4;
      if (type === 4) on({ type: 'puback', packetId: buf.readUInt16BE(start) });
      else if (type === 2) on({ type: 'connack', returnCode: buf[start + 1] as number });
      else on({ type: 'other', packetType: type });
      i = start + len;
    }
    buf = buf.subarray(i);
    this.buf = buf.length > 0 ? Buffer.from(buf) : Buffer.alloc(0);
  }
}
