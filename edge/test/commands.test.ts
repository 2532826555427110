import { describe, expect, it } from 'vitest';
import { CommandReader } from '../src/publish/commands.js';

const cmd = (id: string, type = 'ping') => Buffer.from(JSON.stringify({ id, type, ts: 1764000000000 }));

describe('CommandReader', () => {
  it('accepts a valid command once and reports redeliveries of its id as duplicates', () => {
    const r = new CommandReader();
    expect(r.read(cmd('a'))).toEqual({ ok: true, command: { id: 'a', type: 'ping', ts: 1764000000000 } });
    expect(r.read(cmd('a', 'flush'))).toMatchObject({ ok: false, duplicate: true });
  });

  it('refuses what is not an EdgeCommand with a reason', () => {
    const r = new CommandReader();
    expect(r.read(Buffer.from('{'))).toEqual({ ok: false, duplicate: false, reason: 'not JSON (1 bytes)' });
    const unknown = r.read(Buffer.from('{"id":"x","type":"reboot","ts":1}'));
    expect(unknown).toMatchObject({ ok: false, duplicate: false });
    expect(unknown.ok === false && !unknown.duplicate && unknown.reason).toContain('type');
  });

  it('remembers only the latest ids, so memory stays bounded', () => {
    const r = new CommandReader(3);
    for (const id of ['a', 'b', 'c', 'd']) expect(r.read(cmd(id)).ok).toBe(true);
    expect(r.read(cmd('d')).ok).toBe(false);
    expect(r.read(cmd('a')).ok).toBe(true); // forgotten after three newer ids
  });
});
