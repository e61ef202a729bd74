import { profileProvider, type ResourceServer, startResourceServer } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import axiosOldest from 'axios-oldest';
import axiosRetry from 'axios-retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axiosAuth } from '../src/index.ts';

// axios follows redirects itself (follow-redirects in Node). Across origins our guard takes
// Authorization and DPoP off (axios-auth.test.ts); on the same origin follow-redirects keeps
// the headers as they were, so a DPoP-bound request would send the first URL's proof to the
// hop, which refuses it: each same-origin hop gets a new proof for its URL from core.
const servers = useTestServers();
let second: ResourceServer; // another origin: 127.0.0.1 on another port
beforeAll(async () => {
  second = await startResourceServer({ authServer: servers.auth });
});
afterAll(() => second.close());

const majors: Array<[string, { create: typeof axios.create }]> = [
  ['axios 1 (newest)', axios],
  ['axios 1.6.0', axiosOldest as never],
];

function dpopInstance(make: { create: typeof axios.create }, config: object = {}) {
  const instance = make.create({
    baseURL: servers.api.url,
    validateStatus: () => true,
    ...config,
  }) as AxiosInstance;
  axiosAuth(instance, profileProvider(servers.auth, 'dpop'));
  return instance;
}

/** axios' own default: a 3xx is an AxiosError on the way to our interceptor. */
const axiosDefault = (status: number) => status >= 200 && status < 300;

const redirect = (to: string, status = 302) =>
  `/redirect?status=${status}&to=${encodeURIComponent(to)}`;

/** A first call, so the API's DPoP nonce is known and no nonce round trip shows below. */
async function warm(instance: AxiosInstance) {
  expect((await instance.get('/echo/warm')).status).toBe(200);
  servers.api.reset();
  second.reset();
}

/** The claims of the DPoP proof a request carried, as sent. */
function proofClaims(record: { proof?: string } | undefined) {
  const payload = record?.proof?.split('.')[1];
  if (!payload) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as { htu: string; htm: string };
}

describe.each(majors)('axiosAuth redirects (%s)', (_name, make) => {
  it('sends a new proof for the URL of a same-origin hop (302 and 307), which the API accepts', async () => {
    const instance = dpopInstance(make);
    await warm(instance);
    for (const status of [302, 307]) {
      servers.api.reset();
      const response = await instance.get(redirect('/echo/after?x=1', status));
      expect(response.status).toBe(200);
      const [first, next] = servers.api.requests;
      expect(next).toMatchObject({ path: '/echo/after', status: 200 });
      expect(next?.authorization).toBe(first?.authorization);
      expect(next?.dpop?.outcome).toBe('accepted');
      expect(proofClaims(next)).toMatchObject({
        htm: 'GET',
        htu: `${servers.api.url}/echo/after`,
      });
      expect(proofClaims(first)?.htu).toBe(`${servers.api.url}/redirect`);
      expect(next?.proof).not.toBe(first?.proof);
    }
    expect(servers.auth.stats.issued).toBe(1);
  });

  it('keeps the method and body on a 307, and makes a POST a GET without a body on a 302 and 303', async () => {
    const instance = dpopInstance(make);
    await warm(instance);
    const seen: Array<[number, string | undefined, number | undefined, string | undefined]> = [];
    for (const status of [302, 303, 307, 308]) {
      servers.api.reset();
      const response = await instance.post(redirect('/echo/landing', status), {
        note: 'x'.repeat(5_000),
      });
      expect(response.status).toBe(200);
      const landed = servers.api.requests[1];
      expect(proofClaims(landed)?.htm).toBe(landed?.method);
      seen.push([status, landed?.method, landed?.bodyLength, landed?.dpop?.outcome]);
    }
    expect(seen).toEqual([
      [302, 'GET', 0, 'accepted'],
      [303, 'GET', 0, 'accepted'],
      [307, 'POST', 5_011, 'accepted'],
      [308, 'POST', 5_011, 'accepted'],
    ]);
  });

  it('replays a 401 after a same-origin hop once, with a fresh token and a proof for the hop', async () => {
    const instance = dpopInstance(make);
    await warm(instance);
    servers.auth.control.revokeAll(); // the redirect route takes any token; /echo refuses it
    const response = await instance.put(redirect('/echo/put', 307), 'ü'.repeat(3_000), {
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(200);
    expect(servers.api.requests.map((r) => [r.path, r.method, r.bodyLength, r.status])).toEqual([
      ['/redirect', 'PUT', 6_000, 307],
      ['/echo/put', 'PUT', 6_000, 401],
      ['/echo/put', 'PUT', 6_000, 200],
    ]);
    expect(servers.api.requests[2]?.dpop?.outcome).toBe('accepted');
    expect(servers.auth.stats.issued).toBe(2);
  });

  it('a same-origin hop, then another origin: neither Authorization nor DPoP goes there', async () => {
    const instance = dpopInstance(make);
    await warm(instance);
    const away = `${second.url}/echo/elsewhere`;
    const response = await instance.get(redirect(`${servers.api.url}${redirect(away, 307)}`));
    expect(response.status).toBe(401);
    expect(servers.api.requests.map((r) => [r.path, r.status])).toEqual([
      ['/redirect', 302],
      ['/redirect', 307],
    ]);
    expect(second.requests).toMatchObject([{ path: '/echo/elsewhere' }]);
    expect(second.requests[0]?.authorization).toBeUndefined();
    expect(second.requests[0]?.proof).toBeUndefined();
  });

  it('follows with axios’ default validateStatus too (a 3xx is an AxiosError on the way)', async () => {
    const instance = dpopInstance(make, { validateStatus: axiosDefault });
    await warm(instance);
    const response = await instance.get(redirect('/echo/strict', 303));
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ path: '/echo/strict' });
    expect(servers.api.requests[1]?.dpop?.outcome).toBe('accepted');
  });

  it('keeps maxRedirects as follow-redirects does: the same error past it, 0 for no following', async () => {
    const chain = (hops: number) => {
      let url = '/echo/end';
      for (let i = 0; i < hops; i++) url = redirect(url);
      return url;
    };
    const dpop = dpopInstance(make, { maxRedirects: 3 });
    await warm(dpop);
    const bearer = make.create({ baseURL: servers.api.url, maxRedirects: 3 }) as AxiosInstance;
    axiosAuth(bearer, profileProvider(servers.auth, 'tenant'));
    expect((await dpop.get(chain(3))).status).toBe(200);
    servers.api.reset();
    const codes: unknown[] = [];
    for (const instance of [dpop, bearer]) {
      const error = await instance.get(chain(4)).catch((e: unknown) => e);
      codes.push((error as AxiosError).code);
    }
    expect(codes).toEqual(['ERR_FR_TOO_MANY_REDIRECTS', 'ERR_FR_TOO_MANY_REDIRECTS']);
    const manual = await dpop.get(redirect('/echo/x'), { maxRedirects: 0 });
    expect(manual.status).toBe(302);
  });

  it('composes with axios-retry: a 503 after a same-origin hop is sent again with a proof of its own', async () => {
    const instance = dpopInstance(make, { validateStatus: axiosDefault });
    axiosRetry(instance as never, { retries: 2, retryDelay: () => 0 });
    await warm(instance);
    servers.api.inject({ type: 'pass' });
    servers.api.inject({ type: 'status', status: 503 });
    const response = await instance.get(redirect('/echo/retried'));
    expect(response.status).toBe(200);
    expect(servers.api.requests.map((r) => [r.path, r.status])).toEqual([
      ['/redirect', 302],
      ['/echo/retried', 503],
      ['/echo/retried', 200],
    ]);
    const [, hop, retry] = servers.api.requests;
    expect(retry?.dpop?.outcome).toBe('accepted');
    expect(retry?.proof).not.toBe(hop?.proof);
    expect(servers.auth.stats.issued).toBe(1);
  });
});
