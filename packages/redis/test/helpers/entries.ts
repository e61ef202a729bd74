import type { StoredToken } from '@m2m-auth/core';

/**
 * A stored token. By default it is already past its refresh point, so a store reads Redis
 * for it rather than serving its local copy; `fresh: true` gives one before that point.
 */
export function entry(accessToken: string, { fresh = false } = {}): StoredToken {
  const now = Date.now();
  return {
    token: { accessToken, tokenType: 'Bearer', expiresAt: now + 60_000 },
    obtainedAt: now,
    refreshAt: fresh ? now + 30_000 : now,
    staleAt: now + 45_000,
  };
}
