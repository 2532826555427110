import {
  type Audience,
  CoachLinkUpdated,
  compile,
  DEFAULT_PRIVACY,
  FollowUpdated,
  type GroupUpdated,
  kafkaTopics,
  PrivacyUpdated,
  parseLiveChannel,
} from '@wattstream/contracts';
import { TopicReader } from '@wattstream/kernel';
import type { KafkaClient, Logger } from '@wattstream/platform';
import type { UserClaims } from '../token.js';

const validateLink = compile(CoachLinkUpdated);
const validateFollow = compile(FollowUpdated);
const validatePrivacy = compile(PrivacyUpdated);

/** The topics `WatchAccess` follows. */
export interface AccessTopics {
  readonly coachLinks: string;
  readonly follows: string;
  readonly privacy: string;
}

/**
 * Who may watch whom live: a projection of social's and the users service's events, never a claim
 * of a long-lived token. Viewer V may watch athlete X iff V is X, V is an admin, or X's `live`
 * audience (`social.privacy.updated`, `DEFAULT_PRIVACY` without a record) admits V: `public` any
 * signed-in user, `friends` a follower X accepted (`social.follow.updated`) or X's coach,
 * `coach` X's coach (`user.coach.link.updated`), `nobody` only X. Each change calls `onChange`, so
 * the hub re-checks open subscriptions and a revoked permission stops the next frame. The token's
 * `watch` claim grants nothing any more. A group's channel is open to its members and to whoever
 * may watch one of them; what they see of each member is `visibleMembers`.
 */
export class WatchAccess {
  /** athleteId → coaches linked to them */
  private readonly coaches = new Map<string, Set<string>>();
  /** followeeId → followers they accepted */
  private readonly friends = new Map<string, Set<string>>();
  /** athleteId → their live audience */
  private readonly privacy = new Map<string, { live: Audience; updatedAt: number }>();
  /** latest change per coach/follow pair (events may be replayed or arrive twice) */
  private readonly changes = new Map<string, number>();
  private readers: TopicReader[] = [];
  /** Called after a permission changed: the hub re-checks open subscriptions. */
  onChange: (() => void) | undefined;

  private newer(pair: string, at: number): boolean {
    if ((this.changes.get(pair) ?? -1) > at) return false;
    this.changes.set(pair, at);
    return true;
  }

  private static setEdge(map: Map<string, Set<string>>, owner: string, other: string, on: boolean): void {
    let set = map.get(owner);
    if (on) {
      if (!set) {
        set = new Set();
        map.set(owner, set);
      }
      set.add(other);
    } else if (set) {
      set.delete(other);
      if (set.size === 0) map.delete(owner);
    }
  }

  /** Applies one coach link event; the latest change of a pair wins. */
  applyLink(e: CoachLinkUpdated): void {
    if (!this.newer(`c\u0000${e.coachId}\u0000${e.athleteId}`, e.updatedAt)) return;
    WatchAccess.setEdge(this.coaches, e.athleteId, e.coachId, e.active);
    this.onChange?.();
  }

  /** Applies one follow edge; only `accepted` makes the follower a friend of the followee. */
  applyFollow(e: FollowUpdated): void {
    if (!this.newer(`f\u0000${e.followerId}\u0000${e.followeeId}`, e.updatedAt)) return;
    WatchAccess.setEdge(this.friends, e.followeeId, e.followerId, e.state === 'accepted');
    this.onChange?.();
  }

  /** Applies an athlete's privacy settings (`null`: the record was deleted, defaults again). */
  applyPrivacy(athleteId: string, e: PrivacyUpdated | null): void {
    if (e === null) this.privacy.delete(athleteId);
    else {
      if ((this.privacy.get(e.athleteId)?.updatedAt ?? -1) > e.updatedAt) return;
      this.privacy.set(e.athleteId, { live: e.live, updatedAt: e.updatedAt });
    }
    this.onChange?.();
  }

  /** The live audience of `athleteId`. */
  liveAudience(athleteId: string): Audience {
    return this.privacy.get(athleteId)?.live ?? DEFAULT_PRIVACY.live;
  }

  mayWatchAthlete(claims: Pick<UserClaims, 'sub' | 'roles'>, athleteId: string): boolean {
    if (claims.sub === athleteId || claims.roles.includes('admin')) return true;
    const v = claims.sub;
    // a coach link counts for a coach account only (a link does not make an athlete a coach)
    const coach = () => claims.roles.includes('coach') && (this.coaches.get(athleteId)?.has(v) ?? false);
    switch (this.liveAudience(athleteId)) {
      case 'public':
        return true;
      case 'friends':
        return (this.friends.get(athleteId)?.has(v) ?? false) || coach();
      case 'coach':
        return coach();
      default:
        return false;
    }
  }

  mayWatchGroup(claims: Pick<UserClaims, 'sub' | 'roles'>, group: Pick<GroupUpdated, 'members'>): boolean {
    if (claims.roles.includes('admin')) return true;
    return group.members.some((m) => m === claims.sub || this.mayWatchAthlete(claims, m));
  }

  /** May `claims` follow channel `name` (`athlete:<id>` / `group:<id>` / `user:<id>`: own or admin)? */
  allowed(
    claims: UserClaims,
    name: string,
    groupOf: (id: string) => Pick<GroupUpdated, 'members'> | undefined,
  ): boolean {
    const c = parseLiveChannel(name);
    if (c === null) return false;
    if (c.kind === 'athlete') return this.mayWatchAthlete(claims, c.id);
    if (c.kind === 'user') return c.id === claims.sub || claims.roles.includes('admin');
    const g = groupOf(c.id);
    return g !== undefined && this.mayWatchGroup(claims, g);
  }

  /**
   * Follows coach links, follows and privacy; resolves once what was there at start has been read
   * (false if that took more than 10 s).
   */
  async start(kafka: KafkaClient, topics: AccessTopics, instance: string, logger: Logger): Promise<boolean> {
    const follow = <T>(
      topic: string,
      name: string,
      validator: { validateJson(bytes: Uint8Array): { ok: true; value: T } | { ok: false } },
      apply: (key: string, v: T | null) => void,
    ) =>
      new TopicReader(kafka, topic, `live-${name}-${instance}`, logger, (key, value) => {
        if (value === null) return apply(key, null);
        const r = validator.validateJson(value);
        if (r.ok) apply(key, r.value);
        else logger.warn({ topic, key }, 'access record ignored: not the contract');
      });
    this.readers = [
      follow(topics.coachLinks, 'coach-links', validateLink, (_k, v) => v && this.applyLink(v)),
      follow(topics.follows, 'follows', validateFollow, (_k, v) => v && this.applyFollow(v)),
      follow(topics.privacy, 'privacy', validatePrivacy, (k, v) => this.applyPrivacy(k, v)),
    ];
    await Promise.all(this.readers.map((r) => r.start()));
    const read = await Promise.all(this.readers.map((r) => r.caughtUp(10_000)));
    return read.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.stop()));
  }
}

export const COACH_LINKS_TOPIC = kafkaTopics.coachLinkUpdated.name;
