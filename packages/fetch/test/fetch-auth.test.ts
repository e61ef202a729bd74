import { Readable } from 'node:stream';
import { ConfigError, createTokenProvider } from '@m2m-auth/core';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import { describe, expect, it } from 'vitest';
import { type FetchFunction, fetchAuth } from '../src/index.ts';

const servers = useTestServers();

function setup(extra: { fetch?: FetchFunction } = {}) {
  const provider = createTokenProvider({
    tokenUrl: servers.auth.tokenUrl('generic'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
  });
  return { provider, authedFetch: fetchAuth(provider, { origins: [servers.api.url], ...extra }) };
}

const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

describe('fetchAuth', () => {
  it('refuses to guess origins: a ConfigError at creation', () => {
    const provider = createTokenProvider({
      tokenUrl: servers.auth.tokenUrl('generic'),
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
    const response = await authedFetch(`${servers.api.url}/echo`);
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
      const response = await authedFetch(new URL('/echo/url', servers.api.url), { headers });
      expect(response.status).toBe(200);
    }
    expect(servers.api.requests.every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
    expect(servers.auth.stats.issued).toBe(1);
  });

  it('replays a Request input with its body from a clone after a 401', async () => {
    const { authedFetch } = setup();
    await authedFetch(`${servers.api.url}/echo/warm`);
    servers.auth.control.revokeAll();
    servers.api.reset();
    const request = new Request(`${servers.api.url}/echo/request`, {
      method: 'PUT',
      body: 'x'.repeat(10_000),
    });
    const response = await authedFetch(request);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ method: 'PUT', bodyLength: 10_000 });
    expect(servers.api.requests.map((r) => [r.path, r.bodyLength])).toEqual([
      ['/echo/request', 10_000],
      ['/echo/request', 10_000],
    ]);
  });

  it('returns the 401 for a one-shot Node stream body rather than resend it', async () => {
    const { authedFetch } = setup();
    await authedFetch(`${servers.api.url}/echo/warm`);
    servers.auth.control.revokeAll();
    servers.api.reset();
    const body = Readable.from(['a'.repeat(1000), 'b'.repeat(1000)]);
    const response = await authedFetch(`${servers.api.url}/echo/node-stream`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as unknown as RequestInit);
    expect(response.status).toBe(401);
    expect(servers.api.requests.map((r) => r.bodyLength)).toEqual([2000]);
  });

  it('leaves a request with its own Authorization header alone', async () => {
    const { authedFetch } = setup();
    const response = await authedFetch(`${servers.api.url}/echo`, {
      headers: { authorization: 'Bearer mine' },
    });
    expect(response.status).toBe(401);
    expect(servers.api.requests[0]?.authorization).toBe('Bearer mine');
    expect(servers.api.counters.byPath['/echo']).toBe(1);
    expect(servers.auth.stats.total).toBe(0);
  });

  it('sends no token, and fetches none, for another origin', async () => {
    const { authedFetch } = setup();
    await authedFetch(`${servers.other.url}/elsewhere`);
    expect(servers.other.received.at(-1)).toMatchObject({
      path: '/elsewhere',
      authorization: undefined,
    });
    expect(servers.auth.stats.total).toBe(0);
  });

  it("stops waiting for a token when the caller's signal aborts", async () => {
    servers.auth.control.inject({ type: 'delay', ms: 300 });
    const { authedFetch, provider } = setup();
    const controller = new AbortController();
    const pending = authedFetch(`${servers.api.url}/echo`, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    expect(servers.api.counters.total).toBe(0);
    // The shared token request went on without the caller; it completes for the next one.
    await expect(provider.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(servers.auth.stats.total).toBe(1);
  });

  it('passes a 403 through as the Response', async () => {
    const { authedFetch } = setup();
    const response = await authedFetch(`${servers.api.url}/forbidden`);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect(servers.auth.stats.total).toBe(1);
  });

  it('sends a Request it does not authorize whole: another origin, or the caller’s own header', async () => {
    const { authedFetch } = setup();
    const other = await authedFetch(
      new Request(`${servers.other.url}/post`, { method: 'POST', body: 'hello' }),
    );
    expect(other.status).toBe(200);
    const theirs = await authedFetch(
      new Request(`${servers.api.url}/echo/theirs`, {
        method: 'POST',
        body: 'hello',
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
      }),
    );
    expect(theirs.status).toBe(401);
    expect(servers.other.received.map((r) => r.authorization)).toEqual([undefined]);
    expect(servers.api.requests.map((r) => [r.authorization, r.bodyLength])).toEqual([
      ['Basic dXNlcjpwYXNz', 5],
    ]);
    expect(servers.auth.stats.total).toBe(0);
  });

  it('passes the init’s fetch-only options (a dispatcher, Next’s next) with a Request input', async () => {
    const seen: unknown[] = [];
    const { authedFetch } = setup({
      fetch: async (input, init) => {
        seen.push(init);
        return fetch(input, init);
      },
    });
    const init = { next: { revalidate: 60 }, method: 'GET' } as RequestInit;
    expect((await authedFetch(new Request(`${servers.api.url}/echo/next`), init)).status).toBe(200);
    // A Bearer request's redirects are the fetch's own: the init's extras go as they are.
    expect(seen).toEqual([{ next: { revalidate: 60 } }]);
  });
});
