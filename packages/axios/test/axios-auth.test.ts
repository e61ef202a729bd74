import { ConfigError } from '@m2m-auth/core';
import { asLogged, profileProvider } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import axiosOldest from 'axios-oldest';
import axiosRetry from 'axios-retry';
import { describe, expect, it } from 'vitest';
import { axiosAuth } from '../src/index.ts';

const servers = useTestServers();

const tenantProvider = () => profileProvider(servers.auth, 'tenant');

describe('axiosAuth', () => {
  it("takes the origin from the instance's baseURL, and refuses to guess without one", async () => {
    const instance = axios.create({ baseURL: `${servers.api.url}/echo` });
    axiosAuth(instance, tenantProvider());
    const { data } = await instance.get('/relative');
    expect(data).toMatchObject({ path: '/echo/relative', scope: 'tenant/acme' });
    expect(() => axiosAuth(axios.create(), tenantProvider())).toThrow(ConfigError);
  });

  it('uses a per-request scope and lets a request opt out', async () => {
    const instance = axios.create({ baseURL: servers.api.url });
    axiosAuth(instance, tenantProvider());
    const { data } = await instance.get('/echo/globex', { m2mAuth: { scope: 'tenant/globex' } });
    expect(data).toMatchObject({ scope: 'tenant/globex' });
    const skipped = await instance.get('/public', { m2mAuth: { skip: true } });
    expect(skipped.status).toBe(200);
    expect(servers.api.requests.map((r) => Boolean(r.authorization))).toEqual([true, false]);
    expect(servers.auth.stats.byScope()).toEqual({ 'tenant/globex': 1 });
  });

  it("leaves the caller's own Authorization header alone", async () => {
    const instance = axios.create({ baseURL: servers.api.url });
    axiosAuth(instance, tenantProvider());
    const error = await instance
      .get('/echo', { headers: { Authorization: 'Bearer mine' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(servers.api.requests.map((r) => r.authorization)).toEqual(['Bearer mine']);
    expect(servers.auth.stats.total).toBe(0);
  });

  it('keeps native errors: a 403 rejects with the AxiosError axios would throw, unretried', async () => {
    const instance = axios.create({ baseURL: servers.api.url });
    axiosAuth(instance, tenantProvider());
    const error = await instance.get('/forbidden').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(403);
    expect(servers.api.counters.byPath['/forbidden']).toBe(1);
  });

  it('replays a 401 also when validateStatus lets 401 through as a response', async () => {
    const instance = axios.create({ baseURL: servers.api.url, validateStatus: () => true });
    axiosAuth(instance, tenantProvider());
    await instance.get('/echo/warm');
    servers.auth.control.revokeAll();
    const response = await instance.post('/echo/again', { a: 1 });
    expect(response.status).toBe(200);
    expect(servers.api.requests.slice(1).map((r) => r.status)).toEqual([401, 200]);
  });

  it('eject() removes both interceptors and leaves the others working', async () => {
    const instance = axios.create({ baseURL: servers.api.url });
    const seen: string[] = [];
    instance.interceptors.request.use((config) => {
      seen.push(`request ${config.url}`);
      return config;
    });
    instance.interceptors.response.use((response) => {
      seen.push(`response ${response.status}`);
      return response;
    });
    const eject = axiosAuth(instance, tenantProvider());
    await instance.get('/echo/with');
    eject();
    const after = await instance.get('/echo/without').catch((e: unknown) => e);
    expect((after as AxiosError).response?.status).toBe(401);
    expect(seen).toEqual(['request /echo/with', 'response 200', 'request /echo/without']);
    expect(servers.api.requests.map((r) => Boolean(r.authorization))).toEqual([true, false]);
  });

  it('works with axios-retry: a retried request gets a current token, a 401 is replayed once', async () => {
    const tokens = tenantProvider();
    const instance = axios.create({ baseURL: servers.api.url });
    axiosRetry(instance, {
      retries: 2,
      retryDelay: () => 0,
      retryCondition: (e) => e.response?.status === 503,
      // The token changes between the attempts: the config axios-retry sends again still
      // carries the one the first attempt had.
      onRetry: async () => {
        await tokens.invalidate((await tokens.getToken()).accessToken);
      },
    });
    axiosAuth(instance, tokens);
    await instance.get('/echo/warm');
    servers.api.inject({ type: 'status', status: 503 });
    expect((await instance.get('/echo/retried')).status).toBe(200);
    const retried = servers.api.requests.filter((r) => r.path === '/echo/retried');
    expect(retried.map((r) => r.status)).toEqual([503, 200]);
    expect(retried[0]?.authorization).toBe(servers.api.requests[0]?.authorization);
    expect(retried[1]?.authorization).toBe(`Bearer ${(await tokens.getToken()).accessToken}`);
    expect(retried[1]?.authorization).not.toBe(retried[0]?.authorization);
    servers.auth.control.revokeAll();
    const { status } = await instance.get('/echo/after-revoke');
    expect(status).toBe(200);
    expect(
      servers.api.requests.filter((r) => r.path === '/echo/after-revoke').map((r) => r.status),
    ).toEqual([401, 200]);
    expect(servers.auth.stats.issued).toBe(3);
  });

  it('masks our token in the AxiosError it passes on, which stays an AxiosError, by default; the option turns it off', async () => {
    for (const mask of [undefined, true, false]) {
      const tokens = tenantProvider();
      const instance = axios.create({ baseURL: servers.api.url });
      axiosAuth(instance, tokens, mask === undefined ? {} : { maskTokensInErrors: mask });
      const error = await instance.get('/forbidden').catch((e: unknown) => e);
      const { accessToken } = await tokens.getToken();
      expect(error).toBeInstanceOf(AxiosError);
      expect((error as AxiosError).response?.status).toBe(403);
      expect((error as AxiosError).code).toBe('ERR_BAD_REQUEST');
      expect(asLogged(error).includes(accessToken)).toBe(mask === false);
      // A retry of the masked config (as axios-retry does) still goes out with a real token.
      const again = await instance.request({ ...(error as AxiosError).config, url: '/echo/again' });
      expect(again.data).toMatchObject({ path: '/echo/again' });
    }
  });

  it("takes axios' auth option for the caller's own Authorization: no token, nothing invalidated", async () => {
    const instance = axios.create({ baseURL: servers.api.url, validateStatus: () => true });
    axiosAuth(instance, tenantProvider());
    const response = await instance.get('/echo/basic', { auth: { username: 'u', password: 'p' } });
    expect(response.status).toBe(401);
    expect(servers.api.requests.map((r) => r.authorization)).toEqual([`Basic ${btoa('u:p')}`]);
    expect(servers.auth.stats.total).toBe(0);
  });

  it('takes our token off a request axios-retry moves to another host, in either order', async () => {
    for (const order of ['retry first', 'auth first'] as const) {
      servers.api.reset();
      servers.other.received.length = 0;
      const instance = axios.create({ baseURL: servers.api.url });
      const failover = {
        retries: 1,
        retryDelay: () => 0,
        onRetry: (_count: number, _error: unknown, config: { url?: string }) => {
          config.url = `${servers.other.url}/failover`;
        },
      };
      if (order === 'retry first') axiosRetry(instance, failover);
      axiosAuth(instance, tenantProvider());
      if (order === 'auth first') axiosRetry(instance, failover);
      servers.api.inject({ type: 'status', status: 503 });
      expect((await instance.get('/echo/moved')).status).toBe(200);
      expect(servers.other.received.map((r) => [r.path, r.authorization])).toEqual([
        ['/failover', undefined],
      ]);
    }
  });

  it('takes our token and DPoP proof off a redirect to a subdomain, which follow-redirects keeps', async () => {
    const port = new URL(servers.api.url).port;
    const apiHost = `http://api.localhost:${port}`;
    for (const create of [axios.create, axiosOldest.create] as const) {
      servers.api.reset();
      const instance = create({
        baseURL: apiHost,
        validateStatus: () => true,
        // Every *.localhost name goes to the test API on 127.0.0.1.
        lookup: (_host: string, _options: unknown, done: (...args: unknown[]) => void) =>
          done(null, [{ address: '127.0.0.1', family: 4 }]),
      } as never) as AxiosInstance;
      axiosAuth(instance, tenantProvider());
      const to = encodeURIComponent(`http://sub.api.localhost:${port}/landing`);
      const response = await instance.get(`/redirect?to=${to}`);
      expect(response.status).toBe(401);
      expect(servers.api.requests.map((r) => [r.path, Boolean(r.authorization)])).toEqual([
        ['/redirect', true],
        ['/landing', false],
      ]);
    }
  });

  it('chains the caller’s own beforeRedirect after ours', async () => {
    const seen: string[] = [];
    const instance = axios.create({
      baseURL: servers.api.url,
      beforeRedirect: (options: Record<string, unknown>) => {
        seen.push(String((options['headers'] as Record<string, unknown>)['authorization']));
      },
    } as never);
    axiosAuth(instance, tenantProvider());
    const to = encodeURIComponent(`${servers.other.url}/after`);
    await instance.get(`/redirect?to=${to}`);
    expect(seen).toEqual(['undefined']);
  });
});
