/**
 * Salesforce answers a token request with no `expires_in` and an opaque token: the token gets
 * `defaultLifetimeMs` (set it to the org's session timeout), or its JWT `exp` when the org
 * issues JWT-based access tokens. Shapes from Salesforce's help pages (research for issue 17).
 */
import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { SignJWT } from 'jose';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import type { TokenEvent } from '../src/events.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import { nockProvider, useNock } from './helpers/nock-provider.ts';
import { scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

const origin = 'https://acme.my.salesforce.test';
const TWO_HOURS_MS = 2 * 3600 * 1000;
/** The client credentials flow's answer: `issued_at` is epoch milliseconds, as a string. */
const answer = (accessToken = '00D5g000004abcd!AQ4AQFakeOpaqueSessionId.Value_1') => ({
  access_token: accessToken,
  signature: 'ZGVhZGJlZWZkZWFkYmVlZmRlYWRiZWVmZGVhZGJlZWY=',
  scope: 'api',
  instance_url: 'https://acme.my.salesforce.com',
  id: 'https://login.salesforce.com/id/00D5g000004abcdEAA/0055g00000AbCdEAAV',
  token_type: 'Bearer',
  issued_at: '1765000000000',
});

describe('a Salesforce answer with no expires_in (nock)', () => {
  useNock();
  const provider = (options: Partial<TokenProviderOptions> = {}) =>
    nockProvider(`${origin}/services/oauth2/token`, {
      clientId: 'consumer-key',
      clientSecret: 'consumer-secret',
      clientAuth: 'client_secret_post',
      ...options,
    });

  it('lives defaultLifetimeMs, 5 minutes unless set', async () => {
    nock(origin).post('/services/oauth2/token').reply(200, answer());
    const { tokens, events } = provider();
    const before = Date.now();
    const token = await tokens.getToken();
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 300_000);
    expect(token.expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(events[0]).toMatchObject({ lifetimeMs: 300_000, lifetimeSource: 'default' });
    expect(token.extras?.['instance_url']).toBe('https://acme.my.salesforce.com');
  });

  it('lives the session timeout given as defaultLifetimeMs', async () => {
    nock(origin).post('/services/oauth2/token').reply(200, answer());
    const { tokens, events } = provider({ defaultLifetimeMs: TWO_HOURS_MS });
    const before = Date.now();
    const token = await tokens.getToken();
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + TWO_HOURS_MS);
    expect(token.expiresAt).toBeLessThanOrEqual(Date.now() + TWO_HOURS_MS);
    expect(events[0]).toMatchObject({ lifetimeMs: TWO_HOURS_MS, lifetimeSource: 'default' });
    expect(token).toMatchObject({ tokenType: 'Bearer', scope: 'api' });
  });

  it("takes a JWT-based access token's own exp over defaultLifetimeMs", async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ scp: ['api'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now)
      .setExpirationTime(now + 1800)
      .sign(new TextEncoder().encode('a-test-key-of-at-least-32-bytes!!'));
    nock(origin).post('/services/oauth2/token').reply(200, answer(jwt));
    const { tokens, events } = provider({ defaultLifetimeMs: TWO_HOURS_MS });
    await tokens.getToken();
    expect(events[0]).toMatchObject({ lifetimeMs: 1_800_000, lifetimeSource: 'jwt' });
  });
});

describe("from test-utils' salesforce profile (a real server, Salesforce's answer)", () => {
  let auth: AuthServer;
  const client = { clientId: 'consumer-key', clientSecret: 'consumer-secret' };
  beforeAll(async () => {
    auth = await startAuthServer({ clients: [{ ...client, users: ['run-as@acme.example'] }] });
  });
  afterAll(() => auth.close());

  it('gets the session timeout as its lifetime, and instance_url, id, signature, issued_at', async () => {
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('salesforce'),
      ...client,
      clientAuth: 'client_secret_post',
      defaultLifetimeMs: TWO_HOURS_MS,
      onEvent: (event) => events.push(event),
    });
    const token = await tokens.getToken();
    expect(token.accessToken).toMatch(/^00D/);
    expect(events[0]).toMatchObject({ lifetimeMs: TWO_HOURS_MS, lifetimeSource: 'default' });
    expect(Object.keys(token.extras ?? {}).sort()).toEqual([
      'id',
      'instance_url',
      'issued_at',
      'signature',
    ]);
    expect(token.extras?.['instance_url']).toBe(auth.url);
  });
});

describe('defaultLifetimeMs', () => {
  it.each([0, 999, -1, Number.NaN, 11 * 365 * 24 * 3600 * 1000])(
    'refuses %s, as core would from a server (0 would make every call a token request)',
    (defaultLifetimeMs) => {
      const create = () => nockProvider(`${origin}/services/oauth2/token`, { defaultLifetimeMs });
      expect(create).toThrow(ConfigError);
      expect(create).toThrow('defaultLifetimeMs is in milliseconds, from 1000 to ten years');
    },
  );
});

describe('a Salesforce token with the session timeout as defaultLifetimeMs, over time', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is refreshed in the background after 1 h 29 m 15 s and handed out until 1 h 59 m', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let n = 0;
    const endpoint = scriptedEndpoint(() => ({ body: answer(`00D5g000004abcd!AQ4AQ.${++n}`) }));
    const { tokens, events } = scriptedProvider(endpoint, {
      defaultLifetimeMs: TWO_HOURS_MS,
      refreshJitterRatio: 0, // exact points; by default up to 5 % earlier
      retry: { maxAttempts: 1 },
    });
    const first = await settle(tokens.getToken());
    const start = endpoint.arrivals[0] as number;
    const advisory = (3600 + 29 * 60 + 15) * 1000;
    const mandatory = (3600 + 59 * 60) * 1000;

    await vi.setSystemTime(start + advisory - 1);
    expect(await tokens.getToken()).toBe(first);
    expect(endpoint.requests).toHaveLength(1);

    // From the advisory point: served at once while a background refresh runs (failing here).
    endpoint.queue.push({ status: 503 }, { status: 503 });
    await vi.setSystemTime(start + advisory);
    expect(await tokens.getToken()).toBe(first);
    await settle(Promise.resolve());
    expect(endpoint.requests).toHaveLength(2);
    await vi.setSystemTime(start + mandatory - 1);
    expect(await tokens.getToken()).toBe(first);
    await settle(Promise.resolve());
    expect(endpoint.requests).toHaveLength(3);
    expect(events.filter((e) => e.type === 'refresh_failed')).toHaveLength(2);

    // From the mandatory point it is never handed out: the caller gets the failure just
    // remembered (failureCacheMs), then waits for a new token.
    await vi.setSystemTime(start + mandatory);
    await expect(tokens.getToken()).rejects.toMatchObject({ status: 503 });
    await vi.setSystemTime(start + mandatory + 1000);
    const second = await settle(tokens.getToken());
    expect(second.accessToken).toBe('00D5g000004abcd!AQ4AQ.2');
    expect(endpoint.requests).toHaveLength(4);
    expect(second.expiresAt).toBe((endpoint.arrivals[3] as number) + TWO_HOURS_MS);
  });
});
