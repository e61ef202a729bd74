/**
 * Where tokens live between requests. The memory store is the default; `@m2m-auth/redis`
 * implements the same interface for a fleet. Methods may answer synchronously or with a
 * promise; the provider awaits either.
 */
import type { SharedFailure } from './shared-failure.ts';
import type { TokenExtras } from './token-extras.ts';

export interface AccessToken {
  readonly accessToken: string;
  /** `Bearer`, or `DPoP` for a token bound to the provider's DPoP key (send it with a proof). */
  readonly tokenType: 'Bearer' | 'DPoP';
  /** Absolute expiry, ms since the epoch, measured from when the request started. */
  readonly expiresAt: number;
  /** The `scope` the server granted, when it said. */
  readonly scope?: string;
  /**
   * The response's other members, when it had any: Salesforce's `instance_url`, `id`,
   * `signature` and `issued_at`, token exchange's `issued_token_type`, Entra's
   * `ext_expires_in`. Plain JSON, deep-frozen, at most 32 members and 8192 characters of
   * names and strings (a member that does not fit is left out). Never in an event or a log;
   * `refresh_token` and `id_token` are never kept. A store that serializes tokens keeps it
   * (`reviveExtras` checks it on the way back).
   */
  readonly extras?: TokenExtras;
}

export interface StoredToken {
  token: AccessToken;
  /** When the request that produced it started (ms since the epoch). */
  obtainedAt: number;
  /** Advisory point: from here on one background refresh runs while this is served. */
  refreshAt: number;
  /** Mandatory point: from here on it is never handed out. */
  staleAt: number;
}

/** A held lock; `release()` only frees it if it is still ours (compare-and-delete). */
export interface TokenStoreLock {
  release(): Promise<void> | void;
}

/** A store (or the cache over it) may answer at once: the memory store does. */
export type MaybePromise<T> = T | Promise<T>;

export interface TokenStore {
  /**
   * The entry, or `undefined` once its `ttlMs` has passed. `now` is the caller's reading of
   * `Date.now()` for this lookup: a store that checks expiry itself may use it instead of
   * reading the clock again (a cached token's request reads it once).
   */
  get(key: string, now?: number): MaybePromise<StoredToken | undefined>;
  /** Stores `value` for `ttlMs`; after that `get` answers `undefined`. */
  set(key: string, value: StoredToken, ttlMs: number): MaybePromise<void>;
  /** Deletes the entry only if it still holds `accessToken`; true if it did. */
  deleteIf(key: string, accessToken: string): MaybePromise<boolean>;
  /**
   * Optional cross-provider single-flight: `undefined` when someone else holds the lock.
   * `ttlMs` bounds how long a holder that died keeps it (a cross-process store renews a
   * live holder's lock; an in-process store may ignore it).
   * The holder fetches and writes; the others poll `get` until the new token appears.
   */
  lock?(key: string, ttlMs: number): MaybePromise<TokenStoreLock | undefined>;
  /**
   * Optional, with `lock`: the holder's failed token request, shared for `ttlMs` with those
   * waiting on the lock, so they fail with it instead of each trying in turn.
   */
  setFailure?(key: string, failure: SharedFailure, ttlMs: number): MaybePromise<void>;
  getFailure?(key: string): MaybePromise<SharedFailure | undefined>;
}
