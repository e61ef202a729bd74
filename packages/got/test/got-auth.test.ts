import { ConfigError, createTokenProvider } from '@m2m-auth/core';
import {
  type AuthServer,
  type OtherOrigin,
  type ResourceServer,
  startAuthServer,
  startOtherOrigin,
  startResourceServer,
} from '@m2m-auth/test-utils';
import got, { HTTPError, type Response } from 'got';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gotAuth } from '../src/index.ts';

let auth: AuthServer;
let api: ResourceServer;
let other: OtherOrigin;
beforeAll(async () => {
  auth = await startAuthServer();
  api = await startResourceServer({ authServer: auth });
  other = await startOtherOrigin();
});
afterAll(() => Promise.all([auth.close(), api.close(), other.close()]));
beforeEach(() => {
  auth.stats.reset();
  api.reset();
  auth.control.clearFaults();
});

const tenantProvider = () =>
  createTokenProvider({
    tokenUrl: auth.tokenUrl('tenant'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    clientAuth: 'client_secret_post',
    scope: 'tenant/acme',
  });

describe('gotAuth', () => {
  it('serves the prefixUrl origin when told it, and refuses to guess otherwise', async () => {
    const client = got.extend(
      { prefixUrl: api.url },
      gotAuth(tenantProvider(), { prefixUrl: api.url }),
    );
    const body = await client.get('echo/prefixed').json<{ path: string; scope: string }>();
    expect(body).toMatchObject({ path: '/echo/prefixed', scope: 'tenant/acme' });
    expect(() => gotAuth(tenantProvider())).toThrow(ConfigError);
  });

  it('takes a per-request scope and opt-out from context', async () => {
    const client = got.extend(gotAuth(tenantProvider(), { origins: [api.url] }));
    const body = await client(`${api.url}/echo/globex`, {
      context: { m2mAuth: { scope: 'tenant/globex' } },
    }).json<{
      scope: string;
    }>();
    expect(body.scope).toBe('tenant/globex');
    await client(`${api.url}/public`, { context: { m2mAuth: { skip: true } } });
    expect(api.requests.map((r) => Boolean(r.authorization))).toEqual([true, false]);
  });

  it("keeps got's native HTTPError for a 403, with no refresh", async () => {
    const client = got.extend(gotAuth(tenantProvider(), { origins: [api.url] }));
    const error = await client(`${api.url}/forbidden`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.statusCode).toBe(403);
    expect(auth.stats.total).toBe(1);
  });

  it("replays a 401 with got's retry enabled, without spending got's retry budget twice", async () => {
    const client = got.extend(
      { retry: { limit: 2 } },
      gotAuth(tenantProvider(), { origins: [api.url] }),
    );
    await client(`${api.url}/echo/warm`);
    auth.control.revokeAll();
    const response = (await client(`${api.url}/echo/after`)) as Response;
    expect(response.statusCode).toBe(200);
    expect(api.requests.filter((r) => r.path === '/echo/after').map((r) => r.status)).toEqual([
      401, 200,
    ]);
    const always = (await client(`${api.url}/always-401`, { throwHttpErrors: false })) as Response;
    expect(always.statusCode).toBe(401);
    expect(api.counters.byPath['/always-401']).toBe(2);
  });

  it('drops the token on a redirect to another origin, even one in origins', async () => {
    const client = got.extend(gotAuth(tenantProvider(), { origins: [api.url, other.url] }));
    await client(`${api.url}/redirect?to=${encodeURIComponent(`${other.url}/landing`)}`);
    expect(other.received.at(-1)).toMatchObject({ path: '/landing', authorization: undefined });
    expect(api.requests[0]?.authorization).toMatch(/^Bearer /);
  });

  it('surfaces a token error as the core error, not a wrapped RequestError', async () => {
    const provider = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'not-the-secret',
    });
    const client = got.extend(gotAuth(provider, { origins: [api.url] }));
    await expect(client(`${api.url}/echo`)).rejects.toMatchObject({
      name: 'OAuthError',
      error: 'invalid_client',
    });
    expect(api.counters.total).toBe(0);
  });
});
