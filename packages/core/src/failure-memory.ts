/**
 * Failed token requests remembered per key for a while, so that callers within that time
 * get the failure instead of asking the token endpoint again. Used by single-flight (this
 * provider's own failures) and the memory store (failures shared through the store).
 * Bounded and lazily expired: no timers, so nothing keeps a process alive.
 */
import { isM2MAuthError } from './errors.ts';

export interface FailureCacheOptions {
  failureCacheMs: number;
  maxFailureCacheMs: number;
}

/** How long a failure is remembered: `failureCacheMs`, or the server's `Retry-After`, capped. */
export function failureMemoryMs(error: unknown, options: FailureCacheOptions): number {
  const asked = isM2MAuthError(error) ? (error.retryAfterMs ?? 0) : 0;
  return Math.min(options.maxFailureCacheMs, Math.max(options.failureCacheMs, asked));
}

export interface FailureMemory<T> {
  remember(key: string, failure: T, ttlMs: number): void;
  /** The failure for `key` while it is remembered. */
  recall(key: string): T | undefined;
}

/** At most `maxEntries` keys: past that the memory starts over rather than grow. */
export function failureMemory<T>(maxEntries: number): FailureMemory<T> {
  const failures = new Map<string, { failure: T; until: number }>();
  return {
    remember(key, failure, ttlMs) {
      if (failures.size >= maxEntries) failures.clear();
      failures.set(key, { failure, until: Date.now() + ttlMs });
    },
    recall(key) {
      const held = failures.get(key);
      if (held && Date.now() >= held.until) failures.delete(key);
      return failures.get(key)?.failure;
    },
  };
}
