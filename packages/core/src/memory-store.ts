/**
 * The default store: an LRU map bounded by entry count, with lazy expiry (no timers, so
 * nothing keeps a process alive) and an in-process lock so that separate providers sharing
 * one store also share one token request.
 */
import { failureMemory } from './failure-memory.ts';
import type { SharedFailure } from './shared-failure.ts';
import type { StoredToken, TokenStore, TokenStoreLock } from './token-store.ts';

export interface MemoryStoreOptions {
  /** Most tokens kept; the least recently used goes first. @default 10000 */
  maxEntries?: number;
}

export const DEFAULT_MAX_ENTRIES = 10_000;

/** The memory store answers synchronously, which keeps the cached path short. */
export interface MemoryStore extends TokenStore {
  get(key: string, now?: number): StoredToken | undefined;
  set(key: string, value: StoredToken, ttlMs: number): void;
  deleteIf(key: string, accessToken: string): boolean;
  lock(key: string, ttlMs: number): TokenStoreLock | undefined;
  setFailure(key: string, failure: SharedFailure, ttlMs: number): void;
  getFailure(key: string): SharedFailure | undefined;
  /** Entries currently held. */
  readonly size: number;
}

export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new Map<string, { value: StoredToken; until: number }>();
  // The most recently used key: re-reading it needs no reordering (the common single-token case).
  let newest: string | undefined;
  // In-process locks need no expiry: their holder cannot die without their waiters, and
  // releases in a `finally`. (An expiry would hand a slow holder's lock to a second one.)
  const locks = new Map<string, object>();
  const failures = failureMemory<SharedFailure>(maxEntries);

  return {
    get size() {
      return entries.size;
    },
    get(key, now = Date.now()) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now >= entry.until) {
        entries.delete(key);
        return undefined;
      }
      if (key !== newest) {
        entries.delete(key);
        entries.set(key, entry); // most recently used goes last
        newest = key;
      }
      return entry.value;
    },
    set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { value, until: Date.now() + ttlMs });
      newest = key;
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    deleteIf(key, accessToken) {
      if (entries.get(key)?.value.token.accessToken !== accessToken) return false;
      return entries.delete(key);
    },
    setFailure: failures.remember,
    getFailure: failures.recall,
    lock(key) {
      if (locks.has(key)) return undefined;
      const owner = {};
      locks.set(key, owner);
      return {
        release: () => {
          if (locks.get(key) === owner) locks.delete(key);
        },
      };
    },
  };
}
