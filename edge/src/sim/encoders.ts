import type { AthleteState } from './athlete.js';

/** Bytes as real sensors send them, built from the simulated state (inverse of the decoders). */

/** Heart Rate Measurement 0x2A37: contact detected, uint8 HR, RR intervals since last time. */
export function encodeHeartRateMeasurement(s: AthleteState, lastBeat: { t: number | undefined }): Buffer {
  const rr: number[] = [];
  for (const b of s.beats) {
    if (lastBeat.t !== undefined) rr.push(Math.round((b - lastBeat.t) * 1024));
    lastBeat.t = b;
  }
  const out = Buffer.alloc(2 + 2 * Math.min(rr.length, 9));
  out[0] = 0x06 | (rr.length > 0 ? 0x10 : 0);
  out[1] = Math.max(0, Math.min(255, Math.round(s.hr)));
  const last = rr.slice(-9);
  for (let i = 0; i < last.length; i++) out.writeUInt16LE(last[i]! & 0xffff, 2 + 2 * i);
  return out.subarray(0, rr.length > 0 ? out.length : 2);
}

/** Cycling Power Measurement 0x2A63 with wheel (1/2048 s) and crank (1/1024 s) revolution data. */
export function encodeCyclingPowerMeasurement(s: AthleteState): Buffer {
  const out = Buffer.alloc(14);
  out.writeUInt16LE(0x0030, 0);
  out.writeInt16LE(Math.min(0x7fff, s.power), 2);
  out.writeUInt32LE(Math.floor(s.wheelRevs) >>> 0, 4);
  out.writeUInt16LE(Math.floor(s.lastWheelEvent * 2048) & 0xffff, 8);
  out.writeUInt16LE(Math.floor(s.crankRevs) & 0xffff, 10);
  out.writeUInt16LE(Math.floor(s.lastCrankEvent * 1024) & 0xffff, 12);
  return out;
}

/** ANT+ HR page 4 (previous beat time), toggle bit flipping every 4 messages. */
export function encodeAntHeartRate(
  s: AthleteState,
  st: { count: number; beatTime: number; prevBeat: number; msg: number },
): Buffer {
  for (const b of s.beats) {
    st.prevBeat = st.beatTime;
    st.beatTime = Math.floor(b * 1024) & 0xffff;
    st.count = (st.count + 1) & 0xff;
  }
  const toggle = Math.floor(st.msg++ / 4) % 2 ? 0x80 : 0;
  const out = Buffer.alloc(8);
  out[0] = 0x04 | toggle;
  out[1] = 0xff;
  out.writeUInt16LE(st.prevBeat, 2);
  out.writeUInt16LE(st.beatTime, 4);
  out[6] = st.count;
  out[7] = Math.round(s.hr);
  return out;
}

/** ANT+ FE-C trainer: page 0x10 (speed, distance, elapsed) and 0x19 (cadence, power) alternate. */
export function encodeAntFec(s: AthleteState, st: { msg: number; events: number; accPower: number }): Buffer {
  const out = Buffer.alloc(8);
  if (st.msg++ % 2 === 0) {
    out[0] = 0x10;
    out[1] = 25; // trainer
    out[2] = Math.floor(s.t * 4) & 0xff;
    out[3] = Math.floor(s.distance) & 0xff;
    out.writeUInt16LE(Math.min(0xfffe, Math.round(s.speed * 1000)), 4);
    out[6] = 0xff;
    out[7] = 0x34; // in use, distance enabled
  } else {
    st.events = (st.events + 1) & 0xff;
    st.accPower = (st.accPower + s.power) & 0xffff;
    out[0] = 0x19;
    out[1] = st.events;
    out[2] = Math.min(254, Math.round(s.cadence));
    out.writeUInt16LE(st.accPower, 3);
    const p = Math.min(0xffe, s.power);
    out[5] = p & 0xff;
    out[6] = (p >> 8) & 0x0f;
    out[7] = 0x30;
  }
  return out;
}
