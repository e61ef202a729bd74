import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ErrorCode,
  OAuthError,
  TokenHttpError,
  TokenResponseError,
} from '../src/errors.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import type { TokenResponseMapper } from '../src/token-response-mapper.ts';
import { nockProvider, useNock } from './helpers/nock-provider.ts';

const origin = 'https://auth.nonstandard.test';
const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ3b3JrZXIifQ.c2VjcmV0LXRva2VuLXNpZ25hdHVyZQ';

/** `{ "data": { "jwt": ..., "ttl_minutes": ... }, "region": ... }`, a vendor's own shape. */
const nested: TokenResponseMapper = (body) => {
  const data = body?.['data'] as { jwt: string; ttl_minutes: number };
  return { access_token: data.jwt, expires_in: data.ttl_minutes * 60, region: body?.['region'] };
};

useNock();
const provider = (options: Partial<TokenProviderOptions> = {}) =>
  nockProvider(`${origin}/token`, {
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    ...options,
  });

describe('mapTokenResponse', () => {
  it("reads a vendor's own shape: token, lifetime and extras from what the hook returns", async () => {
    nock(origin)
      .post('/token')
      .reply(200, { data: { jwt: TOKEN, ttl_minutes: 30 }, region: 'eu-1' });
    const { tokens, events } = provider({ mapTokenResponse: nested });
    const token = await tokens.getToken();
    expect(token).toMatchObject({ accessToken: TOKEN, tokenType: 'Bearer' });
    expect(token.extras).toStrictEqual({ region: 'eu-1' });
    expect(events[0]).toMatchObject({
      type: 'token_fetched',
      lifetimeMs: 1_800_000,
      lifetimeSource: 'expires_in',
    });
  });

  it('gets the text, status and headers of an answer that is neither JSON nor a form', async () => {
    nock(origin).post('/token').reply(200, `<token ttl="600">${TOKEN}</token>`, {
      'content-type': 'application/xml',
      'x-vendor': 'v2',
    });
    const seen: Array<[unknown, number, string | null]> = [];
    const { tokens } = provider({
      mapTokenResponse(body, response) {
        seen.push([body, response.status, response.headers.get('x-vendor')]);
        const [, ttl, accessToken] = /ttl="(\d+)">([^<]+)</.exec(response.text) ?? [];
        return { access_token: accessToken, expires_in: ttl };
      },
    });
    expect((await tokens.getToken()).accessToken).toBe(TOKEN);
    expect(seen).toEqual([[undefined, 200, 'v2']]);
  });

  it('keeps the body as it came when the hook returns undefined', async () => {
    nock(origin).post('/token').reply(200, { access_token: 'standard-token', expires_in: 60 });
    nock(origin)
      .post('/token')
      .reply(200, { data: { jwt: TOKEN, ttl_minutes: 1 } });
    const onlyNested: TokenResponseMapper = (body, response) =>
      body && 'data' in body ? nested(body, response) : undefined;
    const [standard, mapped] = [
      provider({ mapTokenResponse: onlyNested }),
      provider({ mapTokenResponse: onlyNested }),
    ];
    expect((await standard.tokens.getToken()).accessToken).toBe('standard-token');
    expect((await mapped.tokens.getToken()).accessToken).toBe(TOKEN);
  });

  it("turns a vendor's own error shape into an OAuthError, read as a server's would be", async () => {
    nock(origin).post('/token').reply(403, { status: 'DENIED', reason: 'client disabled' });
    const { tokens } = provider({
      mapTokenResponse: (body) =>
        body?.['status'] === 'DENIED'
          ? { error: 'unauthorized_client', error_description: String(body['reason']) }
          : undefined,
    });
    const failing = expect(tokens.getToken()).rejects;
    await failing.toBeInstanceOf(OAuthError);
    await failing.toMatchObject({
      status: 403,
      error: 'unauthorized_client',
      error_description: 'client disabled',
    });
  });

  it('gives a typed, redacted TokenResponseError when it throws on a 2xx, and does not retry', async () => {
    const scope = nock(origin)
      .post('/token')
      .reply(200, { unexpected: { token: TOKEN } });
    const { tokens } = provider({
      mapTokenResponse: (body) => {
        throw new TypeError(`no data in ${JSON.stringify(body)}`);
      },
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenResponseError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, status: 200 });
    const { message } = error as TokenResponseError;
    expect(message).toMatch(/^mapTokenResponse threw TypeError: no data in /);
    expect(message).toContain('[redacted]');
    expect(message).not.toContain('c2VjcmV0LXRva2Vu');
    expect((error as Error).cause).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain(TOKEN.slice(20, 40));
    expect(scope.isDone()).toBe(true); // one request: a malformed 2xx is never retried
  });

  it('leaves a non-2xx it throws on to core: a 503 page is still retried, then a TokenHttpError', async () => {
    nock(origin).post('/token').reply(503, '<h1>Service Unavailable</h1>');
    nock(origin)
      .post('/token')
      .reply(200, { data: { jwt: TOKEN, ttl_minutes: 5 } });
    const { tokens, events } = provider({ mapTokenResponse: nested });
    expect((await tokens.getToken()).accessToken).toBe(TOKEN);
    expect(events.map((e) => e.type)).toEqual(['token_request_retried', 'token_fetched']);

    nock(origin).post('/token').times(2).reply(502, 'Bad gateway');
    const failing = provider({ mapTokenResponse: nested }).tokens.getToken();
    await expect(failing).rejects.toBeInstanceOf(TokenHttpError);
    await expect(failing).rejects.toMatchObject({ status: 502 });
  });

  it.each([
    ['null', () => null, 'returned null, not an object'],
    ['an array', () => [TOKEN], 'returned an array, not an object'],
    ['a string', () => TOKEN, 'returned a string, not an object'],
    ['a promise', async () => ({ access_token: TOKEN }), 'returned a promise'],
  ])('refuses %s on a 2xx with a TokenResponseError', async (_name, map, message) => {
    nock(origin).post('/token').reply(200, { access_token: TOKEN });
    const failing = provider({
      mapTokenResponse: map as unknown as TokenResponseMapper,
    }).tokens.getToken();
    await expect(failing).rejects.toBeInstanceOf(TokenResponseError);
    await expect(failing).rejects.toThrow(message);
    await expect(failing).rejects.not.toThrow(TOKEN);
  });

  it('is checked at construction', () => {
    expect(() =>
      provider({ mapTokenResponse: 'data.jwt' as unknown as TokenResponseMapper }),
    ).toThrow(ConfigError);
    expect(() =>
      provider({ mapTokenResponse: 'data.jwt' as unknown as TokenResponseMapper }),
    ).toThrow('mapTokenResponse must be a function');
  });
});
