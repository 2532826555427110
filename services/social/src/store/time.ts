/** Epoch ms (a bigint column arrives as text) as RFC 3339. */
export const iso = (ms: number | string): string => new Date(Number(ms)).toISOString();

/**
 * A change time strictly after `previous`: consumers keep the latest change per key by time, so two
 * changes of one key within a millisecond must still be ordered.
 */
export const after = (previous: number | string | undefined): number =>
  Math.max(Date.now(), previous === undefined ? 0 : Number(previous) + 1);
