import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshness, tokenTimes } from '../src/expiry.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import {
  issue,
  type Reply,
  scriptedEndpoint,
  scriptedProvider,
} from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

const defaults = { expirySkewMs: 60_000, refreshAheadRatio: 0.75, refreshJitterRatio: 0.05 };

describe('tokenTimes', () => {
  it('puts the mandatory point at lifetime - min(60 s, lifetime / 4)', () => {
    expect(tokenTimes(0, 900_000, defaults, () => 0).staleAt).toBe(840_000);
    expect(tokenTimes(0, 60_000, defaults, () => 0).staleAt).toBe(45_000);
    expect(tokenTimes(0, 3_000, defaults, () => 0).staleAt).toBe(2_250);
    expect(tokenTimes(1000, 86_400_000, defaults, () => 0)).toMatchObject({
      expiresAt: 86_401_000,
      staleAt: 86_341_000,
    });
  });

  it('puts the advisory point between 70 % and 75 % of the usable lifetime', () => {
    expect(tokenTimes(0, 900_000, defaults, () => 0).refreshAt).toBe(630_000);
    expect(tokenTimes(0, 900_000, defaults, () => 0.999_999).refreshAt).toBe(598_500);
    for (let i = 0; i < 100; i++) {
      const { refreshAt } = tokenTimes(0, 900_000, defaults);
      expect(refreshAt).toBeGreaterThanOrEqual(598_500);
      expect(refreshAt).toBeLessThanOrEqual(630_000);
    }
  });

  it('classifies fresh, refresh-ahead and stale', () => {
    const times = { refreshAt: 10, staleAt: 20 };
    expect([9, 10, 19, 20].map((now) => freshness(times, now))).toEqual([
      'fresh',
      'refresh-ahead',
      'refresh-ahead',
      'stale',
    ]);
  });
});

describe('two-tier refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(expiresIn: number | string, fallback?: () => Reply) {
    const endpoint = scriptedEndpoint(fallback ?? (() => issue(expiresIn)));
    return scriptedProvider(endpoint, { refreshJitterRatio: 0 }); // exact advisory points
  }

  const cases = [
    {
      name: 'a 24 h token with a string expires_in',
      expiresIn: '86400',
      refreshAt: 64_755_000,
      staleAt: 86_340_000,
    },
    { name: 'a 900 s token', expiresIn: 900, refreshAt: 630_000, staleAt: 840_000 },
    { name: 'a 60 s token', expiresIn: 60, refreshAt: 33_750, staleAt: 45_000 },
    { name: 'a 3 s token', expiresIn: 3, refreshAt: 1_687, staleAt: 2_250 },
  ];

  it.each(cases)('serves $name from cache, then refreshes ahead in the background', async (c) => {
    const { endpoint, tokens, events } = setup(c.expiresIn);
    const first = await settle(tokens.getToken());
    const start = endpoint.arrivals[0] as number;
    expect(first.expiresAt).toBe(start + Number(c.expiresIn) * 1000);

    await vi.setSystemTime(start + c.refreshAt - 1);
    expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    expect(endpoint.requests).toHaveLength(1);

    vi.setSystemTime(start + c.refreshAt);
    const during = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    expect(during.every((t) => t.accessToken === first.accessToken)).toBe(true);
    await settle(new Promise((resolve) => setTimeout(resolve, 0)));
    expect(endpoint.requests).toHaveLength(2);
    const second = await tokens.getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(
      events
        .filter((e) => e.type === 'token_fetched')
        .map((e) => e.type === 'token_fetched' && e.refreshedAhead),
    ).toEqual([false, true]);
  });

  it('makes callers wait for a new token after the mandatory point', async () => {
    const { endpoint, tokens } = setup(900);
    const first = await settle(tokens.getToken());
    const start = endpoint.arrivals[0] as number;
    vi.setSystemTime(start + 840_000);
    const next = await settle(tokens.getToken());
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('measures the lifetime from when the token request started', async () => {
    const endpoint = scriptedEndpoint(() => ({ ...issue(60), delayMs: 5_000 }));
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.example.test/oauth/v2/token',
      clientId: 'client',
      clientSecret: 'secret-value',
      fetch: endpoint.fetch,
      refreshAheadRatio: 1, // no refresh-ahead: only the mandatory point matters here
      refreshJitterRatio: 0,
    });
    const token = await settle(tokens.getToken(), 100);
    const start = endpoint.arrivals[0] as number;
    expect(Date.now() - start).toBeGreaterThanOrEqual(5_000);
    expect(token.expiresAt).toBe(start + 60_000);
    vi.setSystemTime(start + 44_999);
    expect((await tokens.getToken()).accessToken).toBe(token.accessToken);
    vi.setSystemTime(start + 45_000); // start + 60 s - 15 s, although the answer came at 5 s
    const next = await settle(tokens.getToken(), 100);
    expect(next.accessToken).not.toBe(token.accessToken);
  });

  it('keeps serving the valid token when a background refresh fails, and reports it once', async () => {
    let fail = false;
    const { endpoint, tokens, events } = setup(900, () =>
      fail ? { status: 500, body: { error: 'server_error' } } : issue(900),
    );
    const first = await settle(tokens.getToken());
    const start = endpoint.arrivals[0] as number;
    fail = true;
    vi.setSystemTime(start + 630_000);
    expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    // Three attempts with backoff take at most 300 ms; the failure is then remembered for 1 s.
    await settle(new Promise((resolve) => setTimeout(resolve, 500)));
    const attemptsAfterFailure = endpoint.requests.length;
    expect(attemptsAfterFailure).toBe(1 + 3); // one refresh, three attempts (default retry)
    const failed = events.filter((e) => e.type === 'refresh_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ servingUntil: start + 840_000 });
    expect(failed[0]?.type === 'refresh_failed' && failed[0].error.status).toBe(500);
    // Within the remembered-failure window, more calls do not start more refreshes.
    for (let i = 0; i < 10; i++)
      expect((await tokens.getToken()).accessToken).toBe(first.accessToken);
    expect(endpoint.requests).toHaveLength(attemptsAfterFailure);
    expect(events.some((e) => e.type === 'token_request_failed')).toBe(false);
  });
});
