import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { autoCandidates, basicAuthorization, formEncode } from '../src/client-auth.ts';
import { ConfigError } from '../src/errors.ts';
import type { TokenEvent } from '../src/events.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import { createTokenProvider } from '../src/token-provider.ts';

const origin = 'https://auth.client-auth.test';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

interface Seen {
  authorization: string | undefined;
  contentType: string | undefined;
  body: URLSearchParams;
}

/** Intercepts one token request, records it, answers with `reply`. */
function expectTokenRequest(
  seen: Seen[],
  reply: [number, object] = [200, { access_token: 'tok', expires_in: 60 }],
) {
  // nock 15 hands a reply function the fetch `Request` it intercepted.
  const record = async (request: Request) => {
    seen.push({
      authorization: request.headers.get('authorization') ?? undefined,
      contentType: request.headers.get('content-type') ?? undefined,
      body: new URLSearchParams(await request.text()),
    });
    return reply;
  };
  return nock(origin)
    .post('/token')
    .reply(record as never);
}

function provider(options: Partial<TokenProviderOptions>) {
  return createTokenProvider({
    tokenUrl: `${origin}/token`,
    clientId: 'client',
    clientSecret: 'secret',
    ...options,
  });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe('formEncode and basicAuthorization', () => {
  it('leaves alphanumerics and -._* alone, so everyday credentials equal raw Basic', () => {
    expect(formEncode('abc-DEF_1.2*')).toBe('abc-DEF_1.2*');
    expect(basicAuthorization('abc-DEF_1.2*', 'XyZ-._*09', true)).toBe(
      `Basic ${b64('abc-DEF_1.2*:XyZ-._*09')}`,
    );
  });

  it('form-encodes id and secret before Base64 (RFC 6749 §2.3.1)', () => {
    expect(formEncode('my:client id+1')).toBe('my%3Aclient+id%2B1');
    expect(formEncode("s3cr%t:&=+/ü!'()~")).toBe('s3cr%25t%3A%26%3D%2B%2F%C3%BC%21%27%28%29%7E');
    expect(basicAuthorization('my:client id+1', 's3cr%t', true)).toBe(
      `Basic ${b64('my%3Aclient+id%2B1:s3cr%25t')}`,
    );
  });

  it('has a raw variant: Base64 of the UTF-8 id:secret', () => {
    expect(basicAuthorization('my:client id+1', 'pässword', false)).toBe(
      `Basic ${b64('my:client id+1:pässword')}`,
    );
  });

  it('tries raw Basic in auto only when encoding changes the credentials', () => {
    expect(autoCandidates('plain', 'Secret-1')).toEqual([
      'client_secret_basic',
      'client_secret_post',
    ]);
    expect(autoCandidates('plain', 'a/b')).toEqual([
      'client_secret_basic',
      'client_secret_basic_raw',
      'client_secret_post',
    ]);
  });
});

describe('client authentication on the wire', () => {
  it('client_secret_basic: encoded Basic, form body with grant_type only', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen);
    await provider({ clientId: 'my:client', clientSecret: 'p+w' }).getToken();
    expect(seen[0]?.authorization).toBe(`Basic ${b64('my%3Aclient:p%2Bw')}`);
    expect(seen[0]?.contentType).toBe('application/x-www-form-urlencoded');
    expect([...(seen[0]?.body ?? [])]).toEqual([['grant_type', 'client_credentials']]);
  });

  it('client_secret_basic_raw: raw Basic', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen);
    await provider({
      clientId: 'my:client',
      clientSecret: 'p+w',
      clientAuth: 'client_secret_basic_raw',
    }).getToken();
    expect(seen[0]?.authorization).toBe(`Basic ${b64('my:client:p+w')}`);
  });

  it('client_secret_post: both in the body, no Authorization header', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen);
    await provider({ clientAuth: 'client_secret_post', scope: 'tenant/acme' }).getToken();
    expect(seen[0]?.authorization).toBeUndefined();
    expect(Object.fromEntries(seen[0]?.body ?? [])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client',
      client_secret: 'secret',
      scope: 'tenant/acme',
    });
  });

  it('Basic plus client_id in the body (Cognito-based servers), never the secret in the body', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen);
    await provider({ clientIdInBody: true }).getToken();
    expect(seen[0]?.authorization).toBe(`Basic ${b64('client:secret')}`);
    expect(seen[0]?.body.get('client_id')).toBe('client');
    expect(seen[0]?.body.has('client_secret')).toBe(false);
  });

  it('sends scope (string or list), audience, repeated resource and extra params', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen);
    expectTokenRequest(seen);
    await provider({
      scope: ['read', 'write'],
      audience: 'https://api.example',
      resource: ['https://a.example', 'https://b.example'],
      params: { tenant: 'acme', feature: ['x', 'y'] },
    }).getToken();
    await provider({ scope: 'read write' }).getToken();
    expect([...(seen[0]?.body ?? [])]).toEqual([
      ['grant_type', 'client_credentials'],
      ['scope', 'read write'],
      ['audience', 'https://api.example'],
      ['resource', 'https://a.example'],
      ['resource', 'https://b.example'],
      ['tenant', 'acme'],
      ['feature', 'x'],
      ['feature', 'y'],
    ]);
    expect(seen[1]?.body.get('scope')).toBe('read write');
  });

  it('refuses params that the provider owns', () => {
    expect(() => provider({ params: { grant_type: 'password' } })).toThrow(ConfigError);
    expect(() => provider({ params: { client_id: 'x' } })).toThrow(/clientIdInBody/);
    expect(() => provider({ params: { client_secret: 'x' } })).toThrow(ConfigError);
  });
});

describe("clientAuth: 'auto'", () => {
  const rejected: [number, object] = [401, { error: 'invalid_client' }];

  it('falls back from Basic to raw Basic to post, and remembers post', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen, rejected);
    expectTokenRequest(seen, rejected);
    expectTokenRequest(seen);
    expectTokenRequest(seen);
    const events: TokenEvent[] = [];
    const tokens = provider({
      clientSecret: 'se/cret',
      clientAuth: 'auto',
      onEvent: (e) => events.push(e),
    });
    await tokens.getToken();
    await tokens.forScope('other').getToken();
    expect(
      seen.map((s) => (s.authorization ? s.authorization : `post:${s.body.get('client_secret')}`)),
    ).toEqual([
      `Basic ${b64('client:se%2Fcret')}`,
      `Basic ${b64('client:se/cret')}`,
      'post:se/cret',
      'post:se/cret',
    ]);
    expect(
      events
        .filter((e) => e.type === 'client_auth_fallback')
        .map((e) => e.type === 'client_auth_fallback' && `${e.from}>${e.to}`),
    ).toEqual([
      'client_secret_basic>client_secret_basic_raw',
      'client_secret_basic_raw>client_secret_post',
    ]);
  });

  it('skips raw Basic when it equals encoded Basic, and stops on other errors', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen, rejected);
    expectTokenRequest(seen);
    await provider({ clientAuth: 'auto' }).getToken();
    expect(seen.map((s) => Boolean(s.authorization))).toEqual([true, false]);

    const other: Seen[] = [];
    expectTokenRequest(other, [400, { error: 'invalid_scope' }]);
    await expect(provider({ clientAuth: 'auto' }).getToken()).rejects.toMatchObject({
      error: 'invalid_scope',
    });
    expect(other).toHaveLength(1);
  });

  it('gives the last refusal when no method works', async () => {
    const seen: Seen[] = [];
    expectTokenRequest(seen, rejected);
    expectTokenRequest(seen, [
      401,
      { error: 'invalid_client', error_description: 'post refused too' },
    ]);
    await expect(provider({ clientAuth: 'auto' }).getToken()).rejects.toMatchObject({
      error: 'invalid_client',
      error_description: 'post refused too',
    });
    expect(seen).toHaveLength(2);
  });
});
