import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

/**
 * A raw MQTT 3.1.1 connection for what mqtt.js will not send: an empty client id, a packet that
 * announces more than the limit, silence instead of PINGREQ.
 */
export class RawClient {
  readonly packets: Packet[] = [];
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private waiters: (() => void)[] = [];
  closed = false;
  readonly closedAt: Promise<number>;

  private constructor(readonly socket: Socket) {
    this.parser.on('packet', (p) => {
      this.packets.push(p);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('data', (b) => this.parser.parse(b));
    socket.on('error', () => {});
    this.closedAt = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        for (const w of this.waiters.splice(0)) w();
        resolve(Date.now());
      }),
    );
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet));
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** Resolves with the next packet of `cmd`, or undefined if the connection closes first. */
  async next(cmd: Packet['cmd'], timeoutMs = 10_000): Promise<Packet | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.packets.findIndex((p) => p.cmd === cmd);
      if (i >= 0) return this.packets.splice(i, 1)[0];
      if (this.closed) return undefined;
      if (Date.now() > deadline) throw new Error(`no ${cmd} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  connect(o: { clientId: string; username?: string; password?: string; keepalive?: number; clean?: boolean }) {
    if (o.clientId === '' && o.clean === false) {
      // mqtt-packet refuses to encode this [MQTT-3.1.3-7]; a misbehaving client can still send it.
      this.write(emptyIdPersistentConnect(o.username ?? '', o.password ?? '', o.keepalive ?? 30));
      return;
    }
    this.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: o.clean ?? true,
      clientId: o.clientId,
      keepalive: o.keepalive ?? 30,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: Buffer.from(o.password) }),
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

/** CONNECT with a zero-length client id and CleanSession=0, encoded by hand (§3.1). */
function emptyIdPersistentConnect(username: string, password: string, keepalive: number): Buffer {
  const ka = Buffer.alloc(2);
  ka.writeUInt16BE(keepalive);
  const flags = 0x80 | 0x40; // username, password; CleanSession 0
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, flags]), ka, str(''), str(username), str(password)]);
  if (body.length > 127) {
    const len = [];
    let n = body.length;
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      len.push(b);
    } while (n > 0);
    return Buffer.concat([Buffer.from([0x10, ...len]), body]);
  }
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}
