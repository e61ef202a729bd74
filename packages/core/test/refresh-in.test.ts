/**
 * Entra's `refresh_in` ("duration after which a token should be renewed, regardless of
 * expiration", MSAL's ServerAuthorizationTokenResponse) is the advisory refresh point when
 * it lies before the mandatory one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tokenTimes } from '../src/expiry.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import { readTokenResponse } from '../src/token-response.ts';
import { issue, scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

const defaults = { expirySkewMs: 60_000, refreshAheadRatio: 0.75, refreshJitterRatio: 0.05 };
const DAY_S = 86_399;
const HALF_DAY_S = 43_199;

describe('tokenTimes with a server-advised refresh point', () => {
  it('puts the advisory point at refresh_in, jittered like the default one', () => {
    expect(tokenTimes(1000, DAY_S * 1000, defaults, () => 0, HALF_DAY_S * 1000)).toEqual({
      expiresAt: 1000 + DAY_S * 1000,
      staleAt: 1000 + DAY_S * 1000 - 60_000,
      refreshAt: 1000 + HALF_DAY_S * 1000,
    });
    expect(tokenTimes(0, DAY_S * 1000, defaults, () => 0.5, HALF_DAY_S * 1000).refreshAt).toBe(
      Math.floor(HALF_DAY_S * 1000 * 0.975),
    );
  });

  it('ignores a refresh_in at or past the mandatory point: the default advisory point stands', () => {
    const own = tokenTimes(0, 3_600_000, defaults, () => 0);
    expect(own.refreshAt).toBe(2_655_000);
    for (const refreshInMs of [own.staleAt, 3_600_000, 7_200_000]) {
      expect(tokenTimes(0, 3_600_000, defaults, () => 0, refreshInMs)).toEqual(own);
    }
    expect(tokenTimes(0, 3_600_000, defaults, () => 0, own.staleAt - 1).refreshAt).toBe(
      own.staleAt - 1,
    );
  });
});

describe('reading refresh_in', () => {
  const read = (body: object) =>
    readTokenResponse(
      JSON.stringify({ access_token: 'tok', expires_in: 3600, ...body }),
      { status: 200, contentType: 'application/json', retryAfterMs: undefined, redact: (t) => t },
      300_000,
      0,
    ).refreshInMs;

  it('takes seconds as a number or a decimal string, like expires_in', () => {
    expect(read({ refresh_in: 1800 })).toBe(1_800_000);
    expect(read({ refresh_in: '1800' })).toBe(1_800_000);
    expect(read({ refresh_in: ' 90.5 ' })).toBe(90_500);
  });

  it.each([
    ['absent', {}],
    ['zero', { refresh_in: 0 }],
    ['negative', { refresh_in: -5 }],
    ['not a number', { refresh_in: 'soon' }],
    ['an exponent string', { refresh_in: '1e3' }],
    ['null', { refresh_in: null }],
  ])('treats refresh_in %s as not given', (_name, body) => {
    expect(read(body)).toBeUndefined();
  });
});

describe('refresh_in on a provider (Entra-shaped answers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const entra = (refreshIn: number | string) => () =>
    issue(DAY_S, { ext_expires_in: DAY_S, refresh_in: refreshIn });

  it.each([
    ['a number', HALF_DAY_S],
    ['a string', String(HALF_DAY_S)],
  ])(
    'refreshes in the background at refresh_in given as %s (%s), not at 75 %%',
    async (_name, value) => {
      const endpoint = scriptedEndpoint(entra(value));
      const { tokens } = scriptedProvider(endpoint, { refreshJitterRatio: 0 });
      const first = await settle(tokens.getToken());
      const start = endpoint.arrivals[0] as number;
      expect(first.expiresAt).toBe(start + DAY_S * 1000);
      expect(first.extras).toStrictEqual({ ext_expires_in: DAY_S });

      await vi.setSystemTime(start + HALF_DAY_S * 1000 - 1);
      expect(await tokens.getToken()).toBe(first);
      expect(endpoint.requests).toHaveLength(1);

      await vi.setSystemTime(start + HALF_DAY_S * 1000);
      expect(await tokens.getToken()).toBe(first); // served at once, refreshed behind it
      await settle(Promise.resolve());
      expect(endpoint.requests).toHaveLength(2);
      expect((await tokens.getToken()).accessToken).not.toBe(first.accessToken);
    },
  );

  it('keeps its own advisory point when refresh_in is past the mandatory one', async () => {
    const endpoint = scriptedEndpoint(entra(DAY_S * 2));
    const { tokens } = scriptedProvider(endpoint, { refreshJitterRatio: 0 });
    const first = await settle(tokens.getToken());
    const start = endpoint.arrivals[0] as number;
    const ownAdvisory = Math.floor((DAY_S * 1000 - 60_000) * 0.75);
    await vi.setSystemTime(start + ownAdvisory - 1);
    expect(await tokens.getToken()).toBe(first);
    expect(endpoint.requests).toHaveLength(1);
    await vi.setSystemTime(start + ownAdvisory);
    await tokens.getToken();
    await settle(Promise.resolve());
    expect(endpoint.requests).toHaveLength(2);
  });
});

describe('refresh_in from a real token server', () => {
  let auth: AuthServer;
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterAll(() => auth.close());

  it('refreshes a 20 s token in the background after its refresh_in of 1 s, not after ~11 s', async () => {
    auth.control.setLifetime(20, 'generic');
    auth.control.inject({ type: 'members', set: { refresh_in: '1' } });
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    });
    const first = await tokens.getToken();
    await sleep(1500);
    expect(await tokens.getToken()).toBe(first); // still valid: served while one refresh runs
    await vi.waitFor(() => expect(auth.stats.total).toBe(2), { timeout: 5000 });
    await vi.waitFor(async () =>
      expect((await tokens.getToken()).accessToken).not.toBe(first.accessToken),
    );
    expect(auth.stats.total).toBe(2);
  });
});
