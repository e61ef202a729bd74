/**
 * How far our clock is from the authorization server's. Learnt from the `Date` header of its
 * answers (one-second resolution, so offsets under `toleranceMs` are ignored as noise). Used
 * where the server's absolute time matters: a JWT `exp` without `iat`, and the `iat`/`exp` of
 * the client assertions we sign. `expires_in` is relative and needs no correction.
 */
export interface Clock {
  /** Server time now, in ms since the epoch. */
  now(): number;
  readonly offsetMs: number;
  /**
   * Takes a `Date` header seen at local time `localAt`. Returns the new offset when it moved
   * (to report), else `undefined`. Offsets within `toleranceMs` count as 0.
   */
  observe(dateHeader: string | null, localAt: number): number | undefined;
}

export function createClock(toleranceMs: number): Clock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    get offsetMs() {
      return offsetMs;
    },
    observe(dateHeader, localAt) {
      const serverAt = dateHeader ? Date.parse(dateHeader) : Number.NaN;
      if (!Number.isFinite(serverAt)) return undefined;
      // The header is truncated to the second: the server's time was within [serverAt, +1 s).
      const measured = serverAt + 500 - localAt;
      const next = Math.abs(measured) > toleranceMs ? Math.round(measured) : 0;
      // Reported when it moves by a second or more (the header's resolution), back to 0 too.
      if (Math.abs(next - offsetMs) < 1000) return undefined;
      offsetMs = next;
      return next;
    },
  };
}
