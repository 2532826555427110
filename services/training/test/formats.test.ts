import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseErg, writeErg } from '../src/formats/erg.js';
import { parseZwo, writeZwo } from '../src/formats/zwo.js';
import { segmentsOf, workoutDuration } from '../src/workouts.js';

// Hand-written files in the published formats (test/files): read, written back, read again.
const file = (name: string) => readFileSync(new URL(`./files/${name}`, import.meta.url), 'utf8');
const ftp = (value: number) => ({ unit: 'ftp' as const, value });

/** The steps of a .zwo as (tag, numeric attributes), ignoring text events and presentation. */
function zwoSteps(xml: string) {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true }).parse(xml);
  const root = doc.find((n: Record<string, unknown>) => 'workout_file' in n).workout_file;
  const workout = root.find((n: Record<string, unknown>) => 'workout' in n).workout;
  return workout.map((n: Record<string, unknown>) => {
    const tag = Object.keys(n).find((k) => k !== ':@')!;
    const attrs = Object.fromEntries(
      Object.entries((n[':@'] ?? {}) as Record<string, string>)
        .filter(([k]) => k !== 'FlatRoad')
        .map(([k, v]) => [k, Number(v)]),
    );
    return [tag, attrs];
  });
}

/** The data points of an .erg/.mrc as numbers. */
const points = (text: string) =>
  text
    .split(/\r?\n/)
    .slice(text.split(/\r?\n/).findIndex((l) => l.trim() === '[COURSE DATA]') + 1)
    .filter((l) => /^\d/.test(l.trim()) && !l.includes('Start'))
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((p) => p.length === 2);

describe('Zwift .zwo', () => {
  it('reads every step kind of a hand-written file', () => {
    const w = parseZwo(file('sweet-spot.zwo'));
    expect(w.name).toBe('Sweet spot 3 x 10');
    expect(w.sport).toBe('cycling');
    expect(w.steps).toEqual([
      { kind: 'warmup', durationS: 600, from: ftp(40), to: ftp(75) },
      { kind: 'steady', durationS: 600, target: ftp(88), cadence: 90 },
      {
        kind: 'intervals',
        repeat: 3,
        onDurationS: 60,
        onTarget: ftp(105),
        offDurationS: 120,
        offTarget: ftp(60),
        cadence: 100,
        cadenceResting: 85,
      },
      { kind: 'ramp', durationS: 300, from: ftp(60), to: ftp(95) },
      { kind: 'free', durationS: 300 },
      { kind: 'cooldown', durationS: 420, from: ftp(70), to: ftp(30) },
    ]);
    expect(workoutDuration(w.steps)).toBe(600 + 600 + 3 * 180 + 300 + 300 + 420);
    expect(segmentsOf(w.steps).filter((s) => s.kind === 'on')).toHaveLength(3);
  });

  it('writes it back: the same steps, and the same elements and attributes as the original', () => {
    const original = file('sweet-spot.zwo');
    const w = parseZwo(original);
    const written = writeZwo(w);
    expect(parseZwo(written)).toEqual(w);
    expect(zwoSteps(written)).toEqual(zwoSteps(original));
  });

  it('refuses unknown elements, naming them', () => {
    expect(() => parseZwo(file('unknown-element.zwo'))).toThrow(/unknown element <SolidState>/);
    expect(() => parseZwo('<workout_file><workout><Warmup Duration="x"/></workout></workout_file>')).toThrow(
      /Duration="x"/,
    );
    expect(() => parseZwo('<workout_file><workout>')).toThrow(/not well-formed/);
  });

  it('will not write targets it cannot express', () => {
    expect(() =>
      writeZwo({
        name: 'w',
        description: '',
        sport: 'cycling',
        steps: [{ kind: 'steady', durationS: 60, target: { unit: 'watts', value: 200 } }],
      }),
    ).toThrow(/fraction of FTP/);
  });
});

describe('.erg and .mrc', () => {
  it('reads a hand-written .erg (CRLF, text section) and writes the same course back', () => {
    const original = file('over-unders.erg');
    const w = parseErg(original, 'erg');
    expect(w.name).toBe('over-unders');
    expect(w.steps[0]).toEqual({
      kind: 'ramp',
      durationS: 600,
      from: { unit: 'watts', value: 100 },
      to: { unit: 'watts', value: 200 },
    });
    expect(workoutDuration(w.steps)).toBe(24.5 * 60);
    const written = writeErg(w, 'erg', 250);
    expect(parseErg(written, 'erg')).toEqual(w);
    const pts = (t: string) =>
      points(t).filter((p, i, all) => !(i > 0 && p[0] === all[i - 1]![0] && p[1] === all[i - 1]![1]));
    expect(pts(written)).toEqual(pts(original));
  });

  it('reads a hand-written .mrc in % of FTP and converts between the two with the FTP', () => {
    const original = file('threshold.mrc');
    const w = parseErg(original, 'mrc');
    expect(w.steps[1]).toEqual({ kind: 'steady', durationS: 1200, target: ftp(95) });
    expect(parseErg(writeErg(w, 'mrc', 300), 'mrc')).toEqual(w);
    expect(points(writeErg(w, 'mrc', 300))).toEqual(points(original));
    const asErg = parseErg(writeErg(w, 'erg', 300), 'erg');
    expect(asErg.steps[1]).toEqual({ kind: 'steady', durationS: 1200, target: { unit: 'watts', value: 285 } });
  });

  it('refuses broken files with the line that is wrong', () => {
    expect(() =>
      parseErg('[COURSE HEADER]\nMINUTES WATTS\n[END COURSE HEADER]\n[COURSE DATA]\n0 100\n5 x\n', 'erg'),
    ).toThrow(/line 6/);
    expect(() =>
      parseErg('[COURSE HEADER]\nMINUTES PERCENT\n[END COURSE HEADER]\n[COURSE DATA]\n0 50\n', 'erg'),
    ).toThrow(/MINUTES WATTS/);
    expect(() => parseErg(file('threshold.mrc').replace('[END COURSE DATA]', ''), 'mrc')).toThrow(/ends before/);
  });
});
