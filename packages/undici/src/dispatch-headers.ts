/**
 * undici's request headers in each form it takes (a record, a flat `[name, value, ...]`
 * list, `[name, value]` pairs, a `Map` or `Headers`) as a new record: ours go on the copy,
 * never on the caller's object, which undici's retry and redirect handlers send again.
 */
export type HeaderRecord = Record<string, unknown>;

function add(record: HeaderRecord, name: unknown, value: unknown): void {
  const key = String(name);
  const before = record[key];
  record[key] = before === undefined ? value : [before, value].flat();
}

export function headerRecord(headers: unknown): HeaderRecord {
  if (headers === null || typeof headers !== 'object') return {};
  const record: HeaderRecord = {};
  if (Array.isArray(headers) && !Array.isArray(headers[0])) {
    for (let i = 0; i + 1 < headers.length; i += 2) add(record, headers[i], headers[i + 1]);
    return record;
  }
  if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<[unknown, unknown]>) add(record, name, value);
    return record;
  }
  return { ...headers };
}
