/**
 * Everything a logger could print of a value: `inspect` (deep), JSON, `String()` and the
 * stack. Tests search it for secrets and tokens.
 */
import { inspect } from 'node:util';

export function asLogged(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? '';
  } catch (error) {
    json = String(error); // circular: what a JSON logger would print instead
  }
  const stack = value instanceof Error ? (value.stack ?? '') : '';
  return [inspect(value, { depth: 8, showHidden: false }), json, String(value), stack].join('\n');
}
