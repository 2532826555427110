import { describe, expect, it } from 'vitest';
import { ftpUnlock, monthOf, sessionUnlocks } from '../src/achievements.js';

describe('achievement rules', () => {
  it('a first ride of 100 km or more', () => {
    expect(sessionUnlocks({ distanceM: 99_999, startedAt: 0 }, 0)).toEqual([]);
    expect(sessionUnlocks({ distanceM: 100_000, startedAt: 0 }, 0)).toEqual([
      { code: 'first-100km', title: 'First 100 km ride' },
    ]);
  });
  it('10 h in the session’s UTC month', () => {
    const t = Date.UTC(2026, 10, 30, 23, 30);
    expect(monthOf(t)).toBe('2026-11');
    expect(sessionUnlocks({ distanceM: 0, startedAt: t }, 35_999)).toEqual([]);
    expect(sessionUnlocks({ distanceM: 0, startedAt: t }, 36_000)).toEqual([
      { code: '10h-month:2026-11', title: '10 hours of training in 2026-11' },
    ]);
  });
  it('a new FTP is one above the best before; the first sets the baseline', () => {
    expect(ftpUnlock(undefined, 300)).toBeUndefined();
    expect(ftpUnlock(300, 300)).toBeUndefined();
    expect(ftpUnlock(300, 290)).toBeUndefined();
    expect(ftpUnlock(300, 301)).toEqual({ code: 'ftp:301', title: 'New FTP: 301 W' });
  });
});
