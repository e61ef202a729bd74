import { Readable } from 'node:stream';
import { ConfigError, createTokenProvider } from '@m2m-auth/core';
import {
  type AuthServer,
  type OtherOrigin,
  type ResourceServer,
  startAuthServer,
  startOtherOrigin,
  startResourceServer,
} from '@m2m-auth/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FetchFunction, fetchAuth } from '../src/index.ts';

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
});

function setup(extra: { fetch?: FetchFunction } = {}) {
  const provider = createTokenProvider({
    tokenUrl: auth.tokenUrl('generic'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
  });
  return { provider, authedFetch: fetchAuth(provider, { origins: [api.url], ...extra }) };
}

const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

describe('fetchAuth', () => {
  it('refuses to guess origins: a ConfigError at creation', () => {
    const provider = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'a',
      clientSecret: 'b',
    });
    expect(() => fetchAuth(provider)).toThrow(ConfigError);
    expect(() => fetchAuth(provider)).toThrow(/fetchAuth does not know which origins/);
  });

  it('returns the Response of the underlying fetch itself', async () => {
    const seen: Response[] = [];
    const { authedFetch } = setup({
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        seen.push(response);
        return response;
      },
    });
    const response = await authedFetch(`${api.url}/echo`);
    expect(response).toBe(seen[0]);
    expect(response.status).toBe(200);
  });

  it('accepts a URL object and keeps the caller’s headers in every form', async () => {
    const { authedFetch } = setup();
    for (const headers of [
      new Headers({ 'x-trace': '1' }),
      [['x-trace', '1']] as [string, string][],
      { 'x-trace': '1' },
    ]) {
      const response = await authedFetch(new URL('/echo/url', api.url), { headers });
      expect(response.status).toBe(200);
    }
    expect(api.requests.every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
    expect(auth.stats.issued).toBe(1);
  });

  it('replays a Request input with its body from a clone after a 401', async () => {
    const { authedFetch } = setup();
    await authedFetch(`${api.url}/echo/warm`);
    auth.control.revokeAll();
    api.reset();
    const request = new Request(`${api.url}/echo/request`, {
      method: 'PUT',
      body: 'x'.repeat(10_000),
    });
    const response = await authedFetch(request);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ method: 'PUT', bodyLength: 10_000 });
    expect(api.requests.map((r) => [r.path, r.bodyLength])).toEqual([
      ['/echo/request', 10_000],
      ['/echo/request', 10_000],
    ]);
  });

  it('returns the 401 for a one-shot Node stream body rather than resend it', async () => {
    const { authedFetch } = setup();
    await authedFetch(`${api.url}/echo/warm`);
    auth.control.revokeAll();
    api.reset();
    const body = Readable.from(['a'.repeat(1000), 'b'.repeat(1000)]);
    const response = await authedFetch(`${api.url}/echo/node-stream`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as unknown as RequestInit);
    expect(response.status).toBe(401);
    expect(api.requests.map((r) => r.bodyLength)).toEqual([2000]);
  });

  it('leaves a request with its own Authorization header alone', async () => {
    const { authedFetch } = setup();
    const response = await authedFetch(`${api.url}/echo`, {
      headers: { authorization: 'Bearer mine' },
    });
    expect(response.status).toBe(401);
    expect(api.requests[0]?.authorization).toBe('Bearer mine');
    expect(api.counters.byPath['/echo']).toBe(1);
    expect(auth.stats.total).toBe(0);
  });

  it('sends no token, and fetches none, for another origin', async () => {
    const { authedFetch } = setup();
    await authedFetch(`${other.url}/elsewhere`);
    expect(other.received.at(-1)).toMatchObject({ path: '/elsewhere', authorization: undefined });
    expect(auth.stats.total).toBe(0);
  });

  it("stops waiting for a token when the caller's signal aborts", async () => {
    auth.control.inject({ type: 'delay', ms: 300 });
    const { authedFetch } = setup();
    const controller = new AbortController();
    const pending = authedFetch(`${api.url}/echo`, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    expect(api.counters.total).toBe(0);
  });

  it('passes a 403 through as the Response', async () => {
    const { authedFetch } = setup();
    const response = await authedFetch(`${api.url}/forbidden`);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect(auth.stats.total).toBe(1);
  });
});
