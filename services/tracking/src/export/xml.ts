/** Escapes text and attribute values for XML 1.0. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A UTC time as xsd:dateTime without fractions when whole. */
export const xmlTime = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
