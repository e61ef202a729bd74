import { describe, expect, it } from 'vitest';
import { createRequestPolicy, type Exchange, isPromise } from '../src/adapter.ts';
import { ConfigError } from '../src/errors.ts';
import { recordHeaders } from '../src/record-headers.ts';
import { createTokenProvider, type TokenProvider } from '../src/token-provider.ts';
import type { AccessToken } from '../src/token-store.ts';

/** A provider that hands out tok-1, tok-2, ... and records what it was asked. */
function countingProvider(scope?: string, prefix = 'tok-') {
  const calls = { getToken: 0, invalidated: [] as string[], scopes: [] as string[] };
  let current = 1;
  const make = (s: string | undefined): TokenProvider => ({
    scope: s,
    async getToken(): Promise<AccessToken> {
      calls.getToken++;
      return {
        accessToken: `${prefix}${current}`,
        tokenType: 'Bearer',
        expiresAt: Date.now() + 60_000,
      };
    },
    async invalidate(token, options) {
      // A refused refresh is a report to the provider's backoff, not an invalidation.
      if (options?.refusedAfterRefresh) return false;
      calls.invalidated.push(token);
      if (token !== `${prefix}${current}`) return false;
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

/** Our headers as an exchange puts them on a plain object. */
function applied(exchange: { apply(h: ReturnType<typeof recordHeaders>): void } | undefined) {
  const headers: Record<string, unknown> = {};
  exchange?.apply(recordHeaders(headers));
  return headers;
}
const noHeaders = () => null;

describe('createRequestPolicy', () => {
  it('attaches a token only to the allowed origins', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: ['https://api.vendor.example'] });
    const ours = await policy.begin({ url: 'https://api.vendor.example/v1/x' });
    expect(ours?.headers()?.authorization).toBe('Bearer tok-1');
    expect(applied(ours)).toEqual({ authorization: 'Bearer tok-1' });
    expect(await policy.begin({ url: 'https://evil.example/v1/x' })).toBeUndefined();
    expect(policy.serves('https://api.vendor.example:443/y')).toBe(true);
    expect(policy.serves('https://api.vendor.example:8443/y')).toBe(false);
    expect(policy.serves('http://api.vendor.example/y')).toBe(false);
  });

  it('concerns() answers as begin() acts: every request begin() would authorize, strip or refuse, and no other', async () => {
    const { provider } = countingProvider();
    const listed = createRequestPolicy(provider, { origins: ['https://api.vendor.example'] });
    const cases: Array<[string, unknown]> = [
      ['https://api.vendor.example/x', undefined],
      ['https://api.vendor.example/x', 'Basic theirs'], // the caller's own: left alone
      ['https://other.example/x', undefined],
    ];
    const ours = (await listed.begin({ url: 'https://api.vendor.example/x' }))?.headers();
    cases.push(['https://other.example/x', ours?.authorization]); // ours, moved: stripped
    for (const [url, authorization] of cases) {
      const begun = await listed.begin({ url, authorization });
      expect([url, authorization, listed.concerns(url, authorization)]).toEqual([
        url,
        authorization,
        begun !== undefined,
      ]);
    }
    expect(cases.map(([url, authorization]) => listed.concerns(url, authorization))).toEqual([
      true,
      false,
      false,
      true,
    ]);
    // Any origin, over plain http: begin() refuses it, so it concerns the policy.
    const any = createRequestPolicy(provider, { origins: '*' });
    expect(any.concerns('http://api.plain.example/x', undefined)).toBe(true);
    await expect(any.begin({ url: 'http://api.plain.example/x' })).rejects.toThrow(ConfigError);
  });

  it('takes one origin given as a string, not as a list of characters', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: 'https://api.vendor.example/v1/' });
    expect(policy.serves('https://api.vendor.example/x')).toBe(true);
    expect(policy.serves('https://cdn.vendor.example/x')).toBe(false);
    expect((await policy.begin({ url: 'https://api.vendor.example/y' }))?.headers()).toEqual({
      authorization: 'Bearer tok-1',
    });
    expect(await policy.begin({ url: 'https://cdn.vendor.example/y' })).toBeUndefined();
    expect(() => createRequestPolicy(provider, { origins: 'http://api.internal' })).toThrow(
      'http://api.internal is plain http: and not loopback; use https: or set allowInsecureHttp',
    );
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
    await expect(policy.begin({ url: 'http://api.example/x' })).rejects.toThrow(
      /Refusing to send a token to http:\/\/api.example over plain http/,
    );
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

  it("leaves a request that already has the caller's own Authorization header alone", async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    for (const authorization of ['Bearer theirs', 'Basic dXNlcjpwYXNz', ['Bearer a', 'b']]) {
      expect(await policy.begin({ url: 'https://api.example/', authorization })).toBeUndefined();
    }
    expect(calls.getToken).toBe(0);
  });

  it('renews a header of ours wherever it turns up: a token we issued, an invalidated one, the masked form', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const url = 'https://api.example/';
    const first = await policy.begin({ url });
    expect(await first?.answer(401, noHeaders)).toBe(true); // tok-1 invalidated, tok-2 ready
    // A retry layer's clone that still carries tok-1 (or a masked form) gets the current token.
    for (const authorization of [
      'Bearer tok-1',
      'Bearer tok-2',
      'Bearer [redacted]',
      'DPoP [redacted]',
    ]) {
      expect((await policy.begin({ url, authorization }))?.headers()?.authorization).toBe(
        'Bearer tok-2',
      );
    }
    expect(calls.invalidated).toEqual(['tok-1']);
  });

  it('uses forScope for a per-request scope', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const result = await policy.begin({ url: 'https://api.example/', scope: 'tenant/acme' });
    expect(calls.scopes).toEqual(['tenant/acme']);
    expect(result?.headers()?.authorization).toBe('Bearer tok-1');
  });

  it('on a 401 to a request we authorized: invalidates that token and replays once', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const exchange = await policy.begin({ url: 'https://api.example/' });
    expect(await exchange?.answer(401, noHeaders)).toBe(true);
    expect(calls.invalidated).toEqual(['tok-1']);
    expect(exchange?.headers()?.authorization).toBe('Bearer tok-2');
    // The replay's own 401 stands.
    expect(exchange?.answer(401, noHeaders)).toBeUndefined();
    expect(calls.invalidated).toEqual(['tok-1']);
  });

  it('answers every response but a fixable 401 synchronously', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const exchange = await policy.begin({ url: 'https://api.example/' });
    for (const status of [200, 400, 403, 404, 500, 503]) {
      expect(exchange?.answer(status, noHeaders)).toBeUndefined();
    }
    expect(calls.invalidated).toEqual([]);
    expect(exchange?.answer(401, noHeaders)).toBeInstanceOf(Promise);
  });

  it('keeps the one refresh spent across the attempts of one logical request', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const url = 'https://api.example/';
    const first = await policy.begin({ url });
    // 503, a retry layer re-sends: the next attempt, with the current token.
    expect(first?.answer(503, noHeaders)).toBeUndefined();
    const retry = await policy.begin(
      { url, authorization: first?.headers()?.authorization },
      first,
    );
    expect(retry?.headers()?.authorization).toBe('Bearer tok-1');
    // 401: refresh once; our replay goes through the client as the next attempt.
    expect(await retry?.answer(401, noHeaders)).toBe(true);
    const replay = await policy.begin({ url, authorization: 'Bearer tok-1' }, retry);
    expect(replay?.headers()?.authorization).toBe('Bearer tok-2');
    // 503 on the replay, the retry layer again: current token, and its 401 stands.
    expect(replay?.answer(503, noHeaders)).toBeUndefined();
    const again = await policy.begin({ url, authorization: 'Bearer [redacted]' }, replay);
    expect(again?.headers()?.authorization).toBe('Bearer tok-2');
    expect(again?.answer(401, noHeaders)).toBeUndefined();
    expect(calls.invalidated).toEqual(['tok-1']);
  });

  it('replays a 401 only when the body can be sent again whole', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const url = 'https://api.example/';
    const stream = new ReadableStream();
    const iterable = { async *[Symbol.asyncIterator]() {} };
    const piped = { pipe() {} };
    for (const body of [stream, iterable, piped]) {
      const exchange = await policy.begin({ url, method: 'POST', body });
      expect(exchange?.mayReplay).toBe(false);
      expect(exchange?.answer(401, noHeaders)).toBeUndefined();
    }
    for (const body of [
      '{"a":1}',
      new URLSearchParams('a=1'),
      new FormData(),
      new Blob(['x']),
      new Uint8Array(2),
    ]) {
      const exchange = await policy.begin({ url, method: 'POST', body });
      expect(exchange?.mayReplay).toBe(true);
    }
    // The client knows better: it keeps a copy, or it cannot re-make the body.
    expect((await policy.begin({ url, body: stream, resendable: true }))?.mayReplay).toBe(true);
    const told = await policy.begin({ url, body: 'text' });
    expect(told?.answer(401, noHeaders, false)).toBeUndefined();
    expect(calls.invalidated).toEqual([]);
  });

  it('judges each URL afresh when the URL changes (its last verdict is remembered)', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: ['https://api.vendor.example'] });
    const ask = (url: string) => policy.begin({ url });
    for (const url of ['https://api.vendor.example/a', 'https://api.vendor.example/a']) {
      expect((await ask(url))?.headers()?.authorization).toBe('Bearer tok-1');
    }
    expect(await ask('https://evil.example/a')).toBeUndefined();
    expect((await ask('https://api.vendor.example/a'))?.headers()?.authorization).toBe(
      'Bearer tok-1',
    );
    expect(policy.serves('http://api.vendor.example/a')).toBe(false);
    expect(policy.serves('https://api.vendor.example/a')).toBe(true);
    // Another path on the remembered origin is judged by its text; what only looks alike is parsed.
    expect(policy.serves('https://api.vendor.example/b?c=d')).toBe(true);
    for (const lookalike of [
      'https://api.vendor.example.evil.example/a',
      'https://api.vendor.example@evil.example/a',
      'https://api.vendor.example:8443/a',
    ]) {
      expect(policy.serves('https://api.vendor.example/a')).toBe(true);
      expect(policy.serves(lookalike), lookalike).toBe(false);
    }
    const open = createRequestPolicy(provider, { origins: '*' });
    await open.begin({ url: 'https://api.example/x' });
    await expect(open.begin({ url: 'http://api.example/x' })).rejects.toThrow(
      /Refusing to send a token to http:\/\/api.example/,
    );
    await expect(open.begin({ url: 'not a url' })).rejects.toThrow(TypeError);
  });

  it('begins at once with a token our provider has cached; a provider of your own is awaited', async () => {
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.example/token',
      clientId: 'id',
      clientSecret: 'secret',
      fetch: async () =>
        Response.json({ access_token: 'cached-1', token_type: 'Bearer', expires_in: 3600 }),
    });
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const cold = policy.begin({ url: 'https://api.example/a' });
    expect(isPromise(cold)).toBe(true);
    expect((await cold)?.headers()?.authorization).toBe('Bearer cached-1');
    const warm = policy.begin({ url: 'https://api.example/b' });
    expect(isPromise(warm)).toBe(false);
    expect((warm as Exchange | undefined)?.headers()?.authorization).toBe('Bearer cached-1');
    // Refused at once, still a rejection: an adapter that awaits sees what it always saw.
    const refused = policy.begin({ url: 'http://api.example/a' });
    await expect(refused).rejects.toThrow(ConfigError);
    const own = createRequestPolicy(countingProvider().provider, { origins: '*' });
    await own.begin({ url: 'https://api.example/a' });
    expect(isPromise(own.begin({ url: 'https://api.example/a' }))).toBe(true);
    // A wrapper spread from ours is a provider of its own: its getToken is asked.
    let asked = 0;
    const wrapped = createRequestPolicy(
      {
        ...tokens,
        getToken: (options) => {
          asked++;
          return tokens.getToken(options);
        },
      },
      { origins: '*' },
    );
    expect(isPromise(wrapped.begin({ url: 'https://api.example/a' }))).toBe(true);
    expect(asked).toBe(1);
  });

  it('reuses the authorization while the token is unchanged, and not across tokens', async () => {
    const { provider } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const ask = () => policy.begin({ url: 'https://api.example/' });
    const first = await ask();
    expect((await ask())?.headers()?.authorization).toBe(first?.headers()?.authorization);
    expect(await first?.answer(401, noHeaders)).toBe(true);
    expect(first?.headers()?.authorization).toBe('Bearer tok-2');
    expect((await ask())?.headers()?.authorization).toBe('Bearer tok-2');
  });

  it('keeps the token on same-origin redirects only; a crossed request gets none again', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const same = await policy.begin({ url: 'https://a.example/x' });
    const headers: Record<string, unknown> = {
      authorization: same?.headers()?.authorization,
      'x-other': '1',
    };
    same?.redirect('https://a.example/x', 'https://a.example/y', recordHeaders(headers));
    expect(headers).toMatchObject({ authorization: 'Bearer tok-1' });
    for (const to of ['https://b.example/x', 'http://a.example/x']) {
      const exchange = await policy.begin({ url: 'https://a.example/x' });
      const sent: Record<string, unknown> = {
        Authorization: exchange?.headers()?.authorization,
        'x-other': '1',
      };
      exchange?.redirect('https://a.example/x', to, recordHeaders(sent));
      expect(sent).toEqual({ 'x-other': '1' });
      expect(exchange?.crossed).toBe(true);
      // got runs beforeRequest again after a redirect: the crossed request stays crossed.
      const next = await policy.begin({ url: 'https://a.example/z' }, exchange);
      expect(applied(next)).toEqual({});
      expect(next?.answer(401, noHeaders)).toBeUndefined();
    }
    expect(calls.invalidated).toEqual([]);
  });

  it('takes a header of ours off a request a retry layer moved to another origin', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: ['https://api.example'] });
    const first = await policy.begin({ url: 'https://api.example/x' });
    const ours = first?.headers()?.authorization;
    const moved = await policy.begin(
      { url: 'https://failover.example/x', authorization: ours },
      first,
    );
    const headers: Record<string, unknown> = { Authorization: ours, 'x-trace': '1' };
    moved?.apply(recordHeaders(headers));
    expect(headers).toEqual({ 'x-trace': '1' });
    expect(moved?.answer(401, noHeaders)).toBeUndefined();
    // The caller's own header to another origin is theirs: no exchange at all.
    expect(
      await policy.begin({ url: 'https://failover.example/x', authorization: 'Bearer theirs' }),
    ).toBeUndefined();
    expect(calls.invalidated).toEqual([]);
  });

  it('a config reused after a final answer is a new request, with a refresh of its own', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const url = 'https://api.example/';
    const first = await policy.begin({ url });
    expect(await first?.answer(401, noHeaders)).toBe(true);
    const replay = await policy.begin({ url, authorization: 'Bearer tok-1' }, first);
    expect(replay?.answer(200, noHeaders)).toBeUndefined();
    expect(replay?.settled).toBe(true);
    // axios' request(response.config), got's pagination reusing the options: a new request.
    const reused = await policy.begin({ url, authorization: 'Bearer tok-2' }, replay);
    expect(await reused?.answer(401, noHeaders)).toBe(true);
    expect(calls.invalidated).toEqual(['tok-1', 'tok-2']);
    // A 503 or a 429 does not settle it: a retry layer's re-send is the same request.
    for (const status of [503, 429, 408]) {
      const attempt = await policy.begin({ url });
      attempt?.answer(status, noHeaders);
      expect(attempt?.settled).toBe(false);
    }
  });

  it('does not judge a 401 that came from another origin after the client followed a redirect', async () => {
    const { provider, calls } = countingProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const exchange = await policy.begin({ url: 'https://api.example/redirect' });
    exchange?.answeredFrom('https://api.example/after'); // same origin: still ours
    expect(exchange?.crossed).toBe(false);
    exchange?.answeredFrom('https://api.example.evil.test/login');
    expect(exchange?.crossed).toBe(true);
    expect(exchange?.answer(401, noHeaders)).toBeUndefined();
    expect(calls.invalidated).toEqual([]);
  });

  it('keeps recognising and masking a live token while hundreds of other scopes come and go', async () => {
    const { provider } = countingProvider(undefined, 'long-token-');
    let n = 0;
    const scoped = (scope: string): typeof provider => ({
      ...provider,
      scope,
      getToken: async () => ({
        accessToken: `scope-token-${scope}-${n++}`,
        tokenType: 'Bearer',
        expiresAt: Date.now() + 60_000,
      }),
    });
    const many = {
      ...provider,
      forScope: (scope: string | readonly string[]) => scoped(String(scope)),
    };
    const policy = createRequestPolicy(many, { origins: '*' });
    const url = 'https://api.example/';
    const live = (await policy.begin({ url }))?.headers()?.authorization as string;
    for (let i = 0; i < 1500; i++) {
      await policy.begin({ url, scope: `tenant/${i}` });
      if (i % 100 === 0) await policy.begin({ url }); // the live token is in use all along
    }
    expect(policy.owns(live)).toBe(true);
    expect(policy.scrub({ header: live }).header).toBe('Bearer [redacted]');
  });

  it("masks the tokens it handed out in a client's error, unless told not to", async () => {
    const { provider } = countingProvider(undefined, 'long-token-');
    const policy = createRequestPolicy(provider, { origins: '*' });
    const exchange = await policy.begin({ url: 'https://api.example/' });
    const error = { config: { headers: { authorization: exchange?.headers()?.authorization } } };
    expect(policy.scrub(error).config.headers.authorization).toBe('Bearer [redacted]');
    const open = createRequestPolicy(provider, { origins: '*', maskTokensInErrors: false });
    const theirs = await open.begin({ url: 'https://api.example/' });
    const kept = { headers: { authorization: theirs?.headers()?.authorization } };
    expect(open.scrub(kept).headers.authorization).toBe('Bearer long-token-1');
  });
});
