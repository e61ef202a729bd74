import { inspect } from 'node:util';
import { ConfigError, isOAuthError, type TokenProvider } from '@m2m-auth/core';
import { asLogged, profileProvider } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import ky, { HTTPError } from 'ky';
import ky1 from 'ky-1';
import { describe, expect, it } from 'vitest';
import { kyAuth } from '../src/index.ts';

const servers = useTestServers();

const tenantProvider = () => profileProvider(servers.auth, 'tenant');

describe('kyAuth', () => {
  it("serves ky 2's baseUrl origin when told it, and refuses to guess otherwise", async () => {
    const api2 = ky.create({
      baseUrl: servers.api.url,
      ...kyAuth(tenantProvider(), { baseUrl: servers.api.url }),
    });
    const body = await api2.get('echo/base').json<{ path: string; scope: string }>();
    expect(body).toMatchObject({ path: '/echo/base', scope: 'tenant/acme' });
    expect(() => kyAuth(tenantProvider())).toThrow(ConfigError);
  });

  it("works with ky 1's prefixUrl", async () => {
    const api1 = ky1.create({
      prefixUrl: servers.api.url,
      ...kyAuth(tenantProvider(), { baseUrl: servers.api.url }),
    } as never);
    const body = await api1.get('echo/prefix').json<{ path: string }>();
    expect(body.path).toBe('/echo/prefix');
  });

  it('takes a per-request scope and opt-out from context', async () => {
    const client = ky.create(kyAuth(tenantProvider(), { origins: [servers.api.url] }));
    const body = await client(`${servers.api.url}/echo/globex`, {
      context: { m2mAuth: { scope: 'tenant/globex' } },
    }).json<{
      scope: string;
    }>();
    expect(body.scope).toBe('tenant/globex');
    await client(`${servers.api.url}/public`, { context: { m2mAuth: { skip: true } } });
    expect(servers.api.requests.map((r) => Boolean(r.authorization))).toEqual([true, false]);
  });

  it('replays a 401 with throwHttpErrors on, and throws HTTPError for a 403 untouched', async () => {
    const client = ky.create(kyAuth(tenantProvider(), { origins: [servers.api.url] }));
    await client(`${servers.api.url}/echo/warm`);
    servers.auth.control.revokeAll();
    const replayed = await client
      .post(`${servers.api.url}/echo/after`, { json: { a: 1 } })
      .json<{ bodyLength: number }>();
    expect(replayed.bodyLength).toBe(7);
    expect(
      servers.api.requests.filter((r) => r.path === '/echo/after').map((r) => r.status),
    ).toEqual([401, 200]);
    const error = await client(`${servers.api.url}/forbidden`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(403);
    expect(servers.api.counters.byPath['/forbidden']).toBe(1);
  });

  it('sends through the fetch given to kyAuth, for the request and its replay', async () => {
    const seen: string[] = [];
    const client = ky.create(
      kyAuth(tenantProvider(), {
        origins: [servers.api.url],
        fetch: (input, init) => {
          seen.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
          return fetch(input, init);
        },
      }),
    );
    await client(`${servers.api.url}/echo/warm`);
    servers.auth.control.revokeAll();
    await client(`${servers.api.url}/echo/replayed`);
    expect(seen).toEqual(['/echo/warm', '/echo/replayed', '/echo/replayed']);
  });

  it("leaves the caller's Authorization alone and lets a second 401 through as ky reports it", async () => {
    const client = ky.create(kyAuth(tenantProvider(), { origins: [servers.api.url] }));
    const own = await client(`${servers.api.url}/echo`, {
      headers: { authorization: 'Bearer mine' },
      throwHttpErrors: false,
    });
    expect(own.status).toBe(401);
    expect(servers.auth.stats.total).toBe(0);
    const error = await client(`${servers.api.url}/always-401`, { retry: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HTTPError);
    expect(servers.api.counters.byPath['/always-401']).toBe(2);
  });

  it('does not let ky 1 retry a token error: one getToken, the typed error', async () => {
    const provider = tenantProvider();
    let asked = 0;
    const counted: TokenProvider = {
      ...provider,
      scope: provider.scope,
      getToken: (options) => {
        asked++;
        return provider.getToken(options);
      },
    };
    servers.auth.control.rotateSecret('demo-client');
    const api1 = ky1.create({
      prefixUrl: servers.api.url,
      ...kyAuth(counted, { baseUrl: servers.api.url }),
    } as never);
    const error = await api1
      .get('echo/denied')
      .catch((e: unknown) => e)
      .finally(() => servers.auth.control.rotateSecret('demo-client', 'demo-secret'));
    expect(isOAuthError(error) && error.error).toBe('invalid_client');
    expect(asked).toBe(1);
    expect(servers.auth.stats.total).toBe(1);
    expect(servers.api.counters.byPath['/echo/denied']).toBeUndefined();
  });

  it("masks our token in ky's HTTPError (ky 2 and ky 1), which stays an HTTPError, by default; the option turns it off", async () => {
    for (const major of [2, 1]) {
      for (const mask of [undefined, true, false]) {
        const tokens = tenantProvider();
        const auth = kyAuth(tokens, {
          origins: [servers.api.url],
          ...(mask === undefined ? {} : { maskTokensInErrors: mask }),
        });
        const client =
          major === 2 ? ky.create(auth) : (ky1.create(auth as never) as never as typeof ky);
        const error = await client(`${servers.api.url}/forbidden`).catch((e: unknown) => e);
        const { accessToken } = await tokens.getToken();
        expect((error as HTTPError).name).toBe('HTTPError');
        expect((error as HTTPError).response.status).toBe(403);
        expect(asLogged(error).includes(accessToken)).toBe(mask === false);
      }
    }
  });
});

describe('kyAuth with DPoP and ky retries', () => {
  it('signs a new proof for each retry ky makes by itself (a proof is single-use)', async () => {
    servers.api.requireDpopNonce(false);
    // The first send answers 503 without reaching the API (a flaky gateway), so ky retries the
    // same Request; every later send goes to the real API, which refuses a reused proof (jti).
    let sends = 0;
    const flaky = (input: RequestInfo | URL, init?: RequestInit) =>
      sends++ === 0
        ? Promise.resolve(new Response(null, { status: 503, headers: { 'retry-after': '0' } }))
        : fetch(input, init);
    const sentProofs: string[] = [];
    const recording = (input: RequestInfo | URL, init?: RequestInit) => {
      if (input instanceof Request) sentProofs.push(input.headers.get('dpop') ?? '');
      return flaky(input, init);
    };
    const client = ky.create({
      baseUrl: servers.api.url,
      retry: { limit: 2, delay: () => 0 },
      ...kyAuth(profileProvider(servers.auth, 'dpop'), {
        baseUrl: servers.api.url,
        fetch: recording,
      }),
    });
    const response = await client.get('echo/retried');
    expect(response.status).toBe(200);
    expect(sentProofs).toHaveLength(2);
    expect(sentProofs[0]).not.toBe(sentProofs[1]);
    // The API saw one proof, accepted it, and no token was thrown away.
    expect(servers.api.requests.map((r) => r.dpop?.outcome)).toEqual(['accepted']);
    expect(servers.auth.stats.issued).toBe(1);
  });

  it('replays a 401 for a request ky 2 wraps for onUploadProgress (a Request our hooks never saw)', async () => {
    const api = ky.create({ ...kyAuth(tenantProvider(), { origins: [servers.api.url] }) });
    expect((await api.get(`${servers.api.url}/echo/warm`)).status).toBe(200);
    servers.auth.control.revokeAll();
    servers.api.reset();
    const progress: number[] = [];
    const response = await api.post(`${servers.api.url}/echo/upload`, {
      body: 'x'.repeat(2000),
      onUploadProgress: (p: { percent: number }) => progress.push(p.percent),
    } as never);
    expect(response.status).toBe(200);
    expect(servers.api.requests.map((r) => [r.status, r.bodyLength])).toEqual([
      [401, 2000],
      [200, 2000],
    ]);
  });

  it("masks a token the API echoed in a response header of ky's HTTPError (ky 2 and ky 1)", async () => {
    for (const client of [ky, ky1] as const) {
      const tokens = tenantProvider();
      const api = (client as typeof ky).create({
        ...kyAuth(tokens, { origins: [servers.api.url] }),
      });
      const error = await api.get(`${servers.api.url}/forbidden-echo`).catch((e: unknown) => e);
      const { accessToken } = await tokens.getToken();
      expect(error).toBeInstanceOf(Error);
      expect((error as HTTPError).response.status).toBe(403);
      expect(inspect(error, { depth: 10 })).not.toContain(accessToken);
      expect((error as HTTPError).response.headers.get('x-echo-authorization')).toBe(
        'Bearer [redacted]',
      );
    }
  });
});
