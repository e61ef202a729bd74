import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { createRequestPolicy } from '../src/request-policy.ts';
import type { TokenProvider } from '../src/token-provider.ts';
import type { AccessToken } from '../src/token-store.ts';

/** A provider that hands out tok-1, tok-2, ... and records what it was asked. */
function countingProvider(scope?: string) {
  const calls = { getToken: 0, invalidated: [] as string[], scopes: [] as string[] };
  let current = 1;
  const make = (s: string | undefined): TokenProvider => ({
    scope: s,
    async getToken(): Promise<AccessToken> {
      calls.getToken++;
      return { accessToken: `tok-${current}`, tokenType: 'Bearer', expiresAt: Date.now() + 60_000 };
    },
    async invalidate(token) {
      calls.invalidated.push(token);
      if (token !== `tok-${current}`) return false;
      current++;
      return true;
    },
    forScope(next) {
      const joined = typeof next === 'string' ? next : next.join(' ');
      calls.scopes.push(joined);
      return make(joined);
    },
  });
  return { provider: make(scope), calls };
}

describe('createRequestPolicy', () => {
  it('attaches a token only to the allowed origins', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: ['https://api.vendor.example'] });
    const ours = await policy.authorize({
      url: 'https://api.vendor.example/v1/x',
      hasAuthorization: false,
    });
    expect(ours?.header).toBe('Bearer tok-1');
    expect(ours?.accessToken).toBe('tok-1');
    const other = await policy.authorize({
      url: 'https://evil.example/v1/x',
      hasAuthorization: false,
    });
    expect(other).toBeUndefined();
    expect(policy.serves('https://api.vendor.example:443/y')).toBe(true);
    expect(policy.serves('https://api.vendor.example:8443/y')).toBe(false);
    expect(policy.serves('http://api.vendor.example/y')).toBe(false);
  });

  it('falls back to the client base URL when no origins are given', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, {}, { baseUrl: 'https://api.vendor.example/v2/' });
    expect(policy.serves('https://api.vendor.example/other')).toBe(true);
    expect(policy.serves('https://cdn.vendor.example/')).toBe(false);
  });

  it('throws a ConfigError at creation when no origin is known', () => {
    const { provider } = countingProvider();
    expect(() => createRequestPolicy(provider, {}, { adapter: 'fetchAuth' })).toThrow(ConfigError);
    expect(() => createRequestPolicy(provider, {}, { adapter: 'fetchAuth' })).toThrow(
      /fetchAuth does not know which origins/,
    );
  });

  it("sends to every origin with '*', but never over plain http off loopback", async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    expect(policy.serves('https://anything.example/')).toBe(true);
    expect(policy.serves('http://127.0.0.1:8080/')).toBe(true);
    expect(policy.serves('http://localhost:3000/')).toBe(true);
    expect(policy.serves('http://[::1]:3000/')).toBe(true);
    expect(policy.serves('http://api.example/')).toBe(false);
    await expect(
      policy.authorize({ url: 'http://api.example/x', hasAuthorization: false }),
    ).rejects.toThrow(/Refusing to send a token to http:\/\/api.example over plain http/);
  });

  it('refuses plain http origins that are not loopback unless allowInsecureHttp', () => {
    const { provider } = countingProvider();
    expect(() => createRequestPolicy(provider, { origins: ['http://api.internal'] })).toThrow(
      ConfigError,
    );
    const policy = createRequestPolicy(provider, {
      origins: ['http://api.internal'],
      allowInsecureHttp: true,
    });
    expect(policy.serves('http://api.internal/x')).toBe(true);
  });

  it('rejects an origin that is not an absolute URL', () => {
    const { provider } = countingProvider();
    expect(() => createRequestPolicy(provider, { origins: ['api.vendor.example'] })).toThrow(
      /not an absolute URL/,
    );
  });

  it('leaves a request that already has an Authorization header alone', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const result = await policy.authorize({ url: 'https://api.example/', hasAuthorization: true });
    expect(result).toBeUndefined();
    expect(calls.getToken).toBe(0);
  });

  it('uses forScope for a per-request scope', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const result = await policy.authorize({
      url: 'https://api.example/',
      hasAuthorization: false,
      scope: 'tenant/acme',
    });
    expect(calls.scopes).toEqual(['tenant/acme']);
    expect(result?.provider.scope).toBe('tenant/acme');
  });

  it('on a 401 to a request we authorized: invalidates that token and replays once', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const sent = await policy.authorize({ url: 'https://api.example/', hasAuthorization: false });
    const replay = await policy.replayAuthorization({ status: 401, sent, replayed: false });
    expect(calls.invalidated).toEqual(['tok-1']);
    expect(replay?.header).toBe('Bearer tok-2');
    const again = await policy.replayAuthorization({ status: 401, sent: replay, replayed: true });
    expect(again).toBeUndefined();
    expect(calls.invalidated).toEqual(['tok-1']);
  });

  it('answers shouldReplay synchronously with the same rule', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const sent = await policy.authorize({ url: 'https://api.example/', hasAuthorization: false });
    expect(policy.shouldReplay({ status: 401, sent, replayed: false })).toBe(true);
    expect(policy.shouldReplay({ status: 401, sent, replayed: true })).toBe(false);
    expect(policy.shouldReplay({ status: 401, sent: undefined, replayed: false })).toBe(false);
    expect(policy.shouldReplay({ status: 403, sent, replayed: false })).toBe(false);
  });

  it('passes 403, other statuses and 401s to requests we did not authorize through', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const sent = await policy.authorize({ url: 'https://api.example/', hasAuthorization: false });
    for (const status of [200, 400, 403, 404, 500]) {
      expect(await policy.replayAuthorization({ status, sent, replayed: false })).toBeUndefined();
    }
    expect(
      await policy.replayAuthorization({ status: 401, sent: undefined, replayed: false }),
    ).toBeUndefined();
    expect(calls.invalidated).toEqual([]);
  });

  it('judges each URL afresh when the URL changes (its last verdict is remembered)', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: ['https://api.vendor.example'] });
    const ask = (url: string) => policy.authorize({ url, hasAuthorization: false });
    for (const url of ['https://api.vendor.example/a', 'https://api.vendor.example/a']) {
      expect((await ask(url))?.header).toBe('Bearer tok-1');
    }
    expect(await ask('https://evil.example/a')).toBeUndefined();
    expect((await ask('https://api.vendor.example/a'))?.header).toBe('Bearer tok-1');
    expect(policy.serves('http://api.vendor.example/a')).toBe(false);
    expect(policy.serves('https://api.vendor.example/a')).toBe(true);
    const open = createRequestPolicy(provider, { origins: '*' });
    await open.authorize({ url: 'https://api.example/x', hasAuthorization: false });
    await expect(
      open.authorize({ url: 'http://api.example/x', hasAuthorization: false }),
    ).rejects.toThrow(/Refusing to send a token to http:\/\/api.example/);
    await expect(open.authorize({ url: 'not a url', hasAuthorization: false })).rejects.toThrow(
      TypeError,
    );
  });

  it('reuses the authorization while the token is unchanged, and not across tokens', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const ask = () => policy.authorize({ url: 'https://api.example/', hasAuthorization: false });
    const first = await ask();
    expect(await ask()).toBe(first);
    const replay = await policy.replayAuthorization({ status: 401, sent: first, replayed: false });
    expect(replay).toMatchObject({ header: 'Bearer tok-2', accessToken: 'tok-2' });
    expect(await ask()).toEqual(replay);
    expect(first).toMatchObject({ header: 'Bearer tok-1', accessToken: 'tok-1' });
  });

  it('keeps the token on same-origin redirects only', () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    expect(policy.keepsTokenOnRedirect('https://a.example/x', 'https://a.example/y')).toBe(true);
    expect(policy.keepsTokenOnRedirect('https://a.example/x', 'https://b.example/x')).toBe(false);
    expect(policy.keepsTokenOnRedirect('https://a.example/x', 'http://a.example/x')).toBe(false);
  });
});
