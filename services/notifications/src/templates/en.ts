import type { Catalog } from './catalog.js';

const friend = (name: string | undefined) => name ?? 'A friend';

export const en: Catalog = {
  locale: 'en',
  kinds: {
    'friend.ride.started': (p) => ({
      title: `${friend(p.actorName)} started a ride`,
      body: `${friend(p.actorName)} is riding now${p.activityTitle ? `: ${p.activityTitle}` : ''}. Watch live.`,
    }),
    'friend.ride.completed': (p, f) => ({
      title: `${friend(p.actorName)} finished a ride`,
      body: [
        `${friend(p.actorName)} rode${p.activityTitle ? ` "${p.activityTitle}"` : ''}`,
        [f.km(p.distanceM), f.duration(p.durationS), p.kj === undefined ? '' : `${f.number(p.kj)} kJ`]
          .filter(Boolean)
          .join(', '),
      ]
        .filter(Boolean)
        .join(': '),
    }),
    'session.summary.ready': (p, f) => ({
      title: 'Your session summary is ready',
      body: [f.km(p.distanceM), f.duration(p.durationS), p.load === undefined ? '' : `TSS ${f.number(p.load)}`]
        .filter(Boolean)
        .join(', '),
    }),
    'workout.assigned': (p) => ({
      title: 'Your coach assigned a workout',
      body: `"${p.workoutName ?? 'Workout'}"${p.date ? ` on ${p.date}` : ''}.`,
    }),
    'follow.requested': (p) => ({
      title: `${p.followerName ?? 'Someone'} wants to follow you`,
      body: 'Accept or decline the request in the app.',
    }),
    'integration.sync.failed': (p) => ({
      title: `Sync with ${p.provider ?? 'a provider'} failed`,
      body: `${p.errorMessage ?? 'The provider refused the sync.'}${
        p.retryable === false ? ` Reconnect ${p.provider ?? 'the provider'} in your settings.` : ' We will try again.'
      }`,
    }),
    'gear.service.due': (p, f) => ({
      title: `Time to service your ${p.gearName ?? 'gear'}`,
      body: `${f.km(p.sinceServiceM)} since its last service${
        p.serviceEveryM === undefined ? '' : ` (you asked to be told every ${f.km(p.serviceEveryM)})`
      }.`,
    }),
  },
  email: {
    greeting: (name) => (name ? `Hi ${name},` : 'Hi,'),
    open: 'Open in Wattstream',
    footer: 'You get this e-mail because of your notification settings.',
    settings: 'Change notification settings',
    digestSubject: (n) => `Your Wattstream digest: ${n} ${n === 1 ? 'update' : 'updates'}`,
    digestIntro: (n) => `Here ${n === 1 ? 'is what' : `are the ${n} things that`} happened since the last digest:`,
  },
};
