/**
 * The members of a token response core does not read itself (Salesforce's `instance_url`,
 * `id`, `signature`, `issued_at`; token exchange's `issued_token_type`; Entra's
 * `ext_expires_in`), kept on the token as `extras`. They come from an untrusted endpoint,
 * or back from a shared store, so they are copied as plain JSON, deep-frozen and bounded:
 * a member that is not JSON, nests too deep or does not fit is left out, never an error.
 * Credentials core never uses (`refresh_token`, `id_token`) are not kept, so they never
 * reach a store.
 */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [name: string]: JsonValue };

/** A token response's other members; see `AccessToken.extras`. */
export type TokenExtras = Readonly<Record<string, JsonValue>>;

/** Read into the token's own fields, credentials never kept, or a name unsafe to copy. */
const NOT_EXTRAS = new Set([
  'access_token',
  'token_type',
  'expires_in',
  'scope',
  'refresh_in',
  'refresh_token',
  'id_token',
  '__proto__',
]);
const MAX_MEMBERS = 32;
const MAX_NAME_CHARS = 128;
/** Characters of all names and strings together: far above any vendor's, far below a DoS. */
const MAX_CHARS = 8192;
/** Values of all members together, containers and their items included. */
const MAX_VALUES = 512;
/** A member's value nests at most this many objects and arrays deep. */
const MAX_DEPTH = 4;

interface Budget {
  chars: number;
  values: number;
}

const isPlainObject = (value: object): boolean => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** A frozen JSON copy of `value` within `budget` (spent), or `undefined` if it is none. */
function copy(value: unknown, depth: number, budget: Budget): JsonValue | undefined {
  if (--budget.values < 0) return undefined;
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    budget.chars -= value.length;
    return budget.chars < 0 ? undefined : value;
  }
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    if (value.length > budget.values) return undefined;
    const items: JsonValue[] = [];
    for (const item of value) {
      const copied = copy(item, depth + 1, budget);
      if (copied === undefined) return undefined;
      items.push(copied);
    }
    return Object.freeze(items);
  }
  if (!isPlainObject(value)) return undefined;
  const members = Object.entries(value);
  if (members.length > budget.values) return undefined;
  const result: Record<string, JsonValue> = {};
  for (const [name, item] of members) {
    budget.chars -= name.length;
    const copied = name === '__proto__' ? undefined : copy(item, depth + 1, budget);
    if (copied === undefined) return undefined;
    result[name] = copied;
  }
  return Object.freeze(result);
}

/**
 * The extras of a response body (or of a stored token): the first members, in order, that
 * are JSON and fit the bounds. `undefined` when none do.
 */
export function tokenExtras(body: Readonly<Record<string, unknown>>): TokenExtras | undefined {
  const budget: Budget = { chars: MAX_CHARS, values: MAX_VALUES };
  const result: Record<string, JsonValue> = {};
  let count = 0;
  let names: string[];
  try {
    names = Object.keys(body);
  } catch {
    return undefined; // a Proxy that refuses (a mapTokenResponse result): nothing kept
  }
  for (const name of names) {
    if (count === MAX_MEMBERS) break;
    if (NOT_EXTRAS.has(name) || name.length === 0 || name.length > MAX_NAME_CHARS) continue;
    const trial = { chars: budget.chars - name.length, values: budget.values };
    let copied: JsonValue | undefined;
    try {
      copied = copy(body[name], 0, trial);
    } catch {
      copied = undefined; // a getter that throws (a mapTokenResponse result): left out
    }
    if (copied === undefined) continue;
    result[name] = copied;
    Object.assign(budget, trial);
    count++;
  }
  return count === 0 ? undefined : Object.freeze(result);
}

/**
 * For a `TokenStore` that serializes tokens: the `extras` read back, checked and bounded as
 * core bounds a response's (what core wrote comes back the same). `undefined` when `value`
 * is not an object of members at all: treat the entry as malformed. An object with nothing
 * usable in it gives an empty object.
 */
export function reviveExtras(value: unknown): TokenExtras | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (!isPlainObject(value)) return undefined;
  return tokenExtras(value as Record<string, unknown>) ?? Object.freeze({});
}
