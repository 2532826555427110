import {
  type Audience,
  compile,
  DEFAULT_PRIVACY,
  type GroupUpdated,
  LiveServerMessage,
  type StatsUpdated,
} from '@wattstream/contracts';
import { describe, expect, it } from 'vitest';
import { WatchAccess } from '../src/live/access.js';
import { Leaderboards } from '../src/live/boards.js';
import { statsRecord } from '../src/live/feed.js';
import { frames } from '../src/live/frames.js';
import type { UserClaims } from '../src/token.js';
import { testLogger } from './helpers/kafka.js';

/** The live server's parts without a socket or Kafka: frames, the feed's parsing, leaderboards, access. */
const serverMessage = compile(LiveServerMessage);
const T = 1_764_000_000_000;
const metrics = (distance: number) => ({
  power: 200,
  power3s: 200,
  power10s: 200,
  power30s: 200,
  avgPower: 190,
  maxPower: 400,
  normalizedPower: 205,
  intensity: 0.8,
  load: 10,
  kj: 100,
  hr: 140,
  avgHr: 135,
  maxHr: 170,
  hrZone: 2,
  powerZone: 3,
  timeInPowerZones: [1, 2, 3, 4, 5, 6, 7],
  wbal: 15_000,
  cadence: 90,
  speed: 9,
  distance,
  elapsedS: 600,
  movingS: 590,
});
const stats = (athleteId: string, seq: number, distance = 1000): StatsUpdated => ({
  athleteId,
  sessionId: `${athleteId}:${T}`,
  seq,
  ts: T + seq * 250,
  profileSource: 'default',
  metrics: metrics(distance),
});
const claims = (sub: string, roles: UserClaims['roles'] = ['athlete'], watch: string[] = []): UserClaims => ({
  sub,
  roles,
  watch,
  exp: 0,
});

describe('frames', () => {
  it('every frame the server builds is a LiveServerMessage of the contract', () => {
    const raw = JSON.stringify(stats('a1', 3));
    const board = JSON.stringify({ groupId: 'g', name: 'G', rankBy: 'distance', ts: T, entries: [] });
    const all = [
      frames.stats('athlete:a1', 3, raw),
      frames.leaderboard('group:g', 1, board),
      frames.subscribed('athlete:a1', raw, 3),
      frames.subscribed('athlete:a1', null, null),
      frames.subscribed('athlete:a1', raw, 3, { replayed: 2, gap: false }),
      frames.error('WS_LIVE_FORBIDDEN', 'not allowed to follow athlete:a2', 'athlete:a2'),
      frames.error('WS_LIVE_BAD_MESSAGE', 'quote " and \\ survive'),
    ];
    for (const f of all) {
      const r = serverMessage.validate(JSON.parse(f.toString('utf8')));
      expect(r.ok, f.toString('utf8').slice(0, 120)).toBe(true);
    }
  });
});

describe('stats records', () => {
  it('accepts a StatsUpdated of the key’s athlete and refuses anything that would make a broken frame', () => {
    const ok = statsRecord({ key: Buffer.from('a1'), value: Buffer.from(JSON.stringify(stats('a1', 5))) });
    expect(ok).toMatchObject({ athleteId: 'a1', seq: 5 });
    for (const [key, value] of [
      ['a1', 'not json'],
      ['a1', JSON.stringify(stats('a2', 5))],
      ['a1', JSON.stringify({ ...stats('a1', 5), seq: -1 })],
      ['bad id!', JSON.stringify(stats('a1', 5))],
    ] as const) {
      expect(statsRecord({ key: Buffer.from(key), value: Buffer.from(value) })).toBeUndefined();
    }
    expect(statsRecord({ key: Buffer.from('a1'), value: null })).toBeUndefined();
  });
});

describe('leaderboards', () => {
  it('recomputes a group once per tick when its members’ stats change, ranked, with an increasing seq', () => {
    const group: GroupUpdated = {
      groupId: 'g',
      name: 'Tuesday',
      members: ['a', 'b'],
      rankBy: 'distance',
      updatedBy: 'c',
      updatedAt: T,
    };
    const store = { groups: new Map([['g', group]]), get: (id: string) => (id === 'g' ? group : undefined) };
    const latest = new Map<string, StatsUpdated>([
      ['a', stats('a', 1, 500)],
      ['b', stats('b', 1, 900)],
    ]);
    const published: { name: string; seq: number; raw: string }[] = [];
    const boards = new Leaderboards(
      store,
      (id) => latest.get(id),
      () => 70,
      {
        publish: (name, seq, _t, raw) => published.push({ name, seq, raw }),
        flush: () => {},
      },
      testLogger,
    );
    expect(boards.tick(T)).toBe(0); // nothing changed yet
    boards.statsChanged('a');
    boards.statsChanged('b');
    boards.statsChanged('not-a-member');
    expect(boards.tick(T)).toBe(1);
    expect(JSON.parse(published[0]!.raw).entries.map((e: { athleteId: string }) => e.athleteId)).toEqual(['b', 'a']);
    latest.set('a', stats('a', 2, 2000));
    boards.statsChanged('a');
    boards.tick(T + 1000);
    expect(published.map((p) => [p.name, p.seq])).toEqual([
      ['group:g', 1],
      ['group:g', 2],
    ]);
    expect(JSON.parse(published[1]!.raw).entries[0].athleteId).toBe('a');
  });
});

describe('who may watch whom', () => {
  const none = () => undefined;
  const privacy = (athleteId: string, live: Audience, updatedAt: number) =>
    ({ athleteId, live, sessions: 'coach', location: 'coach', updatedAt }) as const;

  it('coaches their linked athletes while linked (the default audience); admins all; the watch claim grants nothing', () => {
    const access = new WatchAccess();
    let changes = 0;
    access.onChange = () => changes++;
    expect(access.allowed(claims('a1'), 'athlete:a1', none)).toBe(true);
    expect(access.allowed(claims('a1', ['athlete'], ['a3']), 'athlete:a3', none)).toBe(false);
    expect(access.allowed(claims('c1', ['coach'], ['a2']), 'athlete:a2', none)).toBe(false);
    expect(access.allowed(claims('ops', ['admin']), 'athlete:a2', none)).toBe(true);

    access.applyLink({ athleteId: 'a2', coachId: 'c1', active: true, updatedAt: 10 });
    expect(access.allowed(claims('c1', ['coach']), 'athlete:a2', none)).toBe(true);
    // a link does not make an athlete account a coach
    expect(access.allowed(claims('c1', ['athlete']), 'athlete:a2', none)).toBe(false);
    // an older event replayed after a newer one changes nothing
    access.applyLink({ athleteId: 'a2', coachId: 'c1', active: false, updatedAt: 5 });
    expect(access.mayWatchAthlete(claims('c1', ['coach']), 'a2')).toBe(true);
    access.applyLink({ athleteId: 'a2', coachId: 'c1', active: false, updatedAt: 11 });
    expect(access.mayWatchAthlete(claims('c1', ['coach']), 'a2')).toBe(false);
    expect(changes).toBe(2); // the stale event is ignored, not announced
  });

  it("follows each athlete's live audience: public, friends (accepted followers and coaches), coach, nobody", () => {
    const access = new WatchAccess();
    access.applyLink({ athleteId: 'b', coachId: 'c', active: true, updatedAt: 1 });
    access.applyFollow({ followerId: 'f', followeeId: 'b', state: 'requested', updatedAt: 1 });
    const may = (v: string, roles: UserClaims['roles'] = ['athlete']) => access.mayWatchAthlete(claims(v, roles), 'b');

    access.applyPrivacy('b', privacy('b', 'public', 1));
    expect([may('stranger'), may('f'), may('c', ['coach']), may('b')]).toEqual([true, true, true, true]);

    access.applyPrivacy('b', privacy('b', 'friends', 2));
    expect([may('stranger'), may('f'), may('c', ['coach'])]).toEqual([false, false, true]); // only requested
    access.applyFollow({ followerId: 'f', followeeId: 'b', state: 'accepted', updatedAt: 2 });
    expect(may('f')).toBe(true);
    access.applyFollow({ followerId: 'f', followeeId: 'b', state: 'blocked', updatedAt: 3 });
    expect(may('f')).toBe(false);
    access.applyFollow({ followerId: 'f', followeeId: 'b', state: 'accepted', updatedAt: 2 }); // replayed, stale
    expect(may('f')).toBe(false);

    access.applyPrivacy('b', privacy('b', 'coach', 3));
    expect([may('f'), may('c', ['coach'])]).toEqual([false, true]);
    access.applyPrivacy('b', privacy('b', 'public', 2)); // stale
    expect(may('stranger')).toBe(false);

    access.applyPrivacy('b', privacy('b', 'nobody', 4));
    expect([may('c', ['coach']), may('b'), may('ops', ['admin'])]).toEqual([false, true, true]);
    // a deleted record (tombstone) means the defaults again: coaches only
    access.applyPrivacy('b', null);
    expect(access.liveAudience('b')).toBe(DEFAULT_PRIVACY.live);
    expect(may('c', ['coach'])).toBe(true);
  });

  it('opens a group to its members and to whoever may watch one of them', () => {
    const access = new WatchAccess();
    access.applyPrivacy('a2', privacy('a2', 'public', 1));
    const group = { members: ['a2', 'a3'] };
    const groups = (id: string) => (id === 'g' ? group : undefined);
    expect(access.allowed(claims('a3'), 'group:g', groups)).toBe(true);
    expect(access.allowed(claims('x'), 'group:g', groups)).toBe(true);
    access.applyPrivacy('a2', privacy('a2', 'coach', 2));
    expect(access.allowed(claims('x'), 'group:g', groups)).toBe(false);
    expect(access.allowed(claims('x'), 'group:nope', groups)).toBe(false);
    expect(access.allowed(claims('x'), 'nonsense', groups)).toBe(false);
  });
});
