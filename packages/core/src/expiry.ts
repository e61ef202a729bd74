/**
 * When a token stops being handed out, and when a refresh starts ahead of that: the two
 * tiers of botocore, Google's Go auth, MSAL and Envoy.
 *
 * - mandatory point `staleAt = start + lifetime - skew`, `skew = min(expirySkewMs, lifetime / 4)`,
 *   so a 60 s token keeps 45 s and a 3 s token keeps 2.25 s;
 * - advisory point `refreshAt = start + usable * ratio * (1 - jitter)`, `usable = lifetime - skew`,
 *   with `jitter` drawn from [0, refreshJitterRatio) so a fleet does not refresh in one second;
 *   when the server advises one (Entra's `refresh_in`, as MSAL honours it) and it lies before
 *   the mandatory point, `start + refreshIn * (1 - jitter)` instead. A later one is no advice
 *   we can follow without making callers wait, so it is ignored.
 *
 * `start` is when the token request started, so time spent waiting for the answer counts.
 */
export interface ExpiryOptions {
  /** Safety margin before `exp`, capped at a quarter of the lifetime. @default 60000 */
  expirySkewMs: number;
  /** Fraction of the usable lifetime after which one background refresh starts. @default 0.75 */
  refreshAheadRatio: number;
  /** Up to this fraction earlier, at random per token. @default 0.05 */
  refreshJitterRatio: number;
}

export interface TokenTimes {
  expiresAt: number;
  staleAt: number;
  refreshAt: number;
}

export function tokenTimes(
  startedAt: number,
  lifetimeMs: number,
  options: ExpiryOptions,
  random: () => number = Math.random,
  refreshInMs?: number,
): TokenTimes {
  const skew = Math.min(options.expirySkewMs, lifetimeMs / 4);
  const usable = lifetimeMs - skew;
  const jitter = 1 - random() * options.refreshJitterRatio;
  const advisory =
    refreshInMs !== undefined && refreshInMs < usable
      ? refreshInMs * jitter
      : usable * (options.refreshAheadRatio * jitter);
  return {
    expiresAt: startedAt + lifetimeMs,
    staleAt: startedAt + usable,
    refreshAt: startedAt + Math.floor(advisory),
  };
}

export type Freshness = 'fresh' | 'refresh-ahead' | 'stale';

export function freshness(
  times: Pick<TokenTimes, 'staleAt' | 'refreshAt'>,
  now: number,
): Freshness {
  if (now < times.refreshAt) return 'fresh';
  return now < times.staleAt ? 'refresh-ahead' : 'stale';
}
