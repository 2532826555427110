import { appendFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskQueue, queueDepthOnDisk } from '../src/queue/disk-queue.js';

const dirs: string[] = [];
const fresh = () => {
  const d = tempDir('edge-queue');
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const topic = (dev: string) => `v1/samples/ath-1/${dev}`;
const body = (n: number) => Buffer.from(JSON.stringify({ seq: n, samples: [{ ts: 1_764_000_000_000 + n, hr: 100 }] }));

function drain(q: DiskQueue) {
  const out = [];
  for (let r = q.next(); r; r = q.next()) out.push(r);
  return out;
}

describe('DiskQueue', () => {
  it('hands out only committed records, in append order, and forgets them after ack', async () => {
    const q = DiskQueue.open({ dir: fresh(), budgetBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) q.append(topic('d1'), i, body(i));
    expect(q.next()).toBeUndefined(); // not committed yet: never publish what a crash could lose
    await q.commit();
    const recs = drain(q);
    expect(recs.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(JSON.parse(recs[2]!.body.toString()).seq).toBe(2);
    expect(q.depth).toBe(5);
    for (const r of recs) q.ack(r);
    expect(q.depth).toBe(0);
    await q.close();
  });

  it('after a crash (no close) replays exactly the unacknowledged records in order and recovers seq', async () => {
    const dir = fresh();
    const q = DiskQueue.open({ dir, budgetBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) q.append(topic(i % 2 ? 'odd' : 'even'), i, body(i));
    await q.commit();
    const recs = drain(q);
    for (const r of recs.slice(0, 4)) q.ack(r);
    await q.commit(); // flushes the ack file (no fsync needed: a lost ack is only a redelivery)
    // crash: the process dies without close(); a fresh instance reads the folder
    const q2 = DiskQueue.open({ dir, budgetBytes: 1 << 20 });
    expect(q2.depth).toBe(6);
    expect(drain(q2).map((r) => r.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(q2.lastSeq('even')).toBe(8);
    expect(q2.lastSeq('odd')).toBe(9);
    expect(queueDepthOnDisk(dir).batches).toBe(6);
    await q2.close();
  });

  it('truncates a torn trailing record and keeps everything before it', async () => {
    const dir = fresh();
    const q = DiskQueue.open({ dir, budgetBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) q.append(topic('d1'), i, body(i));
    await q.commit();
    const seg = readdirSync(dir).find((f) => f.endsWith('.seg'))!;
    appendFileSync(join(dir, seg), Buffer.from([0x40, 0, 0, 0, 1, 2, 3])); // half a record
    const q2 = DiskQueue.open({ dir, budgetBytes: 1 << 20 });
    expect(drain(q2).map((r) => r.seq)).toEqual([0, 1, 2]);
    q2.append(topic('d1'), 3, body(3));
    await q2.commit();
    expect(drain(q2).map((r) => r.seq)).toEqual([3]);
    await q2.close();
  });

  it('deletes fully acknowledged segments and still never reuses a seq', async () => {
    const dir = fresh();
    const q = DiskQueue.open({ dir, budgetBytes: 64 * 1024, segmentBytes: 4096 });
    for (let i = 0; i < 200; i++) {
      q.append(topic('d1'), i, body(i));
      if (i % 10 === 9) await q.commit();
    }
    await q.commit();
    for (const r of drain(q)) q.ack(r);
    expect(q.depth).toBe(0);
    // only the active segment (if any) is left on disk
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeLessThanOrEqual(1);
    const q2 = DiskQueue.open({ dir, budgetBytes: 64 * 1024, segmentBytes: 4096 });
    expect(q2.lastSeq('d1')).toBe(199);
    await q2.close();
    await q.close();
  });

  it('drops the oldest batches when the disk budget is exceeded, loudly and counted', async () => {
    const dir = fresh();
    const drops: number[] = [];
    const q = DiskQueue.open({
      dir,
      budgetBytes: 16 * 1024,
      segmentBytes: 4096,
      onDrop: (n) => drops.push(n),
    });
    for (let i = 0; i < 1000; i++) q.append(topic('d1'), i, body(i));
    await q.commit();
    expect(q.bytes).toBeLessThanOrEqual(16 * 1024);
    const dropped = drops.reduce((a, b) => a + b, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(q.droppedBatches).toBe(dropped);
    const seqs = drain(q).map((r) => r.seq);
    // what is left is the newest, contiguous and in order
    expect(seqs[0]).toBe(dropped);
    expect(seqs.at(-1)).toBe(999);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => dropped + k));
    await q.close();
  });

  it('rewind() resends everything unacknowledged from the oldest', async () => {
    const q = DiskQueue.open({ dir: fresh(), budgetBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 0; i < 100; i++) q.append(topic('d1'), i, body(i));
    await q.commit();
    const first = drain(q);
    for (const r of first.filter((r) => r.seq % 3 === 0)) q.ack(r);
    q.rewind();
    const again = drain(q).map((r) => r.seq);
    expect(again).toEqual(first.map((r) => r.seq).filter((s) => s % 3 !== 0));
    await q.close();
  });
});
