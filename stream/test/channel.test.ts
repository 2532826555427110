import { describe, expect, it } from 'vitest';
import { Channel } from '../src/live/channel.js';

const f = (seq: number) => Buffer.from(String(seq));
const seqs = (frames: Buffer[]) => frames.map((b) => Number(b.toString()));

describe('live channel history', () => {
  it('replays frames after since, in order, and flags a gap when the history does not reach back', () => {
    const ch = new Channel('athlete:a', 60_000, 100);
    const t0 = 1_000_000;
    for (let s = 1; s <= 10; s++) ch.push(s, t0 + s * 250, `{"seq":${s}}`, f(s));
    expect(seqs(ch.since(7, t0 + 3000).frames)).toEqual([8, 9, 10]);
    expect(ch.since(7, t0 + 3000).gap).toBe(false);
    expect(ch.since(10, t0 + 3000)).toEqual({ frames: [], gap: false });
    // 61 s later the early frames are outside the window
    const later = t0 + 61_500;
    expect(ch.since(0, later).gap).toBe(true);
    ch.expire(later);
    expect(ch.history.length).toBeLessThan(10);
  });

  it('replaces history from a repeated seq (a worker restarted from older state)', () => {
    const ch = new Channel('athlete:a', 60_000, 100);
    for (let s = 1; s <= 6; s++) ch.push(s, 1000 + s, '{}', f(s));
    ch.push(4, 2000, '{"again":true}', f(40));
    expect(seqs(ch.since(0, 2000).frames)).toEqual([1, 2, 3, 40]);
    expect(ch.latestSeq).toBe(4);
    expect(ch.latestRaw).toBe('{"again":true}');
  });

  it('keeps at most about maxEntries frames', () => {
    const ch = new Channel('athlete:a', 60_000, 100);
    for (let s = 1; s <= 1000; s++) ch.push(s, 5000, '{}', f(s));
    expect(ch.history.length).toBeLessThanOrEqual(125);
    expect(ch.history.at(-1)?.seq).toBe(1000);
  });
});
