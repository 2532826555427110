import { EventEmitter } from 'node:events';
import { buildBroadcastFrame, buildMessage, MSG_CHANNEL_EVENT } from './frame.js';

const RESPONSE_NO_ERROR = 0x00;
const MESSAGE_RF = 0x01;
const EVENT_CHANNEL_CLOSED = 0x07;
const EVENT_RX_FAIL_GO_TO_SEARCH = 0x08;

interface ChannelConfig {
  deviceNumber: number;
  deviceType: number;
  open: boolean;
}

/**
 * A fake ANT+ USB stick: the USB boundary replaced by an EventEmitter with the methods
 * ant-plus's sensors call on a `USBDriver` (attach/detach bookkeeping, `write`). It answers every
 * configuration command with the channel response the real stick sends (`A4 03 40 ch msgId 00`)
 * and delivers real broadcast frames with extended channel ID and RSSI (sensors.md §2.3).
 */
export class FakeAntStick extends EventEmitter {
  maxChannels = 8;
  canScan: boolean;
  private usedChannels = 0;
  private readonly attached: unknown[] = [];
  private readonly channels = new Map<number, ChannelConfig>();
  private scanOpen = false;
  readonly written: Buffer[] = [];

  constructor(private readonly opts: { canScan?: boolean; present?: boolean; recordWrites?: boolean } = {}) {
    super();
    this.canScan = opts.canScan ?? true;
    this.setMaxListeners(0);
  }

  open(): boolean {
    if (this.opts.present === false) return false;
    setImmediate(() => this.emit('startup', Buffer.alloc(0)));
    return true;
  }
  close(): void {
    this.scanOpen = false;
    this.channels.clear();
    setImmediate(() => this.emit('shutdown'));
  }
  isScanning(): boolean {
    return this.usedChannels === -1;
  }
  // Channel bookkeeping exactly like ant-plus's USBDriver.attach/detach.
  attach(sensor: unknown, forScan: boolean): boolean {
    if (this.usedChannels < 0) return false;
    if (forScan) {
      if (this.usedChannels !== 0) return false;
      this.usedChannels = -1;
    } else {
      if (this.maxChannels <= this.usedChannels) return false;
      ++this.usedChannels;
    }
    this.attached.push(sensor);
    return true;
  }
  detach(sensor: unknown): boolean {
    const i = this.attached.indexOf(sensor);
    if (i < 0) return false;
    if (this.usedChannels < 0) this.usedChannels = 0;
    else --this.usedChannels;
    this.attached.splice(i, 1);
    return true;
  }

  write(buf: Buffer): void {
    if (this.opts.recordWrites) this.written.push(buf);
    const id = buf[2]!;
    const ch = buf[3] ?? 0;
    const respond = (msg: number, code = RESPONSE_NO_ERROR, channel = ch) =>
      setImmediate(() => this.emit('read', buildMessage(MSG_CHANNEL_EVENT, [channel, msg, code])));
    switch (id) {
      case 0x42: // assign channel
        this.channels.set(ch, { deviceNumber: 0, deviceType: 0, open: false });
        respond(id);
        break;
      case 0x51: {
        // channel id: ch, device number LE, device type, transmission type
        const c = this.channels.get(ch);
        if (c) {
          c.deviceNumber = buf[4]! | (buf[5]! << 8);
          c.deviceType = buf[6]!;
        }
        respond(id);
        break;
      }
      case 0x4b: // open
        if (this.channels.get(ch)) this.channels.get(ch)!.open = true;
        respond(id);
        break;
      case 0x5b: // open rx scan
        this.scanOpen = true;
        respond(id, RESPONSE_NO_ERROR, 0);
        break;
      case 0x4c: // close: response, then the channel-closed event
        respond(id);
        if (this.channels.get(ch)) this.channels.get(ch)!.open = false;
        if (ch === 0) this.scanOpen = false;
        setImmediate(() => respond(MESSAGE_RF, EVENT_CHANNEL_CLOSED));
        break;
      case 0x41: // unassign
        this.channels.delete(ch);
        respond(id);
        break;
      case 0x4a: // reset
      case 0x4d: // request message: we always attach with a device number, nothing to answer
      case 0x46:
        break;
      default: // 0x43 period, 0x44 search timeout, 0x45 frequency, 0x66 rx ext, 0x6e lib config
        respond(id, RESPONSE_NO_ERROR, id === 0x66 ? 0 : ch);
    }
  }

  /**
   * A sensor broadcasts one data page. Delivered on the scan channel, or on the channel that was
   * opened for this device; returns false when nothing listens (as on the air).
   */
  broadcast(deviceType: number, deviceNumber: number, page: Uint8Array, rssi = -60): boolean {
    const id = { deviceNumber, deviceType, rssi };
    if (this.scanOpen) {
      this.emit('read', buildBroadcastFrame(0, page, id));
      return true;
    }
    for (const [ch, c] of this.channels) {
      if (c.open && c.deviceType === deviceType && (c.deviceNumber === 0 || c.deviceNumber === deviceNumber)) {
        this.emit('read', buildBroadcastFrame(ch, page, id));
        return true;
      }
    }
    return false;
  }

  /** The device went out of range on an attached channel: the stick gives up and goes to search. */
  lose(deviceType: number, deviceNumber: number): void {
    for (const [ch, c] of this.channels) {
      if (c.open && c.deviceType === deviceType && c.deviceNumber === deviceNumber) {
        this.emit('read', buildMessage(MSG_CHANNEL_EVENT, [ch, MESSAGE_RF, EVENT_RX_FAIL_GO_TO_SEARCH]));
      }
    }
  }
}
