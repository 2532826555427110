import type { Sport, Target, WorkoutStep } from '@wattstream/contracts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatError, type ParsedWorkout, unsupported } from './common.js';

/**
 * Zwift workout files (`.zwo`, XML): `<workout_file>` with `name`, `author`, `description`,
 * `sportType` and `<workout>` holding the steps. Powers are fractions of FTP. Ramps (Warmup,
 * Cooldown, Ramp) go from PowerLow (start) to PowerHigh (end), as Zwift's own files write them.
 */

const HEAD = new Set(['author', 'name', 'description', 'sportType', 'durationType', 'tags', 'category', 'subcategory']);
const STEPS = new Set(['Warmup', 'Cooldown', 'Ramp', 'SteadyState', 'IntervalsT', 'FreeRide']);

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };
const nameOf = (n: Node) => Object.keys(n).find((k) => k !== ':@') ?? '';
const children = (n: Node) => (n[nameOf(n)] as Node[]) ?? [];
const textOf = (n: Node) =>
  children(n)
    .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : ''))
    .join('');

export function parseZwo(text: string): ParsedWorkout {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw formatError(`the .zwo file is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`, 'file');
  }
  const doc = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
  }).parse(text) as Node[];
  const roots = doc.filter((n) => !nameOf(n).startsWith('?') && !('#text' in n) && !('#comment' in n));
  const root = roots[0];
  if (roots.length !== 1 || !root || nameOf(root) !== 'workout_file') {
    throw formatError('a .zwo file has one <workout_file> element at its root', 'file');
  }
  let name = '';
  let description = '';
  let sport: Sport = 'cycling';
  let steps: WorkoutStep[] | undefined;
  for (const n of children(root)) {
    const tag = nameOf(n);
    if (tag === '#text' || tag === '#comment') continue;
    if (tag === 'workout') {
      steps = children(n)
        .filter((c) => nameOf(c) !== '#comment' && nameOf(c) !== '#text')
        .map((c, i) => stepOf(c, i));
    } else if (HEAD.has(tag)) {
      if (tag === 'name') name = textOf(n);
      if (tag === 'description') description = textOf(n);
      if (tag === 'sportType') sport = textOf(n) === 'run' ? 'running' : 'cycling';
    } else {
      throw formatError(`unknown element <${tag}> in <workout_file>`, `file.workout_file.${tag}`);
    }
  }
  if (!steps || steps.length === 0)
    throw formatError('the .zwo file has no <workout> steps', 'file.workout_file.workout');
  return { name: name || 'Imported workout', description, sport, steps };
}

function stepOf(n: Node, i: number): WorkoutStep {
  const tag = nameOf(n);
  const at = `file.workout_file.workout[${i}]`;
  if (!STEPS.has(tag)) throw formatError(`unknown element <${tag}> in <workout>`, `${at}.${tag}`);
  for (const c of children(n)) {
    const ct = nameOf(c);
    if (ct !== 'textevent' && ct !== '#comment' && ct !== '#text') {
      throw formatError(`unknown element <${ct}> in <${tag}>`, `${at}.${ct}`);
    }
  }
  const a = n[':@'] ?? {};
  const num = (attr: string, min: number, max: number): number => {
    const raw = a[attr];
    const v = raw === undefined ? Number.NaN : Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) {
      throw formatError(
        raw === undefined ? `<${tag}> needs ${attr}` : `<${tag}> ${attr}="${raw}" is not a number in ${min}–${max}`,
        `${at}.${attr}`,
      );
    }
    return v;
  };
  const opt = (attr: string, min: number, max: number) => (a[attr] === undefined ? undefined : num(attr, min, max));
  const ftp = (f: number): Target => ({ unit: 'ftp', value: Math.round(f * 1000) / 10 });
  const secs = (attr: string) => Math.round(num(attr, 1, 86_400));
  const cadence = opt('Cadence', 20, 200);
  const cad = cadence === undefined ? {} : { cadence: Math.round(cadence) };
  switch (tag) {
    case 'Warmup':
    case 'Cooldown':
    case 'Ramp':
      return {
        kind: tag === 'Warmup' ? 'warmup' : tag === 'Cooldown' ? 'cooldown' : 'ramp',
        durationS: secs('Duration'),
        from: ftp(num('PowerLow', 0, 5)),
        to: ftp(num('PowerHigh', 0, 5)),
        ...cad,
      };
    case 'SteadyState':
      return { kind: 'steady', durationS: secs('Duration'), target: ftp(num('Power', 0, 5)), ...cad };
    case 'IntervalsT': {
      const resting = opt('CadenceResting', 20, 200);
      return {
        kind: 'intervals',
        repeat: Math.round(num('Repeat', 1, 100)),
        onDurationS: secs('OnDuration'),
        onTarget: ftp(num('OnPower', 0, 5)),
        offDurationS: secs('OffDuration'),
        offTarget: ftp(num('OffPower', 0, 5)),
        ...cad,
        ...(resting === undefined ? {} : { cadenceResting: Math.round(resting) }),
      };
    }
    default:
      return { kind: 'free', durationS: secs('Duration') };
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const frac = (t: Target, what: string): string => {
  if (t.unit !== 'ftp') unsupported(`.zwo stores power as a fraction of FTP; ${what} is a ${t.unit} target`);
  return String(Math.round(t.value * 10) / 1000);
};

export function writeZwo(w: { name: string; description: string; sport: Sport; steps: WorkoutStep[] }): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<workout_file>',
    '  <author>wattstream</author>',
    `  <name>${esc(w.name)}</name>`,
    `  <description>${esc(w.description)}</description>`,
    `  <sportType>${w.sport === 'running' ? 'run' : 'bike'}</sportType>`,
    '  <workout>',
  ];
  w.steps.forEach((s, i) => {
    const what = `step ${i + 1}`;
    const cad = 'cadence' in s && s.cadence !== undefined ? ` Cadence="${s.cadence}"` : '';
    switch (s.kind) {
      case 'warmup':
      case 'cooldown':
      case 'ramp': {
        const tag = s.kind === 'warmup' ? 'Warmup' : s.kind === 'cooldown' ? 'Cooldown' : 'Ramp';
        lines.push(
          `    <${tag} Duration="${s.durationS}" PowerLow="${frac(s.from, what)}" PowerHigh="${frac(s.to, what)}"${cad}/>`,
        );
        break;
      }
      case 'steady':
        lines.push(`    <SteadyState Duration="${s.durationS}" Power="${frac(s.target, what)}"${cad}/>`);
        break;
      case 'intervals': {
        const rest = s.cadenceResting !== undefined ? ` CadenceResting="${s.cadenceResting}"` : '';
        lines.push(
          `    <IntervalsT Repeat="${s.repeat}" OnDuration="${s.onDurationS}" OffDuration="${s.offDurationS}" OnPower="${frac(s.onTarget, what)}" OffPower="${frac(s.offTarget, what)}"${cad}${rest}/>`,
        );
        break;
      }
      case 'free':
        lines.push(`    <FreeRide Duration="${s.durationS}"/>`);
        break;
    }
  });
  lines.push('  </workout>', '</workout_file>', '');
  return lines.join('\n');
}
