import type { NotificationKind } from '@wattstream/contracts';
import { type Catalog, type Formats, formatsFor, type Params, type Text } from './catalog.js';
import { en } from './en.js';
import { ru } from './ru.js';

export type { Params, Text } from './catalog.js';

const CATALOGS: Record<string, { catalog: Catalog; formats: Formats }> = {
  en: { catalog: en, formats: formatsFor('en', { h: 'h', min: 'min', km: 'km' }) },
  ru: { catalog: ru, formats: formatsFor('ru', { h: 'ч', min: 'мин', km: 'км' }) },
};

/** The languages templates exist in; any other locale falls back to English. */
export const TEMPLATE_LOCALES = Object.keys(CATALOGS);

/** The catalog for a locale tag: `ru-RU` → ru, `de` → en. */
export function catalogFor(locale: string | undefined): { catalog: Catalog; formats: Formats } {
  const lang = (locale ?? 'en').slice(0, 2).toLowerCase();
  return CATALOGS[lang] ?? CATALOGS.en!;
}

/** Title and body of one notification in the user's language. */
export function renderText(
  kind: NotificationKind,
  locale: string | undefined,
  params: Params,
): Text & { locale: string } {
  const { catalog, formats } = catalogFor(locale);
  return { ...catalog.kinds[kind](params, formats), locale: catalog.locale };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface EmailItem {
  kind: NotificationKind;
  params: Params;
  link: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  locale: string;
}

/**
 * One e-mail: a single notification (its title is the subject), or a digest of several. Every
 * value that came from an event is escaped in the HTML part.
 */
export function renderEmail(
  items: EmailItem[],
  opts: { locale: string | undefined; name: string | undefined; appUrl: string; digest: boolean },
): RenderedEmail {
  const { catalog, formats } = catalogFor(opts.locale);
  const texts = items.map((i) => ({ ...catalog.kinds[i.kind](i.params, formats), link: i.link }));
  const settings = `${opts.appUrl}/settings/notifications`;
  const abs = (link: string | null) => (link ? `${opts.appUrl}${link}` : null);
  const subject = opts.digest || texts.length > 1 ? catalog.email.digestSubject(texts.length) : texts[0]!.title;
  const intro = opts.digest || texts.length > 1 ? [catalog.email.digestIntro(texts.length), ''] : [];
  const text = [
    catalog.email.greeting(opts.name),
    '',
    ...intro,
    ...texts.flatMap((t) => [
      opts.digest || texts.length > 1 ? `• ${t.title}` : t.title,
      t.body,
      ...(abs(t.link) ? [`${catalog.email.open}: ${abs(t.link)}`] : []),
      '',
    ]),
    '--',
    catalog.email.footer,
    `${catalog.email.settings}: ${settings}`,
    '',
  ].join('\n');
  const html = [
    `<!doctype html><html lang="${catalog.locale}"><body>`,
    `<p>${escapeHtml(catalog.email.greeting(opts.name))}</p>`,
    ...(intro.length ? [`<p>${escapeHtml(intro[0]!)}</p>`] : []),
    ...texts.map(
      (t) =>
        `<h3>${escapeHtml(t.title)}</h3><p>${escapeHtml(t.body)}</p>${
          abs(t.link) ? `<p><a href="${escapeHtml(abs(t.link)!)}">${escapeHtml(catalog.email.open)}</a></p>` : ''
        }`,
    ),
    `<hr><p><small>${escapeHtml(catalog.email.footer)} <a href="${escapeHtml(settings)}">${escapeHtml(
      catalog.email.settings,
    )}</a></small></p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html, locale: catalog.locale };
}
