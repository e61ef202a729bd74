/**
 * The Redis keys of one cache key: `<prefix>token:{<key>}`, `<prefix>lock:{<key>}` and
 * `<prefix>fail:{<key>}`. The braces are a Redis Cluster hash tag: the three keys of a cache
 * key live in one slot, so one Lua script can write the token, end a shared failure and free
 * the lock in a single step (one round trip, and one timeout, for the lock holder).
 */
import { ConfigError } from '@m2m-auth/core';

export interface StoreKeys {
  token(key: string): string;
  lock(key: string): string;
  fail(key: string): string;
}

/** The part of a key Redis Cluster hashes: the first `{...}` with something in it, else all. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

export function storeKeys(prefix: string): StoreKeys {
  const keys: StoreKeys = {
    token: (key) => `${prefix}token:{${key}}`,
    lock: (key) => `${prefix}lock:{${key}}`,
    fail: (key) => `${prefix}fail:{${key}}`,
  };
  // A brace in the prefix can take the tag's place (`{app}:` keeps a whole app in one slot,
  // which is fine); one that splits a token from its lock is refused.
  const sample = [keys.token('k'), keys.lock('k'), keys.fail('k')].map(hashTag);
  if (new Set(sample).size !== 1) {
    throw new ConfigError(
      `prefix ${JSON.stringify(prefix)} would put a token and its lock in different Redis Cluster slots: balance its braces`,
    );
  }
  return keys;
}
