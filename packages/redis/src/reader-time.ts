/**
 * A shared entry in the reader's time. The writer's `obtainedAt`/`refreshAt`/`staleAt` and
 * `expiresAt` are its own clock's: a writer an hour fast would have every reader serve its
 * token an hour past expiry, one an hour slow would have every reader fetch its own. So a
 * reader trusts only what Redis enforces: the entry's remaining time (`PTTL`, relative),
 * which the writer set to end at its stale point. The stale point is `readAt + PTTL`, and
 * the other points keep their distance from it (differences of one clock are clock-free).
 */
import type { StoredToken } from '@m2m-auth/core';

/** The entry rebased on the reader's clock, or `undefined` if Redis gives it no expiry. */
export function inReaderTime(
  entry: StoredToken,
  remainingMs: number,
  readAt: number,
): StoredToken | undefined {
  // We always write with PX; an entry without a TTL (-1) is not as we wrote it.
  if (!Number.isFinite(remainingMs) || remainingMs <= 0) return undefined;
  const staleAt = readAt + remainingMs;
  const shift = staleAt - entry.staleAt;
  return {
    token: Object.freeze({ ...entry.token, expiresAt: entry.token.expiresAt + shift }),
    obtainedAt: entry.obtainedAt + shift,
    refreshAt: entry.refreshAt + shift,
    staleAt,
  };
}
