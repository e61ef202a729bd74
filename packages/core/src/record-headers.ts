/**
 * A plain headers object (got's `options.headers`, a fetch `HeadersInit` record) as a
 * `HeaderTarget`. Names are matched case-insensitively, as HTTP does, and ours are written
 * lower-case.
 */
import type { HeaderTarget } from './authorization.ts';

export function recordHeaders(record: Record<string, unknown>): HeaderTarget {
  const keysOf = (name: string) => Object.keys(record).filter((key) => key.toLowerCase() === name);
  return {
    get: (name) => record[name] ?? record[keysOf(name)[0] ?? name],
    set(name, value) {
      for (const key of keysOf(name)) if (key !== name) delete record[key];
      record[name] = value;
    },
    delete(name) {
      for (const key of keysOf(name)) delete record[key];
    },
  };
}
