import { createTokenProvider } from '@m2m-auth/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthServer,
  type OtherOrigin,
  type ResourceServer,
  startAuthServer,
  startOtherOrigin,
  startResourceServer,
} from '../src/index.ts';

let auth: AuthServer;
let api: ResourceServer;
let other: OtherOrigin;
beforeAll(async () => {
  auth = await startAuthServer();
  api = await startResourceServer({ authServer: auth });
  other = await startOtherOrigin();
});
afterAll(async () => {
  await Promise.all([auth.close(), api.close(), other.close()]);
});
beforeEach(() => api.reset());

const provider = (scope?: string) =>
  createTokenProvider({
    tokenUrl: auth.tokenUrl('tenant'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    clientAuth: 'client_secret_post',
    scope: scope ?? 'tenant/acme',
  });

async function call(path: string, token?: string, init: RequestInit = {}) {
  const res = await fetch(`${api.url}${path}`, {
    ...init,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, body: (await res.text()) || '{}' };
}

describe('startResourceServer', () => {
  it('echoes method, path, body length and SHA-256, with the token jti and scope', async () => {
    const { accessToken } = await provider().getToken();
    const res = await call('/echo/things', accessToken, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      method: 'POST',
      path: '/echo/things',
      bodyLength: 5,
      bodySha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      scope: 'tenant/acme',
      sub: 'demo-client',
      jti: expect.any(String),
    });
    expect(api.counters).toMatchObject({
      total: 1,
      withToken: 1,
      withoutToken: 0,
      unauthorized: 0,
    });
  });

  it('answers 401 invalid_token without a token, with a forged one, and after revocation', async () => {
    const { accessToken } = await provider().getToken();
    const forged = `${accessToken.slice(0, -4)}AAAA`;
    for (const token of [undefined, 'not-a-jwt', forged]) {
      const res = await call('/echo', token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    }
    expect((await call('/echo', accessToken)).status).toBe(200);
    auth.control.revokeAll();
    expect((await call('/echo', accessToken)).status).toBe(401);
    expect(api.counters).toMatchObject({ withoutToken: 1, withToken: 4, unauthorized: 4 });
  });

  it('revokes one token by JWT, leaving the others valid', async () => {
    const a = await provider('tenant/acme').getToken();
    const b = await provider('tenant/globex').getToken();
    auth.control.revoke(a.accessToken);
    expect((await call('/echo', a.accessToken)).status).toBe(401);
    expect((await call('/echo', b.accessToken)).status).toBe(200);
  });

  it('rejects an expired token', async () => {
    auth.control.setLifetime(1, 'tenant');
    const { accessToken } = await provider('tenant/globex').forScope('tenant/globex').getToken();
    auth.control.setLifetime(900, 'tenant');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await call('/echo', accessToken)).status).toBe(401);
  });

  it('answers 403 insufficient_scope on scoped and forbidden routes', async () => {
    const { accessToken } = await provider().getToken();
    expect((await call('/scoped/tenant%2Facme', accessToken)).status).toBe(200);
    const denied = await call('/scoped/admin', accessToken);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect((await call('/forbidden', accessToken)).status).toBe(403);
  });

  it('has a route that always answers 401, a public route and a cross-origin redirect', async () => {
    const { accessToken } = await provider().getToken();
    expect((await call('/always-401', accessToken)).status).toBe(401);
    expect((await call('/public')).status).toBe(200);
    const redirect = await call(
      `/redirect?to=${encodeURIComponent(`${other.url}/landing`)}`,
      accessToken,
    );
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${other.url}/landing`);
    expect(api.counters.byPath).toMatchObject({ '/always-401': 1, '/public': 1, '/redirect': 1 });
  });

  it('redirects with the status asked for, 302 for anything else', async () => {
    const statuses: Array<[number, string | null]> = [];
    for (const status of ['301', '303', '307', '308', '200', '']) {
      const redirect = await call(`/redirect?to=%2Fecho&status=${status}`);
      statuses.push([redirect.status, redirect.headers.get('location')]);
    }
    expect(statuses).toEqual([
      [301, '/echo'],
      [303, '/echo'],
      [307, '/echo'],
      [308, '/echo'],
      [302, '/echo'],
      [302, '/echo'],
    ]);
  });
});

describe('startOtherOrigin', () => {
  it('records the Authorization header of every request it receives', async () => {
    await fetch(`${other.url}/a`, { headers: { authorization: 'Bearer leaked' } });
    await fetch(`${other.url}/b`);
    expect(other.received.slice(-2)).toEqual([
      { method: 'GET', path: '/a', authorization: 'Bearer leaked' },
      { method: 'GET', path: '/b', authorization: undefined },
    ]);
  });
});
