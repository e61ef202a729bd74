/**
 * The authorization server's clock: `Date.now()` plus an offset a test sets, so a client can
 * be tried against a server whose clock is ahead or behind its own (clock skew). Everything
 * the server dates reads it: the `Date` header, token `iat`/`exp`, assertion checks, and the
 * resource server's expiry check (through `AuthServer.verify`).
 */
export interface ServerClock {
  /** The server's "now", in milliseconds since the epoch. */
  now(): number;
  /** Milliseconds added to `Date.now()`; 0 is the real time. */
  readonly offsetMs: number;
  setOffset(ms: number): void;
}

export function createClock(): ServerClock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    get offsetMs() {
      return offsetMs;
    },
    setOffset(ms) {
      if (!Number.isFinite(ms)) throw new TypeError(`clock offset must be a finite number: ${ms}`);
      offsetMs = ms;
    },
  };
}

/** An RFC 9110 §5.6.7 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), what `Date` carries. */
export const httpDate = (ms: number): string => new Date(ms).toUTCString();
