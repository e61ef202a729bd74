import { inspect } from 'node:util';
import { ConfigError, createTokenProvider } from '@m2m-auth/core';
import { asLogged, profileProvider } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import got, { HTTPError, type Response } from 'got';
import { describe, expect, it } from 'vitest';
import { gotAuth } from '../src/index.ts';

const servers = useTestServers();

const tenantProvider = () => profileProvider(servers.auth, 'tenant');

describe('gotAuth', () => {
  it('serves the prefixUrl origin when told it, and refuses to guess otherwise', async () => {
    const client = got.extend(
      { prefixUrl: servers.api.url },
      gotAuth(tenantProvider(), { prefixUrl: servers.api.url }),
    );
    const body = await client.get('echo/prefixed').json<{ path: string; scope: string }>();
    expect(body).toMatchObject({ path: '/echo/prefixed', scope: 'tenant/acme' });
    expect(() => gotAuth(tenantProvider())).toThrow(ConfigError);
  });

  it('takes a per-request scope and opt-out from context', async () => {
    const client = got.extend(gotAuth(tenantProvider(), { origins: [servers.api.url] }));
    const body = await client(`${servers.api.url}/echo/globex`, {
      context: { m2mAuth: { scope: 'tenant/globex' } },
    }).json<{
      scope: string;
    }>();
    expect(body.scope).toBe('tenant/globex');
    await client(`${servers.api.url}/public`, { context: { m2mAuth: { skip: true } } });
    expect(servers.api.requests.map((r) => Boolean(r.authorization))).toEqual([true, false]);
  });

  it("keeps got's native HTTPError for a 403, with no refresh", async () => {
    const client = got.extend(gotAuth(tenantProvider(), { origins: [servers.api.url] }));
    const error = await client(`${servers.api.url}/forbidden`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.statusCode).toBe(403);
    expect(servers.auth.stats.total).toBe(1);
  });

  it("replays a 401 with got's retry enabled, without spending got's retry budget twice", async () => {
    // got's retry, fast (no backoff, no jitter): the test counts attempts, not seconds.
    const client = got.extend(
      { retry: { limit: 2, backoffLimit: 1, noise: 0 } },
      gotAuth(tenantProvider(), { origins: [servers.api.url] }),
    );
    await client(`${servers.api.url}/echo/warm`);
    servers.auth.control.revokeAll();
    // The revoked token's 401 (we replay), then a 503 for the replay (got retries it). The
    // replay is got's retryWithMergedOptions, one of the two retries: the other is left.
    servers.api.inject({ type: 'pass' });
    servers.api.inject({ type: 'status', status: 503 });
    const response = (await client(`${servers.api.url}/echo/after`)) as Response;
    expect(response.statusCode).toBe(200);
    const after = servers.api.requests.filter((r) => r.path === '/echo/after');
    expect(after.map((r) => r.status)).toEqual([401, 503, 200]);
    const [first, replayed, retried] = after.map((r) => r.authorization);
    expect(first).toBe(servers.api.requests[0]?.authorization);
    expect(replayed).not.toBe(first);
    expect(retried).toBe(replayed);
    expect(servers.auth.stats.issued).toBe(2);
    const always = (await client(`${servers.api.url}/always-401`, {
      throwHttpErrors: false,
    })) as Response;
    expect(always.statusCode).toBe(401);
    expect(servers.api.counters.byPath['/always-401']).toBe(2);
  });

  it('paginate: each page is its own request; a revoke between pages costs one refresh', async () => {
    const client = got.extend(
      { retry: { limit: 2, backoffLimit: 1, noise: 0 } },
      gotAuth(tenantProvider(), { origins: [servers.api.url] }),
    );
    let page = 0;
    const paths = await client.paginate.all<string>(`${servers.api.url}/echo/page0`, {
      pagination: {
        transform: (response) => [JSON.parse(response.body as string).path as string],
        paginate: () => {
          page++;
          if (page === 2) servers.auth.control.revokeAll();
          return page < 4 ? { url: new URL(`${servers.api.url}/echo/page${page}`) } : false;
        },
      },
    });
    expect(paths).toEqual(['/echo/page0', '/echo/page1', '/echo/page2', '/echo/page3']);
    expect(servers.api.requests.map((r) => [r.path, r.status])).toEqual([
      ['/echo/page0', 200],
      ['/echo/page1', 200],
      ['/echo/page2', 401],
      ['/echo/page2', 200],
      ['/echo/page3', 200],
    ]);
    expect(servers.auth.stats.total).toBe(2);
    expect(servers.api.requests[4]?.authorization).toBe(servers.api.requests[3]?.authorization);
  });

  it('drops the token on a redirect to another origin, even one in origins', async () => {
    const client = got.extend(
      gotAuth(tenantProvider(), { origins: [servers.api.url, servers.other.url] }),
    );
    await client(
      `${servers.api.url}/redirect?to=${encodeURIComponent(`${servers.other.url}/landing`)}`,
    );
    expect(servers.other.received.at(-1)).toMatchObject({
      path: '/landing',
      authorization: undefined,
    });
    expect(servers.api.requests[0]?.authorization).toMatch(/^Bearer /);
  });

  it('surfaces a token error as the core error, not a wrapped RequestError', async () => {
    const provider = createTokenProvider({
      tokenUrl: servers.auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'not-the-secret',
    });
    const client = got.extend(gotAuth(provider, { origins: [servers.api.url] }));
    await expect(client(`${servers.api.url}/echo`)).rejects.toMatchObject({
      name: 'OAuthError',
      error: 'invalid_client',
    });
    expect(servers.api.counters.total).toBe(0);
  });

  it("masks our token in got's HTTPError, which stays an HTTPError, by default; the option turns it off", async () => {
    for (const mask of [undefined, true, false]) {
      const tokens = tenantProvider();
      const client = got.extend(
        { prefixUrl: servers.api.url },
        gotAuth(tokens, {
          prefixUrl: servers.api.url,
          ...(mask === undefined ? {} : { maskTokensInErrors: mask }),
        }),
      );
      const error = await client.get('forbidden').catch((e: unknown) => e);
      const { accessToken } = await tokens.getToken();
      expect(error).toBeInstanceOf(HTTPError);
      expect((error as HTTPError).response.statusCode).toBe(403);
      expect(asLogged(error).includes(accessToken)).toBe(mask === false);
    }
  });

  it("paginate reusing the page's own options: a later page is a request of its own", async () => {
    const client = got.extend(gotAuth(tenantProvider(), { origins: [servers.api.url] }));
    await client(`${servers.api.url}/echo/warm`);
    servers.auth.control.revokeAll();
    servers.api.reset();
    let page = 0;
    const paths = await client.paginate.all<string>(`${servers.api.url}/echo/p0`, {
      pagination: {
        transform: (response) => [JSON.parse(response.body as string).path as string],
        paginate: ({ response }) => {
          page++;
          if (page === 2) servers.auth.control.revokeAll();
          if (page > 2) return false;
          const options = response.request.options;
          options.url = new URL(`${servers.api.url}/echo/p${page}`);
          return options; // got's documented "merge into the same options" branch
        },
      },
    });
    expect(paths).toEqual(['/echo/p0', '/echo/p1', '/echo/p2']);
    expect(servers.api.requests.map((r) => r.status)).toEqual([401, 200, 200, 401, 200]);
    expect(servers.auth.stats.total).toBe(3);
  });

  it("masks our token in got's error down to the raw request, even as inspect shows hidden fields", async () => {
    const tokens = tenantProvider();
    const client = got.extend(gotAuth(tokens, { origins: [servers.api.url] }));
    const error = await client(`${servers.api.url}/forbidden`).catch((e: unknown) => e);
    const { accessToken } = await tokens.getToken();
    expect(error).toBeInstanceOf(HTTPError);
    expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain(accessToken);
    expect(asLogged(error)).not.toContain(accessToken);
  });
});
