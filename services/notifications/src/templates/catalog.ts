import type { NotificationKind } from '@wattstream/contracts';

/** What a template may use; every value is optional, so an event without it still renders. */
export interface Params {
  actorName?: string;
  activityTitle?: string;
  distanceM?: number;
  durationS?: number;
  kj?: number;
  load?: number;
  workoutName?: string;
  date?: string;
  followerName?: string;
  provider?: string;
  errorMessage?: string;
  retryable?: boolean;
  gearName?: string;
  sinceServiceM?: number;
  serviceEveryM?: number;
}

export interface Text {
  title: string;
  body: string;
}

/** One language: a text per kind, and the words of e-mails around them. */
export interface Catalog {
  locale: string;
  kinds: Record<NotificationKind, (p: Params, f: Formats) => Text>;
  email: {
    greeting(name: string | undefined): string;
    open: string;
    footer: string;
    settings: string;
    digestSubject(n: number): string;
    digestIntro(n: number): string;
  };
}

/** Number and duration formatting in the catalog's locale. */
export interface Formats {
  km(m: number | undefined): string;
  duration(s: number | undefined): string;
  number(n: number | undefined): string;
  plural(n: number, forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }): string;
}

export function formatsFor(locale: string, units: { h: string; min: string; km: string }): Formats {
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 0 });
  const rules = new Intl.PluralRules(locale);
  return {
    km: (m) => (m === undefined ? '' : `${num.format(Math.round(m / 100) / 10)} ${units.km}`),
    duration: (s) => {
      if (s === undefined) return '';
      const total = Math.round(s / 60);
      const h = Math.floor(total / 60);
      const min = total % 60;
      return h > 0 ? `${h} ${units.h} ${String(min).padStart(2, '0')} ${units.min}` : `${min} ${units.min}`;
    },
    number: (n) => (n === undefined ? '' : num.format(Math.round(n))),
    plural: (n, forms) => forms[rules.select(n)] ?? forms.other,
  };
}
