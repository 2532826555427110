import { CoachLinkUpdated, compile, type GroupUpdated, kafkaTopics, parseLiveChannel } from '@wattstream/contracts';
import { TopicReader } from '@wattstream/kernel';
import type { KafkaClient, Logger } from '@wattstream/platform';
import type { UserClaims } from '../token.js';

const validateLink = compile(CoachLinkUpdated);

/**
 * Who may watch whom live. An admin watches everyone; anyone watches themselves and the athletes
 * their token names (`watch`, the development tokens of `stream token`); a coach watches the
 * athletes they coach — learnt from `user.coach.link.updated`, so a link that ends stops the watch
 * at once, without waiting for the coach's token to expire. A group's channel is open to its
 * members and to whoever may watch one of them.
 */
export class WatchAccess {
  /** coachId → athletes they coach, with the time of the latest change per pair */
  private readonly coached = new Map<string, Map<string, number>>();
  private readonly changes = new Map<string, number>();
  private reader: TopicReader | undefined;
  /** Called after a link changed: the hub re-checks open subscriptions. */
  onChange: (() => void) | undefined;

  /** Applies one link event; the latest change of a pair wins (events may be replayed). */
  applyLink(e: CoachLinkUpdated): void {
    const pair = `${e.coachId}\u0000${e.athleteId}`;
    if ((this.changes.get(pair) ?? -1) > e.updatedAt) return;
    this.changes.set(pair, e.updatedAt);
    let athletes = this.coached.get(e.coachId);
    if (!athletes) {
      athletes = new Map();
      this.coached.set(e.coachId, athletes);
    }
    if (e.active) athletes.set(e.athleteId, e.updatedAt);
    else athletes.delete(e.athleteId);
    this.onChange?.();
  }

  mayWatchAthlete(claims: UserClaims, athleteId: string): boolean {
    if (claims.roles.includes('admin')) return true;
    if (claims.sub === athleteId || claims.watch.includes(athleteId)) return true;
    return claims.roles.includes('coach') && (this.coached.get(claims.sub)?.has(athleteId) ?? false);
  }

  mayWatchGroup(claims: UserClaims, group: Pick<GroupUpdated, 'members'>): boolean {
    if (claims.roles.includes('admin')) return true;
    return group.members.some((m) => m === claims.sub || this.mayWatchAthlete(claims, m));
  }

  /** May `claims` follow channel `name` (`athlete:<id>` / `group:<id>`)? */
  allowed(
    claims: UserClaims,
    name: string,
    groupOf: (id: string) => Pick<GroupUpdated, 'members'> | undefined,
  ): boolean {
    const c = parseLiveChannel(name);
    if (c === null) return false;
    if (c.kind === 'athlete') return this.mayWatchAthlete(claims, c.id);
    const g = groupOf(c.id);
    return g !== undefined && this.mayWatchGroup(claims, g);
  }

  /** Follows the coach links; resolves once what was there at start has been read (or after 10 s). */
  async start(kafka: KafkaClient, topic: string, instance: string, logger: Logger): Promise<boolean> {
    this.reader = new TopicReader(kafka, topic, `live-coach-links-${instance}`, logger, (_key, value) => {
      if (value === null) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.toString('utf8'));
      } catch {
        return;
      }
      const r = validateLink.validate(parsed);
      if (r.ok) this.applyLink(r.value);
    });
    await this.reader.start();
    return this.reader.caughtUp(10_000);
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
  }
}

export const COACH_LINKS_TOPIC = kafkaTopics.coachLinkUpdated.name;
