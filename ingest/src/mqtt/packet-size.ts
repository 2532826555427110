import type { Duplex } from 'node:stream';

const HEADER = 0;
const LENGTH = 1;
const BODY = 2;
const OFF = 3;

/**
 * Maximum packet size, enforced on the byte stream before aedes' parser sees it. aedes has no
 * limit of its own: its parser buffers a PUBLISH until the whole Remaining Length has arrived,
 * so a client announcing 64 MiB would make it buffer 64 MiB. This guard follows the MQTT
 * framing (fixed header byte, Remaining Length as a variable byte integer, §2.2.3) in every chunk
 * aedes reads and closes the connection as soon as a packet announces more than `maxBytes`
 * (fixed header included, as MQTT 5's Maximum Packet Size counts it), before its body arrives.
 *
 * It wraps the connection's own `read()`, which aedes calls for every chunk (the stream is
 * consumed in paused mode), so nothing is copied and no stream is added. Other connections are
 * unaffected: each has its own guard.
 */
export function guardPacketSize(conn: Duplex, maxBytes: number, onOversize: (announced: number) => void): void {
  let state = HEADER;
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  const read = conn.read;

  const scan = (chunk: Buffer): boolean => {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (state === BODY) {
        const take = Math.min(remaining, n - i);
        i += take;
        remaining -= take;
        if (remaining === 0) state = HEADER;
      } else if (state === HEADER) {
        i++;
        state = LENGTH;
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
      } else if (state === LENGTH) {
        const b = chunk[i++] as number;
        length += (b & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if ((b & 0x80) === 0) {
          const total = 1 + lengthBytes + length;
          if (total > maxBytes) {
            onOversize(total);
            return false;
          }
          remaining = length;
          state = remaining === 0 ? HEADER : BODY;
        } else if (lengthBytes === 4) {
          // Malformed Remaining Length (§1.5.5): aedes' parser reports it and closes.
          state = OFF;
          return true;
        }
      } else {
        return true;
      }
    }
    return true;
  };

  conn.read = function guardedRead(this: Duplex, size?: number) {
    const chunk = read.call(this, size) as Buffer | null;
    if (chunk === null || state === OFF || !Buffer.isBuffer(chunk)) return chunk;
    if (scan(chunk)) return chunk;
    state = OFF;
    this.destroy();
    return null;
  } as Duplex['read'];
}
