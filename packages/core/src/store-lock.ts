/**
 * Cross-provider single-flight through a store's lock (the Redis store's `SET NX PX`): the
 * holder fetches and writes; the others poll the store with backoff and take the token the
 * holder wrote, or the failure it shared. A crashed holder's lock expires and the next
 * poller takes it over; a caller that waited `lockWaitMs` in vain fetches by itself rather
 * than fail.
 */
import { sleep } from './abort.ts';
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

export async function lockOrWait(
  store: TokenStore,
  key: string,
  replacing: string | undefined,
  timing: { lockTtlMs: number; lockWaitMs: number },
): Promise<LockOutcome> {
  if (!store.lock) return { lock: undefined };
  const deadline = Date.now() + timing.lockWaitMs;
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
    // The holder that just failed shared its failure: take it rather than try in turn.
    const failed = reviveFailure(await store.getFailure?.(key));
    if (failed) throw failed;
    const lock = await store.lock(key, timing.lockTtlMs);
    if (lock) return { lock };
    const entry = await store.get(key);
    if (usable(entry, replacing)) return { entry };
    if (Date.now() >= deadline) return { lock: undefined };
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
  }
}
