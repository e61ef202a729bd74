import { SignJWT } from 'jose';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OAuthError, TokenHttpError, TokenResponseError } from '../src/errors.ts';
import type { TokenEvent } from '../src/events.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import {
  parseBody,
  parseExpiresIn,
  type ResponseContext,
  readTokenResponse,
} from '../src/token-response.ts';

const ctx = (over: Partial<ResponseContext> = {}): ResponseContext => ({
  status: 200,
  contentType: 'application/json',
  retryAfterMs: undefined,
  redact: (text) => text,
  ...over,
});
const read = (body: unknown, over: Partial<ResponseContext> = {}, now = 1_000_000) =>
  readTokenResponse(
    typeof body === 'string' ? body : JSON.stringify(body),
    ctx(over),
    300_000,
    now,
  );

async function jwt(claims: { iat?: number; exp?: number }) {
  let builder = new SignJWT({}).setProtectedHeader({ alg: 'HS256' });
  if (claims.iat !== undefined) builder = builder.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) builder = builder.setExpirationTime(claims.exp);
  return builder.sign(new TextEncoder().encode('a-test-key-of-at-least-32-bytes!!'));
}

describe('parseExpiresIn', () => {
  it('accepts numbers and decimal strings, in ms', () => {
    expect(parseExpiresIn(3600)).toBe(3_600_000);
    expect(parseExpiresIn('86400')).toBe(86_400_000);
    expect(parseExpiresIn(' 900 ')).toBe(900_000);
    expect(parseExpiresIn('1.5')).toBe(1_500);
    expect(parseExpiresIn(1e3)).toBe(1_000_000);
  });

  it.each([
    ['abc'],
    [''],
    [-5],
    [0],
    ['0'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ['1e3'],
    ['-60'],
    [null],
    [true],
    [{}],
    [1e12],
  ])('treats %j as not given', (value) => {
    expect(parseExpiresIn(value)).toBeUndefined();
  });
});

describe('parseBody', () => {
  it('reads JSON whatever the content type says, and form-encoded bodies', () => {
    expect(parseBody('{"a":1}', 'text/plain')).toEqual({ a: 1 });
    expect(
      parseBody('access_token=x&expires_in=60', 'application/x-www-form-urlencoded; charset=utf-8'),
    ).toEqual({
      access_token: 'x',
      expires_in: '60',
    });
    expect(parseBody('access_token=x&token_type=bearer', null)).toEqual({
      access_token: 'x',
      token_type: 'bearer',
    });
  });

  it('gives undefined for HTML, arrays, scalars and broken JSON', () => {
    for (const [text, type] of [
      ['<html><body>Login</body></html>', 'text/html'],
      ['[1,2]', 'application/json'],
      ['"token"', 'application/json'],
      ['null', 'application/json'],
      ['{"access_token":', 'application/json'],
      ['', null],
    ] as const) {
      expect(parseBody(text, type)).toBeUndefined();
    }
  });
});

describe('readTokenResponse', () => {
  it('takes a missing token_type as Bearer and compares it case-insensitively', () => {
    expect(read({ access_token: 'a', expires_in: 60 }).tokenType).toBe('Bearer');
    expect(read({ access_token: 'a', token_type: 'bearer' }).tokenType).toBe('Bearer');
    expect(read({ access_token: 'a', token_type: 'BEARER' }).tokenType).toBe('Bearer');
  });

  it('refuses other token types with a typed error', () => {
    for (const type of ['mac', 'DPoP', 42]) {
      const error = (() => {
        try {
          read({ access_token: 'a', token_type: type });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(TokenResponseError);
      expect(error).toMatchObject({ code: ErrorCode.UNSUPPORTED_TOKEN_TYPE, status: 200 });
    }
  });

  it('refuses an access_token that could not go in a header (RFC 6749: 1*VSCHAR), without quoting it', () => {
    for (const token of ['QWERTY\r\nX-Injected: 1', 'QWERTY\u0000', 'QWERTY€', 'QWERTY\there']) {
      const error = (() => {
        try {
          read({ access_token: token });
        } catch (e) {
          return e as TokenResponseError;
        }
      })();
      expect(error).toBeInstanceOf(TokenResponseError);
      expect(error?.code).toBe(ErrorCode.INVALID_RESPONSE);
      expect(JSON.stringify(error?.toJSON())).not.toContain('QWERTY');
    }
    expect(read({ access_token: 'eyJ.a-b_c~+/=. !#' }).accessToken).toBe('eyJ.a-b_c~+/=. !#');
  });

  it('falls back from expires_in to the JWT lifetime, then to the default', async () => {
    const nowSeconds = 1_800_000_000;
    const now = nowSeconds * 1000;
    const withIat = await jwt({ iat: nowSeconds - 100, exp: nowSeconds + 800 });
    expect(read({ access_token: withIat, expires_in: 'abc' }, {}, now)).toMatchObject({
      lifetimeMs: 900_000,
      lifetimeSource: 'jwt',
    });
    const expOnly = await jwt({ exp: nowSeconds + 600 });
    expect(read({ access_token: expOnly }, {}, now)).toMatchObject({
      lifetimeMs: 600_000,
      lifetimeSource: 'jwt',
    });
    const expired = await jwt({ exp: nowSeconds - 1 });
    expect(read({ access_token: expired }, {}, now)).toMatchObject({
      lifetimeMs: 300_000,
      lifetimeSource: 'default',
    });
    expect(read({ access_token: 'opaque', expires_in: null }, {}, now)).toMatchObject({
      lifetimeMs: 300_000,
      lifetimeSource: 'default',
    });
    expect(read({ access_token: withIat, expires_in: 60 }, {}, now)).toMatchObject({
      lifetimeMs: 60_000,
      lifetimeSource: 'expires_in',
    });
  });

  it.each([
    ['HTML on a 200', '<html>captive portal</html>', 'text/html'],
    ['plain text', 'OK', 'text/plain'],
    ['a JSON array', '[]', 'application/json'],
    ['no access_token', '{"token_type":"Bearer"}', 'application/json'],
    ['an empty access_token', '{"access_token":""}', 'application/json'],
    ['a numeric access_token', '{"access_token":123}', 'application/json'],
    ['an empty body', '', 'application/json'],
  ])('gives M2M_INVALID_RESPONSE for %s', (_name, body, contentType) => {
    expect(() => read(body, { contentType })).toThrow(TokenResponseError);
    try {
      read(body, { contentType });
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, status: 200 });
    }
  });

  it('turns an error member into an OAuthError, on a 200 too', () => {
    for (const status of [200, 400]) {
      const body = {
        error: 'invalid_scope',
        error_description: 'no such tenant',
        error_uri: 'https://docs/x',
      };
      expect(() => read(body, { status })).toThrow(OAuthError);
      try {
        read(body, { status });
      } catch (error) {
        expect(error).toMatchObject({
          code: ErrorCode.OAUTH,
          status,
          error: 'invalid_scope',
          error_description: 'no such tenant',
          error_uri: 'https://docs/x',
        });
        expect((error as Error).message).toBe(
          `Token endpoint refused the request (${status} invalid_scope): no such tenant`,
        );
      }
    }
  });

  it('gives a TokenHttpError for a non-2xx without an OAuth body, keeping Retry-After', () => {
    expect(() => read('<h1>Bad gateway</h1>', { status: 502, contentType: 'text/html' })).toThrow(
      TokenHttpError,
    );
    try {
      read('', { status: 429, retryAfterMs: 5000 });
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.HTTP, status: 429, retryAfterMs: 5000 });
    }
  });
});

describe('hostile and odd responses end to end (nock)', () => {
  const origin = 'https://auth.parse.test';
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  function provider(options: Partial<TokenProviderOptions> = {}) {
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: `${origin}/token`,
      clientId: 'c',
      clientSecret: 'secret-value',
      retry: { maxAttempts: 1 },
      onEvent: (e) => events.push(e),
      ...options,
    });
    return { tokens, events };
  }

  it('parses a form-encoded token response (GitHub-style)', async () => {
    nock(origin)
      .post('/token')
      .reply(200, 'access_token=form-token&token_type=bearer&expires_in=3600', {
        'content-type': 'application/x-www-form-urlencoded',
      });
    const { tokens, events } = provider();
    await expect(tokens.getToken()).resolves.toMatchObject({
      accessToken: 'form-token',
      tokenType: 'Bearer',
    });
    expect(events[0]).toMatchObject({
      type: 'token_fetched',
      lifetimeMs: 3_600_000,
      lifetimeSource: 'expires_in',
    });
  });

  it('reports the lifetime source for a string expires_in and for the fallback', async () => {
    nock(origin).post('/token').reply(200, { access_token: 'a', expires_in: '86400' });
    nock(origin).post('/token').reply(200, { access_token: 'b', expires_in: 'soon' });
    const first = provider();
    await first.tokens.getToken();
    const second = provider({ scope: 'x', defaultLifetimeMs: 120_000 });
    await second.tokens.getToken();
    expect(first.events[0]).toMatchObject({ lifetimeMs: 86_400_000, lifetimeSource: 'expires_in' });
    expect(second.events[0]).toMatchObject({ lifetimeMs: 120_000, lifetimeSource: 'default' });
  });

  it('cuts off a body over maxResponseBytes, declared or not', async () => {
    nock(origin).post('/token').reply(200, 'x'.repeat(70_000), { 'content-length': '70000' });
    await expect(provider().tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.RESPONSE_TOO_LARGE,
    });
    nock(origin)
      .post('/token')
      .reply(200, () => 'y'.repeat(2_000));
    await expect(provider({ maxResponseBytes: 1_000 }).tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.RESPONSE_TOO_LARGE,
    });
  });

  it('reports an HTML 502 as a TokenHttpError and a reset as a TokenNetworkError', async () => {
    nock(origin)
      .post('/token')
      .reply(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    await expect(provider().tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.HTTP,
      status: 502,
    });
    // nock 15 hangs fetch on replyWithError({ ... }); an Error instance works.
    nock(origin)
      .post('/token')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(provider({ scope: 'reset' }).tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.NETWORK,
      name: 'TokenNetworkError',
      message: 'Token endpoint unreachable: fetch failed (ECONNRESET)',
    });
  });
});
