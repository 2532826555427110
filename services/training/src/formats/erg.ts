import type { Target, WorkoutStep } from '@wattstream/contracts';
import { segmentsOf } from '../workouts.js';
import { formatError, type ParsedWorkout, unsupported } from './common.js';

/**
 * ERG and MRC course files (the TrainerRoad/Golden Cheetah/PerfPRO text format): a
 * `[COURSE HEADER]` of `KEY = value` lines ending with the column line (`MINUTES WATTS` in .erg,
 * `MINUTES PERCENT` in .mrc, percent of FTP), then `[COURSE DATA]` with one `minutes value` point
 * per line. Between two points the target changes linearly; a step is two points at one time.
 * An optional `[COURSE TEXT]` section (on-screen messages) is skipped. Intervals are not part of
 * the format: they are written, and read back, as their on/off segments.
 */
export type ErgKind = 'erg' | 'mrc';

const COLUMNS: Record<ErgKind, string> = { erg: 'MINUTES WATTS', mrc: 'MINUTES PERCENT' };

export function parseErg(text: string, kind: ErgKind): ParsedWorkout {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = new Map<string, string>();
  const points: [number, number][] = [];
  let section = 'none' as 'none' | 'header' | 'data' | 'text' | 'done';
  let columns: string | undefined;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    const at = `file.line[${i + 1}]`;
    if (line === '' || line.startsWith(';')) continue;
    const upper = line.toUpperCase();
    if (upper.startsWith('[')) {
      const next = (
        {
          '[COURSE HEADER]': section === 'none' ? 'header' : undefined,
          '[END COURSE HEADER]': section === 'header' ? 'none' : undefined,
          '[COURSE DATA]': section === 'none' && columns !== undefined ? 'data' : undefined,
          '[END COURSE DATA]': section === 'data' ? 'done' : undefined,
          '[COURSE TEXT]': section === 'done' || section === 'none' ? 'text' : undefined,
          '[END COURSE TEXT]': section === 'text' ? 'done' : undefined,
        } as Record<string, typeof section | undefined>
      )[upper];
      if (!next) throw formatError(`line ${i + 1}: ${line} is not expected here`, at);
      section = next;
      continue;
    }
    if (section === 'header') {
      const eq = line.indexOf('=');
      if (eq > 0) header.set(line.slice(0, eq).trim().toUpperCase(), line.slice(eq + 1).trim());
      else if (upper.replace(/\s+/g, ' ') === COLUMNS[kind]) columns = upper;
      else throw formatError(`line ${i + 1}: expected KEY = value or ${COLUMNS[kind]}, got "${line}"`, at);
      continue;
    }
    if (section === 'data') {
      const m = /^(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)$/.exec(line);
      if (!m) throw formatError(`line ${i + 1}: expected "minutes value", got "${line}"`, at);
      const t = Number(m[1]);
      const v = Number(m[2]);
      const prev = points.at(-1);
      if (t < 0 || (prev && t < prev[0])) throw formatError(`line ${i + 1}: time goes backwards`, at);
      if (v < 0 || v > (kind === 'erg' ? 3000 : 500)) throw formatError(`line ${i + 1}: ${v} is out of range`, at);
      points.push([t, v]);
      continue;
    }
    if (section === 'text') continue;
    throw formatError(`line ${i + 1}: "${line}" is outside every section`, at);
  }
  if (columns === undefined) throw formatError(`the header lacks the column line ${COLUMNS[kind]}`, 'file');
  if (section !== 'done') throw formatError('the file ends before [END COURSE DATA]', 'file');
  const unit: Target['unit'] = kind === 'erg' ? 'watts' : 'ftp';
  const steps: WorkoutStep[] = [];
  for (let i = 1; i < points.length; i++) {
    const [t0, v0] = points[i - 1]!;
    const [t1, v1] = points[i]!;
    const durationS = Math.round((t1 - t0) * 60);
    if (durationS === 0) continue;
    steps.push(
      v0 === v1
        ? { kind: 'steady', durationS, target: { unit, value: v0 } }
        : { kind: 'ramp', durationS, from: { unit, value: v0 }, to: { unit, value: v1 } },
    );
  }
  if (steps.length === 0) throw formatError('the course has no stretch longer than zero', 'file');
  const name = header.get('FILE NAME') || header.get('DESCRIPTION') || 'Imported workout';
  return { name, description: header.get('DESCRIPTION') ?? '', sport: 'cycling', steps };
}

const minutes = (s: number) => String(Number((s / 60).toFixed(4)));

/**
 * Writes `.erg` (watts; %FTP targets converted with `ftp`) or `.mrc` (% of FTP; watts converted
 * with `ftp`). Heart-rate and cadence targets and free ride have no place in the format.
 */
export function writeErg(
  w: { name: string; description: string; steps: WorkoutStep[] },
  kind: ErgKind,
  ftp: number,
): string {
  const value = (t: Target | null, step: number): string => {
    if (t === null) unsupported(`.${kind} has no free ride: step ${step + 1} has no target`);
    if (t.unit === 'hrZone' || t.unit === 'cadence') {
      unsupported(`.${kind} stores power only; step ${step + 1} has a ${t.unit} target`);
    }
    const watts = t.unit === 'watts' ? t.value : (t.value / 100) * ftp;
    const v = kind === 'erg' ? watts : (watts / ftp) * 100;
    return String(Math.round(v * 10) / 10);
  };
  const lines = [
    '[COURSE HEADER]',
    'VERSION = 2',
    'UNITS = ENGLISH',
    `DESCRIPTION = ${(w.description || w.name).replace(/\r?\n/g, ' ')}`,
    `FILE NAME = ${w.name.replace(/\r?\n/g, ' ')}`,
    ...(kind === 'erg' ? [`FTP = ${ftp}`] : []),
    COLUMNS[kind],
    '[END COURSE HEADER]',
    '[COURSE DATA]',
  ];
  for (const seg of segmentsOf(w.steps)) {
    lines.push(`${minutes(seg.startS)}\t${value(seg.from, seg.step)}`);
    lines.push(`${minutes(seg.startS + seg.durationS)}\t${value(seg.to, seg.step)}`);
  }
  lines.push('[END COURSE DATA]', '');
  return lines.join('\n');
}
