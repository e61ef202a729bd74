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

  it('refuses other token types with a typed error', async () => {
    for (const type of ['mac', 'DPoP', 42]) {
      const reading = expect(async () => read({ access_token: 'a', token_type: type })).rejects;
      await reading.toBeInstanceOf(TokenResponseError);
      await reading.toMatchObject({ code: ErrorCode.UNSUPPORTED_TOKEN_TYPE, status: 200 });
    }
  });

  it('with DPoP on, takes a DPoP-bound or a Bearer token, and still refuses any other type', async () => {
    const withDpop = (body: unknown) =>
      readTokenResponse(JSON.stringify(body), ctx(), 300_000, 1_000_000, true);
    expect(withDpop({ access_token: 'a', token_type: 'DPoP' }).tokenType).toBe('DPoP');
    expect(withDpop({ access_token: 'a', token_type: 'dpop' }).tokenType).toBe('DPoP');
    expect(withDpop({ access_token: 'a', token_type: 'Bearer' }).tokenType).toBe('Bearer');
    expect(withDpop({ access_token: 'a' }).tokenType).toBe('Bearer');
    for (const type of ['mac', 'N_A', 'dpop+jwt', 7]) {
      await expect(async () =>
        withDpop({ access_token: 'a', token_type: type }),
      ).rejects.toMatchObject({ code: ErrorCode.UNSUPPORTED_TOKEN_TYPE, status: 200 });
    }
    await expect(async () => withDpop({ access_token: 'a', token_type: 'mac' })).rejects.toThrow(
      'Unsupported token_type "mac": only Bearer and DPoP tokens can be sent',
    );
    await expect(async () => read({ access_token: 'a', token_type: 'DPoP' })).rejects.toThrow(
      'Unsupported token_type "DPoP": only Bearer tokens can be sent',
    );
    // The same through a provider that sends DPoP proofs.
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.parse.test/token',
      clientId: 'client',
      clientSecret: 'secret',
      dpop: true,
      fetch: async () => Response.json({ access_token: 'mac-token-value', token_type: 'mac' }),
    });
    await expect(tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.UNSUPPORTED_TOKEN_TYPE,
    });
  });

  it('refuses an access_token that could not go in a header (RFC 6749: 1*VSCHAR), without quoting it', async () => {
    for (const token of ['QWERTY\r\nX-Injected: 1', 'QWERTY\u0000', 'QWERTY€', 'QWERTY\there']) {
      const reading = expect(async () => read({ access_token: token })).rejects;
      await reading.toBeInstanceOf(TokenResponseError);
      await reading.toMatchObject({ code: ErrorCode.INVALID_RESPONSE });
      await reading.toSatisfy(
        (error: TokenResponseError) => !JSON.stringify(error.toJSON()).includes('QWERTY'),
      );
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
  ])('gives M2M_INVALID_RESPONSE for %s', async (_name, body, contentType) => {
    const reading = expect(async () => read(body, { contentType })).rejects;
    await reading.toBeInstanceOf(TokenResponseError);
    await reading.toMatchObject({ code: ErrorCode.INVALID_RESPONSE, status: 200 });
  });

  it('turns an error member into an OAuthError, on a 200 too', async () => {
    for (const status of [200, 400]) {
      const body = {
        error: 'invalid_scope',
        error_description: 'no such tenant',
        error_uri: 'https://docs/x',
      };
      const reading = expect(async () => read(body, { status })).rejects;
      await reading.toBeInstanceOf(OAuthError);
      await reading.toMatchObject({
        code: ErrorCode.OAUTH,
        status,
        error: 'invalid_scope',
        error_description: 'no such tenant',
        error_uri: 'https://docs/x',
        message: `Token endpoint refused the request (${status} invalid_scope): no such tenant`,
      });
    }
  });

  it('gives a TokenHttpError for a non-2xx without an OAuth body, keeping Retry-After', async () => {
    expect(() => read('<h1>Bad gateway</h1>', { status: 502, contentType: 'text/html' })).toThrow(
      TokenHttpError,
    );
    const reading = expect(async () => read('', { status: 429, retryAfterMs: 5000 })).rejects;
    await reading.toBeInstanceOf(TokenHttpError);
    await reading.toMatchObject({ code: ErrorCode.HTTP, status: 429, retryAfterMs: 5000 });
  });
});

describe('what an unusable answer says', () => {
  const failure = (body: string, over: Partial<ResponseContext> = {}) =>
    expect(async () => read(body, over)).rejects;

  it('names the content type (redacted, cut short) and the length of a body it cannot read', async () => {
    await failure('<h1>Sign in</h1>', { contentType: 'Text/HTML; charset=utf-8' }).toThrow(
      'Token response is neither JSON nor form-encoded (Text/HTML, 16 chars)',
    );
    await failure('<p>', { contentType: 'text/html ; charset=utf-8' }).toThrow(
      'Token response is neither JSON nor form-encoded (text/html, 3 chars)',
    );
    await failure('Sign in', { contentType: null }).toThrow(
      'Token response is neither JSON nor form-encoded (no content type, 7 chars)',
    );
    await failure('x', { contentType: `text/${'a'.repeat(100)}` }).toThrow(
      `Token response is neither JSON nor form-encoded (text/${'a'.repeat(55)}, 1 chars)`,
    );
    await failure('x', {
      contentType: 'text/secret-value',
      redact: (text) => text.replace('secret-value', '[REDACTED]'),
    }).toThrow('Token response is neither JSON nor form-encoded (text/[REDACTED], 1 chars)');
    // Text that only contains a key=value pair is not a form body.
    await failure('Error: access_token=abc', { contentType: 'text/plain' }).toThrow(
      'neither JSON nor form-encoded',
    );
  });

  it('says which member is wrong', async () => {
    await failure('{"access_token":12345}').toThrow('Token response has no access_token string');
    await failure('{"access_token":""}').toThrow('Token response has no access_token string');
    await failure('{"access_token":"a\\u0007b"}').toThrow(
      'Token response has an access_token with characters outside VSCHAR',
    );
    await failure('{"access_token":"a","token_type":"N_A"}').toThrow(
      'Unsupported token_type "N_A": only Bearer tokens can be sent', // a token exchange's only
    );
    await failure('{"access_token":"a","token_type":42}').toThrow(
      'Unsupported token_type "number": only Bearer tokens can be sent',
    );
    await failure(`{"access_token":"a","token_type":"${'m'.repeat(50)}"}`).toThrow(
      `Unsupported token_type "${'m'.repeat(40)}": only Bearer tokens can be sent`,
    );
    // The answer's own token, 8 characters or more, is masked wherever it is quoted.
    await failure('{"access_token":"12345678","token_type":"mac 12345678"}').toThrow(
      'Unsupported token_type "mac [redacted]"',
    );
  });

  it('cuts a long error_description, redacted', async () => {
    const long = `${'d'.repeat(600)} secret-value`;
    const reading = expect(async () =>
      read(
        { error: 'invalid_request', error_description: `secret-value ${long}` },
        { status: 400, redact: (text) => text.replaceAll('secret-value', '[REDACTED]') },
      ),
    ).rejects;
    await reading.toSatisfy((error: OAuthError) => {
      const description = error.error_description ?? '';
      return description.length === 500 && description.startsWith('[REDACTED] ddd');
    });
  });
});

describe('what a usable answer gives', () => {
  it('reads JSON with space around it whatever the content type, and a form body by its type', () => {
    expect(read('\n  {"access_token":"a"}  \n', { contentType: 'text/plain' }).accessToken).toBe(
      'a',
    );
    const form = read('access_token=a<b&token_type=bearer', {
      contentType: 'Application/X-WWW-Form-Urlencoded',
    });
    expect(form.accessToken).toBe('a<b');
  });

  it('keeps a scope only when it is a string', () => {
    expect(read({ access_token: 'a', scope: 'read write' }).scope).toBe('read write');
    expect(read({ access_token: 'a', scope: ['read'] }).scope).toBeUndefined();
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
