import { Readable } from 'node:stream';
import { profileProvider, type ResourceServer, startResourceServer } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import ky, { HTTPError } from 'ky';
import kyOldest from 'ky-oldest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kyAuth } from '../src/index.ts';

// kyAuth follows the redirects of the requests it authorizes itself, as fetchAuth does: each
// hop is decided by core (Authorization and DPoP off on any change of origin; the token with
// a proof of its own on the same origin), with the Fetch standard's rules for the rest. ky
// leaves redirects to fetch, which forwards the DPoP proof to any origin and sends the first
// URL's proof to a same-origin hop (refused).
const servers = useTestServers();
let second: ResourceServer; // another origin: 127.0.0.1 on another port
beforeAll(async () => {
  second = await startResourceServer({ authServer: servers.auth });
});
afterAll(() => second.close());

interface KyLike {
  create(options: object): (url: string, options?: object) => Promise<Response>;
}
const majors: Array<[string, KyLike]> = [
  ['ky 2', ky as never],
  ['ky 1.0.0', kyOldest as never],
];

function dpopClient(client: KyLike, options: object = {}) {
  const provider = profileProvider(servers.auth, 'dpop');
  return client.create({
    throwHttpErrors: false,
    retry: 0,
    ...options,
    ...kyAuth(provider, { origins: [servers.api.url] }),
  });
}

const redirect = (to: string, status = 302) =>
  `${servers.api.url}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

/** A first call, so the API's DPoP nonce is known and no nonce round trip shows below. */
async function warm(call: (url: string) => Promise<Response>) {
  expect((await call(`${servers.api.url}/echo/warm`)).status).toBe(200);
  servers.api.reset();
  second.reset();
}

/** The claims of the DPoP proof a request carried, as sent (the redirect route judges none). */
function proofClaims(record: { proof?: string } | undefined) {
  const payload = record?.proof?.split('.')[1];
  if (!payload) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as { htu: string; htm: string };
}

describe.each(majors)('kyAuth redirects (%s)', (_name, client) => {
  it('sends neither Authorization nor DPoP to another origin after a redirect (DPoP-bound)', async () => {
    const api = dpopClient(client);
    await warm(api);
    for (const status of [301, 302, 303, 307, 308]) {
      second.reset();
      const response = await api(redirect(`${second.url}/echo/elsewhere`, status));
      expect(response.status).toBe(401); // the other origin wants a token and got none
      expect(second.requests).toMatchObject([{ path: '/echo/elsewhere' }]);
      expect(second.requests[0]?.authorization).toBeUndefined();
      expect(second.requests[0]?.proof).toBeUndefined();
      expect(response.redirected).toBe(true);
      expect(response.url).toBe(`${second.url}/echo/elsewhere`);
    }
    // Our origin saw the token with a proof on each first hop; nothing was refreshed.
    expect(servers.api.requests.map((r) => [r.path, r.status])).toEqual(
      Array.from({ length: 5 }, () => ['/redirect', expect.any(Number)]),
    );
    expect(servers.api.requests.every((r) => r.authorization?.startsWith('DPoP ') && r.proof)).toBe(
      true,
    );
    expect(servers.auth.stats.issued).toBe(1);
  });

  it('keeps the token on a same-origin redirect, with a new proof for the new URL', async () => {
    const api = dpopClient(client);
    await warm(api);
    const response = await api(redirect('/echo/after?x=1'));
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
    const api = dpopClient(client);
    await warm(api);
    const seen: Array<[number, string | undefined, number | undefined]> = [];
    for (const status of [301, 302, 303, 307, 308]) {
      servers.api.reset();
      const response = await api(redirect('/echo/landing', status), {
        method: 'post',
        json: { note: 'x'.repeat(5_000) },
      });
      expect(response.status).toBe(200);
      const landed = servers.api.requests[1];
      expect(landed?.dpop?.outcome).toBe('accepted');
      expect(proofClaims(landed)?.htm).toBe(landed?.method);
      seen.push([status, landed?.method, landed?.bodyLength]);
    }
    expect(seen).toEqual([
      [301, 'GET', 0],
      [302, 'GET', 0],
      [303, 'GET', 0],
      [307, 'POST', 5_011],
      [308, 'POST', 5_011],
    ]);
  });

  it('resends the body whole on a 307, and replays a 401 after the redirect once', async () => {
    const api = dpopClient(client);
    await warm(api);
    servers.auth.control.revokeAll(); // the redirect route takes any token; /echo refuses it
    const response = await api(redirect('/echo/put', 307), {
      method: 'put',
      body: 'ü'.repeat(3_000),
    });
    expect(response.status).toBe(200);
    expect(servers.api.requests.map((r) => [r.path, r.method, r.bodyLength, r.status])).toEqual([
      ['/redirect', 'PUT', 6_000, 307],
      ['/echo/put', 'PUT', 6_000, 401],
      ['/echo/put', 'PUT', 6_000, 200],
    ]);
    expect(servers.api.requests[2]?.dpop?.outcome).toBe('accepted');
    expect(servers.auth.stats.issued).toBe(2); // the first token and the one refresh
  });

  it('refuses a redirect that would resend a one-shot stream, as fetch does', async () => {
    const api = dpopClient(client);
    await warm(api);
    const error = await api(redirect('/echo/stream', 307), {
      method: 'post',
      body: Readable.toWeb(Readable.from(['a'.repeat(100)])),
      duplex: 'half',
    }).catch((e: unknown) => e);
    // fetch's TypeError; ky 2 wraps it in its NetworkError.
    expect([error, (error as Error).cause].some((e) => e instanceof TypeError)).toBe(true);
    expect(servers.api.requests.map((r) => [r.path, r.bodyLength])).toEqual([['/redirect', 100]]);
  });

  it('takes redirect: "manual" and "error" as the caller gave them', async () => {
    const api = dpopClient(client);
    await warm(api);
    const manual = await api(redirect(`${second.url}/echo/x`), { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.redirected).toBe(false);
    // fetch's TypeError; ky 2 wraps it in its NetworkError.
    const error = await api(redirect(`${second.url}/echo/x`), { redirect: 'error' }).catch(
      (e: unknown) => e,
    );
    expect([error, (error as Error).cause].some((e) => e instanceof TypeError)).toBe(true);
    expect(second.requests).toHaveLength(0);
  });

  it("composes with ky's retry: a 503 after a same-origin hop is retried from the start, each send with a proof of its own", async () => {
    // ky retries a status only on the way to throwing an HTTPError.
    const api = dpopClient(client, { throwHttpErrors: true, retry: { limit: 2, delay: () => 0 } });
    await warm(api);
    servers.api.inject({ type: 'pass' });
    servers.api.inject({ type: 'status', status: 503 });
    const response = await api(redirect('/echo/retried'));
    expect(response.status).toBe(200);
    expect(servers.api.requests.map((r) => [r.path, r.status])).toEqual([
      ['/redirect', 302],
      ['/echo/retried', 503],
      ['/redirect', 302],
      ['/echo/retried', 200],
    ]);
    const proofs = servers.api.requests.map((r) => r.proof);
    expect(new Set(proofs).size).toBe(4);
    expect(servers.api.requests[3]?.dpop?.outcome).toBe('accepted');
    expect(proofClaims(servers.api.requests[3])?.htu).toBe(`${servers.api.url}/echo/retried`);
    expect(servers.auth.stats.issued).toBe(1); // the warm call's token, all along
  });
});

describe('kyAuth redirects and ky 2 retry', () => {
  it('keeps a hop’s refresh spent when ky retries the call: the retry’s 401 stands', async () => {
    const api = dpopClient(ky as never, {
      throwHttpErrors: true,
      retry: { limit: 2, delay: () => 0 },
    });
    await warm(api);
    servers.auth.control.revokeAll();
    // /redirect 302, /echo 401 (revoked), its replay 503, ky's retry: /redirect 302, /echo 401.
    servers.api.inject({ type: 'pass' });
    servers.api.inject({ type: 'pass' });
    servers.api.inject({ type: 'status', status: 503 });
    servers.api.inject({ type: 'pass' });
    servers.api.inject({ type: 'status', status: 401 });
    const error = await api(redirect('/echo/once')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(401);
    expect(servers.api.requests.map((r) => [r.path, r.status])).toEqual([
      ['/redirect', 302],
      ['/echo/once', 401],
      ['/echo/once', 503],
      ['/redirect', 302],
      ['/echo/once', 401],
    ]);
    expect(servers.auth.stats.issued).toBe(2); // the warm call's token and the one refresh
  });
});
