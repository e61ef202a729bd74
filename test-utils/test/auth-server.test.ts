import { createTokenProvider, ErrorCode } from '@m2m-auth/core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from '../src/index.ts';

let auth: AuthServer;
beforeAll(async () => {
  auth = await startAuthServer();
});
afterAll(() => auth.close());
beforeEach(() => {
  auth.stats.reset();
  auth.control.clearFaults();
});

const basic = (id: string, secret: string, encode = true) => {
  const enc = (s: string) => (encode ? new URLSearchParams([['', s]]).toString().slice(1) : s);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
};

async function post(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

describe('startAuthServer profiles', () => {
  it('cognito: Basic, matching client_id in the body, expires_in as a string, 24 h JWT', async () => {
    const res = await post(
      auth.tokenUrl('cognito'),
      { grant_type: 'client_credentials', client_id: 'demo-client' },
      {
        authorization: basic('demo-client', 'demo-secret'),
      },
    );
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body['expires_in']).toBe('86400');
    expect(body['token_type']).toBe('Bearer');
    const claims = decodeJwt(String(body['access_token']));
    expect(claims).toMatchObject({ iss: auth.url, sub: 'demo-client', aud: 'm2m-auth-test-api' });
    // exp is rounded up to whole seconds so the token lives at least expires_in.
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeGreaterThanOrEqual(86_400);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(86_401);
    expect(typeof claims.jti).toBe('string');
    const mismatch = await post(
      auth.tokenUrl('cognito'),
      { grant_type: 'client_credentials', client_id: 'other' },
      {
        authorization: basic('demo-client', 'demo-secret'),
      },
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('tenant: body credentials only, tenant scope required and checked, 900 s', async () => {
    const ok = await post(auth.tokenUrl('tenant'), {
      grant_type: 'client_credentials',
      client_id: 'demo-client',
      client_secret: 'demo-secret',
      scope: 'tenant/acme',
    });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ expires_in: 900, scope: 'tenant/acme' });
    expect(decodeJwt(String(ok.json()['access_token']))).toMatchObject({ scope: 'tenant/acme' });

    const viaBasic = await post(
      auth.tokenUrl('tenant'),
      { grant_type: 'client_credentials', scope: 'tenant/acme' },
      {
        authorization: basic('demo-client', 'demo-secret'),
      },
    );
    expect([viaBasic.status, viaBasic.json()['error']]).toEqual([401, 'invalid_client']);

    const creds = {
      grant_type: 'client_credentials',
      client_id: 'demo-client',
      client_secret: 'demo-secret',
    };
    expect((await post(auth.tokenUrl('tenant'), creds)).json()).toMatchObject({
      error: 'invalid_scope',
    });
    const other = await post(auth.tokenUrl('tenant'), { ...creds, scope: 'tenant/initech' });
    expect([other.status, other.json()['error']]).toEqual([400, 'invalid_scope']);
  });

  it('generic: RFC 6749 §2.3.1 decoding, 401 with WWW-Authenticate for bad credentials, 3600 s', async () => {
    const ok = await post(
      auth.tokenUrl('generic'),
      { grant_type: 'client_credentials' },
      {
        authorization: basic('my:client id+1', 's3cr%t:&=+/ü'),
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.json()['expires_in']).toBe(3600);
    expect(auth.tokenUrl('generic')).toBe(`${auth.url}/oauth/v2/token`);
    const raw = await post(
      auth.tokenUrl('generic'),
      { grant_type: 'client_credentials' },
      {
        authorization: basic('my:client id+1', 's3cr%t:&=+/ü', false),
      },
    );
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(raw.json()['error']).toBe('invalid_client');
  });

  it('strict-rfc: one method only, 400 for bad body credentials, no-store caching headers', async () => {
    const both = await post(
      auth.tokenUrl('strict-rfc'),
      {
        grant_type: 'client_credentials',
        client_id: 'demo-client',
        client_secret: 'demo-secret',
      },
      { authorization: basic('demo-client', 'demo-secret') },
    );
    expect([both.status, both.json()['error']]).toEqual([400, 'invalid_request']);
    const wrong = await post(auth.tokenUrl('strict-rfc'), {
      grant_type: 'client_credentials',
      client_id: 'demo-client',
      client_secret: 'nope',
    });
    expect([wrong.status, wrong.json()['error']]).toEqual([400, 'invalid_client']);
    const ok = await post(
      auth.tokenUrl('strict-rfc'),
      { grant_type: 'client_credentials' },
      {
        authorization: basic('demo-client', 'demo-secret'),
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
  });

  it('answers malformed requests with RFC 6749 §5.2 bodies', async () => {
    const auth401 = { authorization: basic('demo-client', 'demo-secret') };
    const json = await fetch(auth.tokenUrl('generic'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth401 },
      body: '{"grant_type":"client_credentials"}',
    });
    expect([json.status, ((await json.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_request',
    ]);
    expect((await post(auth.tokenUrl('generic'), {}, auth401)).json()['error']).toBe(
      'invalid_request',
    );
    expect(
      (await post(auth.tokenUrl('generic'), { grant_type: 'password' }, auth401)).json()['error'],
    ).toBe('unsupported_grant_type');
    const repeated = await fetch(auth.tokenUrl('generic'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth401 },
      body: 'grant_type=client_credentials&scope=a&scope=b',
    });
    expect(((await repeated.json()) as { error_description: string }).error_description).toMatch(
      /repeated/,
    );
  });
});

describe('startAuthServer control and stats', () => {
  it('counts token requests per client, scope and auth method', async () => {
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('tenant'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      clientAuth: 'auto',
      scope: 'tenant/acme',
    });
    await tokens.getToken(); // auto: Basic refused, then post, remembered
    await tokens.forScope('tenant/globex').getToken();
    expect(auth.stats.issued).toBe(2);
    expect(auth.stats.byClient()).toEqual({ 'demo-client': auth.stats.total });
    expect(auth.stats.byScope()).toMatchObject({
      'tenant/acme': expect.any(Number),
      'tenant/globex': expect.any(Number),
    });
    expect(auth.stats.byAuthMethod()).toMatchObject({ basic: 1, post: 2 });
    expect(auth.stats.requests.every((r) => r.at > 0)).toBe(true);
  });

  it('rotates a secret: the old one stops working at once', async () => {
    const local = await startAuthServer();
    try {
      const secret = local.control.rotateSecret('demo-client', 'brand-new-secret');
      expect(secret).toBe('brand-new-secret');
      const old = createTokenProvider({
        tokenUrl: local.tokenUrl('generic'),
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
      });
      await expect(old.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
      const fresh = createTokenProvider({
        tokenUrl: local.tokenUrl('generic'),
        clientId: 'demo-client',
        clientSecret: secret,
      });
      await expect(fresh.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
    } finally {
      await local.close();
    }
  });

  it('sets the lifetime of new tokens', async () => {
    auth.control.setLifetime(60, 'generic');
    const res = await post(
      auth.tokenUrl('generic'),
      { grant_type: 'client_credentials' },
      {
        authorization: basic('demo-client', 'demo-secret'),
      },
    );
    expect(res.json()['expires_in']).toBe(60);
    auth.control.setLifetime(3600, 'generic');
  });

  it('injects faults into the next requests, in order, and then answers normally', async () => {
    const provider = (extra: object = {}) =>
      createTokenProvider({
        tokenUrl: auth.tokenUrl('generic'),
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        retry: { maxAttempts: 1 },
        ...extra,
      });
    const cases = [
      [{ type: 'status', status: 500 }, ErrorCode.OAUTH],
      [{ type: 'status', status: 503 }, ErrorCode.OAUTH],
      [{ type: 'rate-limit', retryAfterSeconds: 7 }, ErrorCode.OAUTH],
      [{ type: 'reset' }, ErrorCode.NETWORK],
      [{ type: 'html' }, ErrorCode.INVALID_RESPONSE],
      [{ type: 'no-access-token' }, ErrorCode.INVALID_RESPONSE],
      [{ type: 'oversized' }, ErrorCode.RESPONSE_TOO_LARGE],
    ] as const;
    for (const [fault, code] of cases) {
      auth.control.inject(fault);
      await expect(provider().getToken(), fault.type).rejects.toMatchObject({ code });
    }
    auth.control.inject({ type: 'rate-limit', retryAfterSeconds: 7 });
    await expect(provider().getToken()).rejects.toMatchObject({ status: 429, retryAfterMs: 7000 });

    const events: string[] = [];
    auth.control.inject({ type: 'bad-expires-in' });
    await provider({
      onEvent: (e: { type: string; lifetimeSource?: string }) => events.push(`${e.lifetimeSource}`),
    }).getToken();
    expect(events).toEqual(['jwt']);

    auth.control.inject({ type: 'delay', ms: 50 });
    await expect(provider().getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
    auth.control.inject({ type: 'status', status: 503 }, 2);
    await expect(
      provider({ retry: { maxAttempts: 3, baseDelayMs: 1 } }).getToken(),
    ).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
    expect(auth.stats.requests.map((r) => r.fault ?? r.status)).toEqual([
      'status',
      'status',
      'rate-limit',
      'reset',
      'html',
      'no-access-token',
      'oversized',
      'rate-limit',
      'bad-expires-in',
      'delay',
      'status',
      'status',
      200,
    ]);
  });
});
