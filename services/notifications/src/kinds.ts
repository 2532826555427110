import type { NotificationChannel, NotificationKind, PreferencesUpdate } from '@wattstream/contracts';

export interface KindRule {
  /** low: its e-mails go into the digest (unless the user turned the digest off). */
  priority: 'normal' | 'low';
  /** Channels the kind goes to unless the user's preferences say otherwise. */
  channels: readonly NotificationChannel[];
}

/**
 * Defaults per kind (the product issue): a friend starting a ride is a live notification; a
 * friend finishing one is an e-mail and a live notification. Webhooks get every kind — they only
 * matter to users who registered an endpoint.
 */
export const KIND_RULES: Readonly<Record<NotificationKind, KindRule>> = {
  'friend.ride.started': { priority: 'low', channels: ['live', 'webhook'] },
  'friend.ride.completed': { priority: 'normal', channels: ['live', 'email', 'webhook'] },
  'session.summary.ready': { priority: 'low', channels: ['live', 'email', 'webhook'] },
  'workout.assigned': { priority: 'normal', channels: ['live', 'email', 'webhook'] },
  'follow.requested': { priority: 'normal', channels: ['live', 'email', 'webhook'] },
  'integration.sync.failed': { priority: 'normal', channels: ['live', 'email', 'webhook'] },
  'gear.service.due': { priority: 'normal', channels: ['live', 'email', 'webhook'] },
};

export const DEFAULT_PREFERENCES: PreferencesUpdate = {
  channels: { live: true, email: true, webhook: true },
  kinds: {},
  quietHours: null,
  digest: 'daily',
};

/** The channels a kind goes to for a user: the channel switch, then the kind's override, then the default. */
export function channelsFor(prefs: PreferencesUpdate, kind: NotificationKind): NotificationChannel[] {
  const rule = KIND_RULES[kind];
  const override = prefs.kinds[kind] ?? {};
  return (['live', 'email', 'webhook'] as const).filter(
    (c) => prefs.channels[c] && (override[c] ?? rule.channels.includes(c)),
  );
}
