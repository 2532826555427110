import {
  createDecoder,
  DecodeErrorCode,
  isAntDeviceType,
  type Profile,
  parseCharacteristic,
} from './decoders/index.js';
import { EdgeErrorCode } from './errors.js';

/**
 * `edge decode`: one JSON line per payload, in order, through one stateful decoder:
 *   {"hex":"0648","ok":true,"sample":{"hr":72},"details":{"contact":"detected"}}
 *   {"hex":"01","ok":false,"error":{"code":"WS_EDGE_DECODE_TRUNCATED","message":"…"}}
 * Exit code 0 when every payload decoded, 1 when one did not, 2 for bad arguments.
 */
export function decodeCommand(o: {
  char?: string;
  ant?: string;
  hex: string[];
  wheelCircumference?: number;
  interval?: number;
}): { lines: string[]; exitCode: number } {
  const refuse = (code: string, message: string) => ({
    lines: [JSON.stringify({ ok: false, error: { code, message } })],
    exitCode: 2,
  });
  const usage = (message: string) => refuse(EdgeErrorCode.HexInvalid, message);
  let profile: Profile;
  if ((o.char === undefined) === (o.ant === undefined))
    return usage('give exactly one of --char <uuid16> or --ant <deviceType>');
  if (o.char !== undefined) {
    const char = parseCharacteristic(o.char);
    if (!char) {
      return refuse(
        DecodeErrorCode.UnknownProfile,
        `no decoder for characteristic ${o.char}; known: 2a37, 2a63, 2a5b, 2a53, 2ad2, 2a19`,
      );
    }
    profile = { transport: 'ble', char };
  } else {
    const type = Number(o.ant);
    if (!isAntDeviceType(type)) {
      return refuse(
        DecodeErrorCode.UnknownProfile,
        `no decoder for ANT+ device type ${o.ant}; known: 120, 11, 121, 122, 123, 17, 124`,
      );
    }
    profile = { transport: 'ant', deviceType: type };
  }
  const payloads: Buffer[] = [];
  for (const raw of o.hex) {
    const clean = raw.replace(/[\s:]/g, '').replace(/^0x/i, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(clean))
      return usage(`--hex ${JSON.stringify(raw)} is not an even number of hex digits`);
    payloads.push(Buffer.from(clean, 'hex'));
  }
  const decoder = createDecoder(profile, o.wheelCircumference ? { wheelCircumferenceMm: o.wheelCircumference } : {});
  let now = Date.now();
  let exitCode = 0;
  const lines = payloads.map((bytes) => {
    const r = decoder.decode(bytes, now);
    now += o.interval ?? 1000;
    const hex = bytes.toString('hex');
    if (!r.ok) {
      exitCode = 1;
      return JSON.stringify({ hex, ok: false, error: r.error });
    }
    return JSON.stringify({ hex, ok: true, sample: r.reading.metrics, details: r.reading.details });
  });
  return { lines, exitCode };
}
