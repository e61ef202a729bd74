/**
 * Cross-provider single-flight through a store's lock (the Redis store's `SET NX PX`): the
 * holder fetches and writes; the others poll the store with backoff and take the token the
 * holder wrote, or the failure it shared. A crashed holder's lock expires and the next
 * poller takes it over; a caller that waited `lockWaitMs` in vain fetches by itself rather
 * than fail.
 *
 * A shared failure is the store's word, and a store may be written by others: this process
 * takes it for at most `maxFailureCacheMs` in a row, then lets one caller try the token
 * endpoint itself (and again after each such window), so no entry, forged or replayed,
 * silences the token endpoint for good.
 */
import { sleep } from './abort.ts';
import type { FailureCacheOptions } from './failure-memory.ts';
import { reviveFailure } from './shared-failure.ts';
import type { StoredToken, TokenStore, TokenStoreLock } from './token-store.ts';

export type LockOutcome = { entry: StoredToken } | { lock: TokenStoreLock | undefined };

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 250;

/** A token someone else wrote: still valid and not the one we are replacing. */
export function usable(
  entry: StoredToken | undefined,
  replacing: string | undefined,
): entry is StoredToken {
  return entry !== undefined && Date.now() < entry.staleAt && entry.token.accessToken !== replacing;
}

export interface FailureGate {
  /** True: fail with the store's failure. False: this caller tries by itself. */
  heed(key: string): boolean;
  /** The store shows no failure for `key`. */
  clear(key: string): void;
}

const MAX_GATED = 10_000;

export function failureGate(options: FailureCacheOptions): FailureGate {
  /** Since when this process has taken shared failures for a key without trying itself. */
  const since = new Map<string, number>();
  return {
    heed(key) {
      const now = Date.now();
      const first = since.get(key);
      if (first !== undefined && now - first < options.maxFailureCacheMs) return true;
      if (since.size >= MAX_GATED) since.clear();
      since.set(key, now);
      return first === undefined;
    },
    clear: (key) => void since.delete(key),
  };
}

export async function lockOrWait(
  store: TokenStore,
  key: string,
  replacing: string | undefined,
  timing: { lockTtlMs: number; lockWaitMs: number },
  gate: FailureGate,
): Promise<LockOutcome> {
  if (!store.lock) return { lock: undefined };
  const deadline = Date.now() + timing.lockWaitMs;
  let tryingAnyway = false;
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
    // The holder that just failed shared its failure: take it rather than try in turn.
    if (!tryingAnyway) {
      const failed = reviveFailure(await store.getFailure?.(key));
      if (!failed) gate.clear(key);
      else if (gate.heed(key)) throw failed;
      else tryingAnyway = true;
    }
    const lock = await store.lock(key, timing.lockTtlMs);
    if (lock) return { lock };
    const entry = await store.get(key);
    if (usable(entry, replacing)) return { entry };
    if (Date.now() >= deadline) return { lock: undefined };
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
  }
}
