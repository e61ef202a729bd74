import { Readable } from 'node:stream';
import { profileProvider, type ResourceServer, startResourceServer } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAuth } from '../src/index.ts';

// fetchAuth follows the redirects of the requests it authorizes itself: each hop is decided
// by core (our headers, Authorization and DPoP, off on any change of origin; a token with a
// proof of its own on the same origin), with the Fetch standard's rules for the rest.
const servers = useTestServers();
let second: ResourceServer; // another origin: 127.0.0.1 on another port
beforeAll(async () => {
  second = await startResourceServer({ authServer: servers.auth });
});
afterAll(() => second.close());

function dpopFetch() {
  const provider = profileProvider(servers.auth, 'dpop');
  return fetchAuth(provider, { origins: [servers.api.url] });
}

const redirect = (to: string, status = 302) =>
  `${servers.api.url}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

/** A first call, so the API's DPoP nonce is known and no nonce round trip shows below. */
async function warm(authedFetch: typeof fetch) {
  expect((await authedFetch(`${servers.api.url}/echo/warm`)).status).toBe(200);
  servers.api.reset();
  second.reset();
}

/** The claims of the DPoP proof a request carried, as sent (the redirect route judges none). */
function proofClaims(record: { proof?: string } | undefined) {
  const payload = record?.proof?.split('.')[1];
  if (!payload) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as { htu: string; htm: string };
}

describe('fetchAuth redirects', () => {
  it('sends neither Authorization nor DPoP to another origin after a redirect (DPoP-bound)', async () => {
    const authedFetch = dpopFetch();
    await warm(authedFetch);
    for (const status of [301, 302, 303, 307, 308]) {
      second.reset();
      const response = await authedFetch(redirect(`${second.url}/echo/elsewhere`, status));
      expect(response.status).toBe(401); // the other origin wants a token and got none
      expect(second.requests).toMatchObject([{ path: '/echo/elsewhere' }]);
      expect(second.requests[0]?.authorization).toBeUndefined();
      expect(second.requests[0]?.proof).toBeUndefined();
      expect(response.redirected).toBe(true);
      expect(response.url).toBe(`${second.url}/echo/elsewhere`);
    }
    // Our origin saw the token with a proof on each first hop; nothing was refreshed.
    expect(servers.api.requests.every((r) => r.authorization?.startsWith('DPoP ') && r.proof)).toBe(
      true,
    );
    expect(servers.auth.stats.issued).toBe(1);
  });

  it('keeps the token on a same-origin redirect, with a new proof for the new URL', async () => {
    const authedFetch = dpopFetch();
    await warm(authedFetch);
    const response = await authedFetch(redirect('/echo/after?x=1'));
    expect(response.status).toBe(200);
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(`${servers.api.url}/echo/after?x=1`);
    const [first, next] = servers.api.requests;
    expect(next).toMatchObject({ path: '/echo/after', status: 200 });
    expect(next?.authorization).toBe(first?.authorization);
    expect(next?.dpop?.outcome).toBe('accepted');
    expect(proofClaims(next)).toMatchObject({ htm: 'GET', htu: `${servers.api.url}/echo/after` });
    expect(proofClaims(first)?.htu).toBe(`${servers.api.url}/redirect`);
    expect(next?.proof).not.toBe(first?.proof);
  });

  it('follows the Fetch standard: 303 and 301/302 after POST become GET without a body, 307/308 keep both', async () => {
    const authedFetch = dpopFetch();
    await warm(authedFetch);
    const seen: Array<[number, string | undefined, number | undefined]> = [];
    for (const status of [301, 302, 303, 307, 308]) {
      servers.api.reset();
      const response = await authedFetch(redirect('/echo/landing', status), {
        method: 'POST',
        body: 'x'.repeat(5_000),
        headers: { 'content-type': 'text/plain' },
      });
      expect(response.status).toBe(200);
      const landed = servers.api.requests[1];
      expect(proofClaims(landed)?.htm).toBe(landed?.method);
      seen.push([status, landed?.method, landed?.bodyLength]);
    }
    expect(seen).toEqual([
      [301, 'GET', 0],
      [302, 'GET', 0],
      [303, 'GET', 0],
      [307, 'POST', 5_000],
      [308, 'POST', 5_000],
    ]);
  });

  it('resends a Request’s body whole on a 307, and replays a 401 after the redirect once', async () => {
    const authedFetch = dpopFetch();
    await warm(authedFetch);
    servers.auth.control.revokeAll(); // the redirect route takes any token; /echo refuses it
    const body = 'ü'.repeat(3_000);
    const response = await authedFetch(
      new Request(redirect('/echo/put', 307), { method: 'PUT', body }),
    );
    expect(response.status).toBe(200);
    expect(servers.api.requests.map((r) => [r.path, r.method, r.bodyLength, r.status])).toEqual([
      ['/redirect', 'PUT', 6_000, 307],
      ['/echo/put', 'PUT', 6_000, 401],
      ['/echo/put', 'PUT', 6_000, 200],
    ]);
    expect(servers.auth.stats.issued).toBe(2); // the first token and the one refresh
  });

  it('refuses a redirect that would resend a one-shot stream, as fetch does', async () => {
    const authedFetch = dpopFetch();
    await warm(authedFetch);
    const send = () =>
      authedFetch(redirect('/echo/stream', 307), {
        method: 'POST',
        body: Readable.from(['a'.repeat(100)]),
        duplex: 'half',
      } as unknown as RequestInit);
    await expect(send()).rejects.toThrow(TypeError);
    expect(servers.api.requests.map((r) => r.path)).toEqual(['/redirect']);
  });

  it('takes redirect: "manual" and "error" as the caller gave them', async () => {
    const authedFetch = dpopFetch();
    await warm(authedFetch);
    const manual = await authedFetch(redirect(`${second.url}/echo/x`), { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.redirected).toBe(false);
    await expect(
      authedFetch(redirect(`${second.url}/echo/x`), { redirect: 'error' }),
    ).rejects.toThrow(TypeError);
    expect(second.requests).toHaveLength(0);
  });

  it('stops after 20 redirects, as fetch does', async () => {
    const authedFetch = dpopFetch();
    await warm(authedFetch);
    const chain = (hops: number) => {
      let url = '/echo/end';
      for (let i = 0; i < hops; i++) url = `/redirect?to=${encodeURIComponent(url)}`;
      return `${servers.api.url}${url}`;
    };
    expect((await authedFetch(chain(20))).status).toBe(200);
    expect(servers.api.requests).toHaveLength(21);
    await expect(fetch(chain(21))).rejects.toThrow(TypeError);
    await expect(authedFetch(chain(21))).rejects.toThrow(TypeError);
  });
});
