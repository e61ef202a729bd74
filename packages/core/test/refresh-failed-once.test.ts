import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AccessToken, createTokenProvider, type TokenEvent } from '../src/index.ts';

// A token endpoint down while the cached token is in its refresh-ahead window: every caller
// is served the cached token, and each failed background refresh is reported once, however
// many callers joined it or arrived while its failure was remembered.
describe('refresh_failed', () => {
  let auth: AuthServer;
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterAll(() => auth.close());
  afterEach(() => {
    auth.control.clearFaults();
    auth.control.resetLifetimes();
    auth.stats.reset();
  });

  function provider(maxAttempts: number) {
    const events: TokenEvent[] = [];
    // 20 s tokens: refresh-ahead from 150 ms (1 % of the usable 15 s), stale only at 15 s, so
    // the whole outage happens while the cached token is still valid.
    auth.control.setLifetime(20, 'generic');
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      refreshAheadRatio: 0.01,
      refreshJitterRatio: 0,
      failureCacheMs: 50,
      retry: { maxAttempts, baseDelayMs: 20, maxDelayMs: 50 },
      onEvent: (event) => events.push(event),
    });
    return { tokens, events };
  }

  /**
   * Bursts of concurrent callers, then sequential ones, until a background refresh succeeds:
   * the outage is the `failedRequests` token requests the server fails before it recovers.
   */
  async function callThroughOutage(
    tokens: ReturnType<typeof createTokenProvider>,
    events: TokenEvent[],
  ): Promise<{ served: Set<string>; calls: number }> {
    const served = new Set<string>();
    let calls = 0;
    const take = (token: AccessToken) => {
      served.add(token.accessToken);
      calls++;
    };
    const refreshed = () => events.some((e) => e.type === 'token_fetched' && e.refreshedAhead);
    for (let round = 0; !refreshed() && round < 2_000; round++) {
      for (const token of await Promise.all(Array.from({ length: 25 }, () => tokens.getToken()))) {
        take(token);
      }
      for (let i = 0; i < 5; i++) take(await tokens.getToken());
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return { served, calls };
  }

  it('is reported once per failed token request, not once per caller', async () => {
    const { tokens, events } = provider(1);
    const first = await tokens.getToken();
    await new Promise((resolve) => setTimeout(resolve, 200)); // into the refresh-ahead window
    const outage = 8;
    auth.control.inject({ type: 'status', status: 503 }, outage);

    const { served, calls } = await callThroughOutage(tokens, events);

    const failedAtServer = auth.stats.requests.filter((r) => r.fault !== undefined);
    expect(failedAtServer).toHaveLength(outage);
    const failed = events.filter((e) => e.type === 'refresh_failed');
    expect(failed).toHaveLength(outage);
    expect(failed.map((e) => e.type === 'refresh_failed' && e.error.status)).toEqual(
      Array(outage).fill(503),
    );
    // Far more callers than failures, all served the cached token until the refresh won.
    expect(calls).toBeGreaterThan(outage * 30);
    expect(served.has(first.accessToken)).toBe(true);
    expect(events.filter((e) => e.type === 'token_request_failed')).toHaveLength(0);
    expect(auth.stats.issued).toBe(2); // the first token and the one refresh that succeeded
  });

  it('counts a refresh with its retries as one failed token request', async () => {
    const { tokens, events } = provider(3);
    await tokens.getToken();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refreshes = 4;
    auth.control.inject({ type: 'status', status: 503 }, refreshes * 3);

    const { calls } = await callThroughOutage(tokens, events);

    expect(auth.stats.requests.filter((r) => r.fault !== undefined)).toHaveLength(refreshes * 3);
    expect(events.filter((e) => e.type === 'refresh_failed')).toHaveLength(refreshes);
    expect(events.filter((e) => e.type === 'token_request_retried')).toHaveLength(refreshes * 2);
    expect(calls).toBeGreaterThan(refreshes * 30);
  });
});
