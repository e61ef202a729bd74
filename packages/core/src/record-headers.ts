/**
 * A plain headers object (got's `options.headers`, a fetch `HeadersInit` record, undici's
 * dispatch headers) as a `HeaderTarget`. Names are matched case-insensitively, as HTTP does,
 * and ours are written lower-case. A class over a key loop, no arrays: got and undici apply
 * our headers through this on every request.
 */
import type { HeaderTarget } from './authorization.ts';

class RecordHeaders implements HeaderTarget {
  readonly #record: Record<string, unknown>;
  constructor(record: Record<string, unknown>) {
    this.#record = record;
  }
  get(name: string): unknown {
    const record = this.#record;
    const exact = record[name];
    if (exact !== undefined && exact !== null) return exact;
    for (const key in record) if (key.toLowerCase() === name) return record[key];
    return undefined;
  }
  set(name: string, value: string): void {
    this.#remove(name, name);
    this.#record[name] = value;
  }
  delete(name: string): void {
    this.#remove(name, undefined);
  }
  /** Removes every spelling of `name` but `keep`. */
  #remove(name: string, keep: string | undefined): void {
    const record = this.#record;
    for (const key in record) if (key !== keep && key.toLowerCase() === name) delete record[key];
  }
}

export function recordHeaders(record: Record<string, unknown>): HeaderTarget {
  return new RecordHeaders(record);
}
