import { describe, expect, it } from 'vitest';
import { channelsFor, DEFAULT_PREFERENCES } from '../src/kinds.js';
import { renderEmail, renderText } from '../src/templates/index.js';
import { digestDue, inQuietHours, localSecondOfDay, nextLocalMinute, releaseAfterQuiet } from '../src/time.js';

// 2026-12-03T21:30:00Z = 06:30 in Tokyo (UTC+9, no DST), 00:30 in Moscow (UTC+3).
const AT = Date.UTC(2026, 11, 3, 21, 30, 0);

describe('local time in the user’s zone', () => {
  it('reads the local clock and finds the next local HH:MM', () => {
    expect(localSecondOfDay(AT, 'Asia/Tokyo')).toBe(6 * 3600 + 30 * 60);
    expect(localSecondOfDay(AT, 'Europe/Moscow')).toBe(30 * 60);
    expect(localSecondOfDay(AT, 'Not/AZone')).toBe(21 * 3600 + 30 * 60); // unknown: UTC
    expect(nextLocalMinute(AT, 'Asia/Tokyo', 7 * 60)).toBe(AT + 30 * 60_000);
    expect(nextLocalMinute(AT, 'Asia/Tokyo', 6 * 60)).toBe(AT + 23.5 * 3_600_000);
  });

  it('holds until the end of quiet hours that span midnight, and not outside them', () => {
    const quiet = { start: 22 * 60, end: 7 * 60 };
    expect(inQuietHours(AT, 'Asia/Tokyo', quiet.start, quiet.end)).toBe(true);
    expect(releaseAfterQuiet(AT, 'Asia/Tokyo', quiet)).toBe(AT + 30 * 60_000);
    expect(inQuietHours(AT, 'UTC', quiet.start, quiet.end)).toBe(false); // 21:30 UTC
    expect(releaseAfterQuiet(AT, 'UTC', quiet)).toBe(AT);
    expect(releaseAfterQuiet(AT, 'UTC', null)).toBe(AT);
  });

  it('ends digest periods at the next local hour or the daily hour', () => {
    expect(digestDue(AT, 'Asia/Tokyo', 'hourly', 18)).toBe(AT + 30 * 60_000);
    expect(digestDue(AT, 'Asia/Tokyo', 'daily', 18)).toBe(AT + 11.5 * 3_600_000);
  });
});

describe('templates', () => {
  it('picks the language by locale and falls back to English', () => {
    const p = { actorName: 'Лена', distanceM: 42_195, durationS: 5400, kj: 1210 };
    expect(renderText('friend.ride.completed', 'ru-RU', p)).toEqual({
      locale: 'ru',
      title: 'Лена завершил(а) заезд',
      body: 'Лена проехал(а): 42,2 км, 1 ч 30 мин, 1\u00a0210 кДж',
    });
    expect(renderText('friend.ride.completed', 'de', p)).toMatchObject({ locale: 'en', title: 'Лена finished a ride' });
    expect(renderText('follow.requested', undefined, {}).title).toBe('Someone wants to follow you');
    expect(
      renderText('gear.service.due', 'ru', {
        gearName: 'Шоссейник',
        sinceServiceM: 1_000_400,
        serviceEveryM: 1_000_000,
      }),
    ).toMatchObject({
      title: 'Пора обслужить: Шоссейник',
      body: '1\u00a0000,4 км с последнего обслуживания (интервал — 1\u00a0000 км).',
    });
  });

  it('writes digests with plural forms and escapes event text in HTML', () => {
    const items = (n: number) =>
      Array.from({ length: n }, () => ({ kind: 'session.summary.ready' as const, params: {}, link: null }));
    const opts = { name: '<b>Ivan</b>', appUrl: 'https://app.example', digest: true };
    expect(renderEmail(items(1), { ...opts, locale: 'ru' }).subject).toBe('Сводка Wattstream: 1 новость');
    expect(renderEmail(items(3), { ...opts, locale: 'ru' }).subject).toBe('Сводка Wattstream: 3 новости');
    expect(renderEmail(items(5), { ...opts, locale: 'ru' }).subject).toBe('Сводка Wattstream: 5 новостей');
    const en = renderEmail(items(2), { ...opts, locale: 'en' });
    expect(en.subject).toBe('Your Wattstream digest: 2 updates');
    expect(en.html).toContain('&lt;b&gt;Ivan&lt;/b&gt;');
    expect(en.html).not.toContain('<b>Ivan</b>');
    expect(en.text).toContain('https://app.example/settings/notifications');
  });

  it('chooses channels from the switches, the overrides and the kind defaults', () => {
    expect(channelsFor(DEFAULT_PREFERENCES, 'friend.ride.started')).toEqual(['live', 'webhook']);
    expect(channelsFor(DEFAULT_PREFERENCES, 'friend.ride.completed')).toEqual(['live', 'email', 'webhook']);
    const prefs = {
      ...DEFAULT_PREFERENCES,
      channels: { live: true, email: true, webhook: false },
      kinds: { 'friend.ride.started': { email: true, live: false } },
    };
    expect(channelsFor(prefs, 'friend.ride.started')).toEqual(['email']);
    expect(channelsFor(prefs, 'workout.assigned')).toEqual(['live', 'email']);
  });
});
