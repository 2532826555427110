import type { Catalog } from './catalog.js';

const friend = (name: string | undefined) => name ?? 'Ваш друг';

export const ru: Catalog = {
  locale: 'ru',
  kinds: {
    'friend.ride.started': (p) => ({
      title: `${friend(p.actorName)} начал(а) заезд`,
      body: `${friend(p.actorName)} сейчас в седле${p.activityTitle ? `: ${p.activityTitle}` : ''}. Смотрите в прямом эфире.`,
    }),
    'friend.ride.completed': (p, f) => ({
      title: `${friend(p.actorName)} завершил(а) заезд`,
      body: [
        `${friend(p.actorName)} проехал(а)${p.activityTitle ? ` «${p.activityTitle}»` : ''}`,
        [f.km(p.distanceM), f.duration(p.durationS), p.kj === undefined ? '' : `${f.number(p.kj)} кДж`]
          .filter(Boolean)
          .join(', '),
      ]
        .filter(Boolean)
        .join(': '),
    }),
    'session.summary.ready': (p, f) => ({
      title: 'Итоги тренировки готовы',
      body: [f.km(p.distanceM), f.duration(p.durationS), p.load === undefined ? '' : `TSS ${f.number(p.load)}`]
        .filter(Boolean)
        .join(', '),
    }),
    'workout.assigned': (p) => ({
      title: 'Тренер назначил вам тренировку',
      body: `«${p.workoutName ?? 'Тренировка'}»${p.date ? ` на ${p.date}` : ''}.`,
    }),
    'follow.requested': (p) => ({
      title: `${p.followerName ?? 'Кто-то'} хочет подписаться на вас`,
      body: 'Примите или отклоните запрос в приложении.',
    }),
    'integration.sync.failed': (p) => ({
      title: `Не удалось синхронизироваться с ${p.provider ?? 'сервисом'}`,
      body: `${p.errorMessage ?? 'Сервис отклонил синхронизацию.'}${
        p.retryable === false ? ` Подключите ${p.provider ?? 'сервис'} заново в настройках.` : ' Мы попробуем ещё раз.'
      }`,
    }),
    'gear.service.due': (p, f) => ({
      title: `Пора обслужить: ${p.gearName ?? 'снаряжение'}`,
      body: `${f.km(p.sinceServiceM)} с последнего обслуживания${
        p.serviceEveryM === undefined ? '' : ` (интервал — ${f.km(p.serviceEveryM)})`
      }.`,
    }),
  },
  email: {
    greeting: (name) => (name ? `Здравствуйте, ${name}!` : 'Здравствуйте!'),
    open: 'Открыть в Wattstream',
    footer: 'Вы получили это письмо согласно настройкам уведомлений.',
    settings: 'Изменить настройки уведомлений',
    digestSubject: (n) => {
      const rules = new Intl.PluralRules('ru');
      const word = { one: 'новость', few: 'новости', many: 'новостей', other: 'новости' }[
        rules.select(n) as 'one' | 'few' | 'many' | 'other'
      ];
      return `Сводка Wattstream: ${n} ${word}`;
    },
    digestIntro: () => 'Вот что произошло с прошлой сводки:',
  },
};
