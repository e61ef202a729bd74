/**
 * The default store: an LRU map bounded by entry count, with lazy expiry (no timers, so
 * nothing keeps a process alive) and an in-process lock so that separate providers sharing
 * one store also share one token request.
 */
import type { StoredToken, TokenStore, TokenStoreLock } from './token-store.ts';

export interface MemoryStoreOptions {
  /** Most tokens kept; the least recently used goes first. @default 10000 */
  maxEntries?: number;
}

export const DEFAULT_MAX_ENTRIES = 10_000;

export function memoryStore(
  options: MemoryStoreOptions = {},
): TokenStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new Map<string, { value: StoredToken; until: number }>();
  const locks = new Map<string, { owner: object; until: number }>();

  return {
    get size() {
      return entries.size;
    },
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (Date.now() >= entry.until) return undefined;
      entries.set(key, entry); // most recently used goes last
      return entry.value;
    },
    set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { value, until: Date.now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    deleteIf(key, accessToken) {
      if (entries.get(key)?.value.token.accessToken !== accessToken) return false;
      return entries.delete(key);
    },
    lock(key, ttlMs): TokenStoreLock | undefined {
      const held = locks.get(key);
      if (held && Date.now() < held.until) return undefined;
      const owner = {};
      locks.set(key, { owner, until: Date.now() + ttlMs });
      return {
        release: () => {
          if (locks.get(key)?.owner === owner) locks.delete(key);
        },
      };
    },
  };
}
