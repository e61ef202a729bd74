/**
 * Replay protection for client assertions (RFC 7523 §3 item 7): every accepted `jti` is kept
 * until its assertion's `exp` (plus the leeway it was accepted with) has passed; after that
 * the assertion is refused as expired anyway, so it can go. "Passed" on both the server's
 * clock and the real one: a test that moves the clock ahead and then back (`setClockOffset`)
 * must not make the server forget a jti that is valid again.
 */
export interface SeenJtis {
  /** Records `jti` of `clientId`; false when it was already seen (a replay). */
  claim(clientId: string, jti: string, expSeconds: number): boolean;
  readonly size: number;
}

export function createSeenJtis(now: () => number, leewaySeconds: number): SeenJtis {
  const seen = new Map<string, number>();
  const forget = () => {
    const nowSeconds = Math.min(now(), Date.now()) / 1000;
    for (const [key, exp] of seen) if (exp + leewaySeconds < nowSeconds) seen.delete(key);
  };
  return {
    claim(clientId, jti, expSeconds) {
      forget();
      // jti is unique per issuer (RFC 7519 §4.1.7), and the issuer of an assertion is the client.
      const key = JSON.stringify([clientId, jti]);
      if (seen.has(key)) return false;
      seen.set(key, expSeconds);
      return true;
    },
    get size() {
      return seen.size;
    },
  };
}
