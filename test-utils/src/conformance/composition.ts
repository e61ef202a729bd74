/**
 * `describeComposition(adapter, variants)`: the composition matrix. Each variant is the
 * adapter inside the retry layer its users run (axios-retry in either order, got's `retry`,
 * ky's `retry`, ofetch's retry, undici's retry interceptor, openapi-fetch's `Request`s). The
 * API answers 503s, resets and 401s on cue, and every row is checked at the servers:
 *
 * - no request carries a masked token, nor a token its own logical request was refused with;
 * - each revoke costs one token request;
 * - each logical request (one path here) is refreshed at most once: at most two tokens.
 */
import { describe, expect, it } from 'vitest';
import { profileProvider } from '../profile-provider.ts';
import type { ProfileName } from '../profiles.ts';
import type { ResourceRequestRecord } from '../resource-server.ts';
import type { MakeClient, UniformClient, UniformResponse } from './types.ts';
import { useTestServers } from './use-test-servers.ts';

/**
 * Where the retry layer sits. `linked`: its re-sends go through the adapter, which knows
 * them for the same request (axios-retry, got, ky). `fresh-call`: it calls the adapter anew
 * (ofetch over fetchAuth): each call is a request of its own, with a refresh of its own.
 * `below`: it re-sends the bytes the adapter sent (undici's retry interceptor under fetch),
 * DPoP proof included. `none`: no retries (openapi-fetch).
 */
export type RetryPlacement = 'linked' | 'fresh-call' | 'below' | 'none';

export interface CompositionVariant {
  /** e.g. `'axios-retry installed after axiosAuth'`. */
  name: string;
  /** Where the client's retries of a GET that met a 503 or a reset socket happen. */
  retries: RetryPlacement;
  make: MakeClient;
}

const tokenOf = (record: ResourceRequestRecord) => record.authorization?.replace(/^\S+ /, '');

/** The server-side rules every row ends with; `calls` adapter calls per path (fresh-call retries). */
function expectCleanAttempts(records: ResourceRequestRecord[], calls = 1): void {
  const byPath = new Map<string, ResourceRequestRecord[]>();
  for (const record of records) {
    expect(record.authorization ?? '').not.toContain('[redacted]');
    byPath.set(record.path, [...(byPath.get(record.path) ?? []), record]);
  }
  for (const [path, attempts] of byPath) {
    const refused = new Set<string>();
    for (const attempt of attempts) {
      const token = tokenOf(attempt);
      // A token this logical request was refused with never goes again.
      expect(token !== undefined && refused.has(token), `${path} re-sent a refused token`).toBe(
        false,
      );
      if (attempt.status === 401 && token) refused.add(token);
    }
    const tokens = new Set(attempts.map(tokenOf));
    expect(tokens.size, `${path}: more than one refresh per call`).toBeLessThanOrEqual(1 + calls);
  }
}

export function describeComposition(adapter: string, variants: CompositionVariant[]): void {
  describe.each(variants)(`${adapter} composed: $name`, (variant) => {
    const servers = useTestServers();
    const retries = variant.retries !== 'none';

    async function warmClient(profile: ProfileName = 'generic'): Promise<UniformClient> {
      const provider = profileProvider(servers.auth, profile);
      const client = await variant.make({ provider, origins: [servers.api.url], servers });
      expect((await client({ url: `${servers.api.url}/echo/warm` })).status).toBe(200);
      servers.auth.stats.reset();
      servers.api.reset();
      return client;
    }
    const statuses = (path: string) =>
      servers.api.requests.filter((r) => r.path === path).map((r) => r.status);
    const settle = (call: Promise<UniformResponse>) =>
      call.then(
        (response) => response.status,
        (error: unknown) => error,
      );

    it('503 -> retry -> 401: one refresh, one replay, 200', async () => {
      const request = await warmClient();
      servers.auth.control.revokeAll();
      servers.api.inject({ type: 'status', status: 503 });
      const response = await request({ url: `${servers.api.url}/echo/first-503` });
      if (retries) {
        expect(response.status).toBe(200);
        expect(statuses('/echo/first-503')).toEqual([503, 401, 200]);
        expect(servers.auth.stats.total).toBe(1);
      } else {
        expect(response.status).toBe(503);
        expect(servers.auth.stats.total).toBe(0);
      }
      expectCleanAttempts(servers.api.requests);
    });

    it('401 -> replay -> 503 -> retry: the retry carries the fresh token, 200', async () => {
      const request = await warmClient();
      servers.auth.control.revokeAll();
      servers.api.inject({ type: 'pass' });
      servers.api.inject({ type: 'status', status: 503 });
      const response = await request({ url: `${servers.api.url}/echo/replay-503` });
      expect(response.status).toBe(retries ? 200 : 503);
      expect(statuses('/echo/replay-503')).toEqual(retries ? [401, 503, 200] : [401, 503]);
      expect(servers.auth.stats.total).toBe(1);
      const [, replay, retry] = servers.api.requests;
      if (retry) expect(retry.authorization).toBe(replay?.authorization);
      expectCleanAttempts(servers.api.requests);
    });

    it('always 401: one refresh, the second 401 goes back to the caller', async () => {
      const request = await warmClient();
      const response = await request({ url: `${servers.api.url}/always-401` });
      expect(response.status).toBe(401);
      expect(statuses('/always-401')).toEqual([401, 401]);
      expect(servers.auth.stats.total).toBe(1);
      expectCleanAttempts(servers.api.requests);
    });

    it('401 -> replay -> 503 -> retry -> 401: the request had its one refresh, the 401 stands', async () => {
      const request = await warmClient();
      servers.auth.control.revokeAll();
      servers.api.inject({ type: 'pass' });
      servers.api.inject({ type: 'status', status: 503 });
      servers.api.inject({ type: 'status', status: 401 });
      const response = await request({ url: `${servers.api.url}/echo/twice` });
      if (variant.retries === 'fresh-call') {
        // The retry is a call of its own: its 401 gets the refresh a call may have.
        expect(response.status).toBe(200);
        expect(statuses('/echo/twice')).toEqual([401, 503, 401, 200]);
        expect(servers.auth.stats.total).toBe(2);
      } else {
        expect(response.status).toBe(retries ? 401 : 503);
        expect(statuses('/echo/twice')).toEqual(retries ? [401, 503, 401] : [401, 503]);
        expect(servers.auth.stats.total).toBe(1);
      }
      expectCleanAttempts(servers.api.requests, variant.retries === 'fresh-call' ? 2 : 1);
    });

    it('revoked, then a reset socket: the retry carries the current token, then one refresh', async () => {
      const request = await warmClient();
      servers.auth.control.revokeAll();
      servers.api.inject({ type: 'reset' });
      const outcome = await settle(request({ url: `${servers.api.url}/echo/reset` }));
      const attempts = servers.api.requests;
      if (retries) {
        expect(outcome).toBe(200);
        expect(attempts.map((r) => r.status)).toEqual([0, 401, 200]);
        // The retry after the reset sent the token the reset request carried (still current).
        expect(attempts[1]?.authorization).toBe(attempts[0]?.authorization);
        expect(servers.auth.stats.total).toBe(1);
      } else {
        expect(outcome).toBeInstanceOf(Error);
        expect(servers.auth.stats.total).toBe(0);
      }
      expectCleanAttempts(attempts);
    });

    it('a 401 from another origin after a redirect: no token sent there, nothing refreshed', async () => {
      const request = await warmClient();
      // Same server, another origin (localhost is not 127.0.0.1), not in origins.
      const elsewhere = servers.api.url.replace('127.0.0.1', 'localhost');
      const to = encodeURIComponent(`${elsewhere}/always-401`);
      const response = await request({ url: `${servers.api.url}/redirect?to=${to}` });
      expect(response.status).toBe(401);
      expect(servers.api.requests.map((r) => [r.path, r.status, Boolean(r.authorization)])).toEqual(
        [
          ['/redirect', 302, true],
          ['/always-401', 401, false],
        ],
      );
      expect(servers.auth.stats.total).toBe(0);
    });

    it('DPoP-bound: each attempt the retry layer sends has a proof of its own', async () => {
      const request = await warmClient('dpop');
      servers.api.inject({ type: 'status', status: 503 });
      const response = await request({ url: `${servers.api.url}/echo/dpop` });
      const attempts = servers.api.requests;
      if (retries) {
        expect(response.status).toBe(200);
        expect(attempts.map((r) => r.status)).toEqual([503, 200]);
        expect(attempts[1]?.dpop?.outcome).toBe('accepted');
        // A layer below the adapter re-sends its bytes, proof included (documented); a
        // server that saw that proof would refuse it. Every other layer gets a new proof.
        if (variant.retries === 'below') expect(attempts[1]?.proof).toBe(attempts[0]?.proof);
        else expect(attempts[1]?.proof).not.toBe(attempts[0]?.proof);
      } else {
        expect(response.status).toBe(503);
      }
      expect(attempts.every((r) => r.authorization?.startsWith('DPoP ') && r.proof)).toBe(true);
      expect(servers.auth.stats.total).toBe(0);
      expectCleanAttempts(attempts);
    });

    it('a JSON POST refused after a revoke is replayed whole', async () => {
      const request = await warmClient();
      servers.auth.control.revokeAll();
      const value = { order: 42, note: 'ü'.repeat(50) };
      const response = await request({
        method: 'POST',
        url: `${servers.api.url}/echo/post`,
        body: { kind: 'json', value },
      });
      expect(response.status).toBe(200);
      const attempts = servers.api.requests;
      expect(attempts.map((r) => [r.method, r.status])).toEqual([
        ['POST', 401],
        ['POST', 200],
      ]);
      const length = Buffer.byteLength(JSON.stringify(value));
      expect(attempts.map((r) => r.bodyLength)).toEqual([length, length]);
      expect(servers.auth.stats.total).toBe(1);
      expectCleanAttempts(attempts);
    });

    it('30 concurrent calls after a revoke: one token request, all 200', async () => {
      const request = await warmClient();
      servers.auth.control.revokeAll();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => request({ url: `${servers.api.url}/echo/c${i}` })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
      expect(servers.auth.stats.total).toBe(1);
      for (let i = 0; i < 30; i++) expect(statuses(`/echo/c${i}`)).toEqual([401, 200]);
      expectCleanAttempts(servers.api.requests);
    });
  });
}
