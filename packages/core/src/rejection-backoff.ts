/**
 * An API that rejects every token we fetch (a wrong audience, a client without access) must
 * not cost a token request per call. When a token fetched by a replay's refresh is refused
 * again, this key stops refreshing for a window that doubles on each repeat (1 s up to
 * 5 min): a 401 in that window goes back to the caller with no token request. The window
 * runs out by itself, so a fixed API is used again without a restart.
 */
const FIRST_WINDOW_MS = 1_000;
const MAX_WINDOW_MS = 5 * 60_000;

export interface RejectionBackoff {
  /**
   * A token a replay's refresh fetched was refused at once. Returns the window now in force
   * when this starts a new episode (report it once), else `undefined`.
   */
  refused(accessToken: string): number | undefined;
  /** Whether `accessToken` may be dropped for a refresh now. */
  mayInvalidate(accessToken: string): boolean;
}

export function rejectionBackoff(now: () => number = Date.now): RejectionBackoff {
  let token: string | undefined;
  let until = 0;
  let windowMs = 0;
  return {
    refused(accessToken) {
      const at = now();
      if (token === accessToken && at < until) return undefined; // the same episode
      // A repeat soon after the last window doubles it; a long quiet spell starts over.
      windowMs =
        windowMs > 0 && at - until < windowMs * 2
          ? Math.min(windowMs * 2, MAX_WINDOW_MS)
          : FIRST_WINDOW_MS;
      token = accessToken;
      until = at + windowMs;
      return windowMs;
    },
    mayInvalidate: (accessToken) => accessToken !== token || now() >= until,
  };
}
