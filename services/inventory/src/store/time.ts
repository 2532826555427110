export const iso = (ms: number | string): string => new Date(Number(ms)).toISOString();
