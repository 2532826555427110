import { describe, expect, it } from 'vitest';
import {
  AthleteStateSnapshot,
  compile,
  GroupDefinition,
  GroupUpdated,
  LiveClientMessage,
  LiveServerMessage,
  parseLiveChannel,
} from '../src/index.js';

const T = 1_764_000_000_000;

describe('live WebSocket protocol', () => {
  const client = compile(LiveClientMessage);
  const server = compile(LiveServerMessage);

  it('accepts the client messages and refuses malformed ones', () => {
    expect(client.validate({ type: 'auth', token: 'x.y.z' }).ok).toBe(true);
    expect(client.validate({ type: 'subscribe', channel: 'athlete:a1', since: 12 }).ok).toBe(true);
    expect(client.validate({ type: 'unsubscribe', channel: 'group:g-1' }).ok).toBe(true);
    expect(client.validate({ type: 'subscribe', channel: 'team:a1' }).ok).toBe(false);
    expect(client.validate({ type: 'subscribe', channel: 'athlete:a1', since: -1 }).ok).toBe(false);
    expect(client.validate({ type: 'publish', channel: 'athlete:a1' }).ok).toBe(false);
  });

  it('accepts the server messages', () => {
    const board = { groupId: 'g', name: 'G', rankBy: 'distance', ts: T, entries: [] };
    expect(server.validate({ type: 'subscribed', channel: 'group:g', snapshot: board, seq: 3 }).ok).toBe(true);
    expect(server.validate({ type: 'subscribed', channel: 'athlete:a', snapshot: null, seq: null }).ok).toBe(true);
    expect(server.validate({ type: 'leaderboard', channel: 'group:g', seq: 1, data: board }).ok).toBe(true);
    expect(server.validate({ type: 'error', code: 'WS_LIVE_FORBIDDEN', message: 'no' }).ok).toBe(true);
    expect(server.validate({ type: 'stats', channel: 'athlete:a', seq: 1, data: {} }).ok).toBe(false);
  });

  it('parses channel names', () => {
    expect(parseLiveChannel('athlete:a_1')).toEqual({ kind: 'athlete', id: 'a_1' });
    expect(parseLiveChannel('group:x')).toEqual({ kind: 'group', id: 'x' });
    expect(parseLiveChannel('athlete:')).toBeNull();
    expect(parseLiveChannel('athlete:a:b')).toBeNull();
  });
});

describe('groups and the stream state changelog', () => {
  it('validates group definitions', () => {
    const def = compile(GroupDefinition);
    expect(def.validate({ name: 'Ride', members: ['a', 'b'], rankBy: 'wkg' }).ok).toBe(true);
    const dup = def.validate({ name: 'Ride', members: ['a', 'a'], rankBy: 'power' });
    expect(dup.ok).toBe(false);
    const r = def.validate({ name: 'Ride', members: ['a'], rankBy: 'speed' });
    expect(r.ok ? '' : r.error.message).toContain('rankBy');
    expect(
      compile(GroupUpdated).validate({
        groupId: 'g',
        name: 'Ride',
        members: ['a'],
        rankBy: 'distance',
        updatedBy: 'coach',
        updatedAt: T,
      }).ok,
    ).toBe(true);
  });

  it('validates changelog snapshots', () => {
    const v = compile(AthleteStateSnapshot);
    expect(v.validate({ v: 1, athleteId: 'a', updatedAt: T, state: { q: 1 } }).ok).toBe(true);
    expect(v.validate({ v: 2, athleteId: 'a', updatedAt: T, state: {} }).ok).toBe(false);
  });
});
