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
import type { ResourceRequestRecord } from '../resource-server.ts';
import type { MakeClient, UniformClient, UniformResponse } from './types.ts';
import { useTestServers } from './use-test-servers.ts';

export interface CompositionVariant {
  /** e.g. `'axios-retry installed after axiosAuth'`. */
  name: string;
  /** Whether the client resends a GET that met a 503 or a reset socket by itself. */
  retries: boolean;
  make: MakeClient;
}

const tokenOf = (record: ResourceRequestRecord) => record.authorization?.replace(/^\S+ /, '');

/** The server-side rules every row ends with. */
function expectCleanAttempts(records: ResourceRequestRecord[]): void {
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
    expect(tokens.size, `${path}: more than one refresh`).toBeLessThanOrEqual(2);
  }
}

export function describeComposition(adapter: string, variants: CompositionVariant[]): void {
  describe.each(variants)(`${adapter} composed: $name`, (variant) => {
    const servers = useTestServers();

    async function warmClient(): Promise<UniformClient> {
      const provider = profileProvider(servers.auth, 'generic');
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
      if (variant.retries) {
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
      expect(response.status).toBe(variant.retries ? 200 : 503);
      expect(statuses('/echo/replay-503')).toEqual(variant.retries ? [401, 503, 200] : [401, 503]);
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

    it('a reset socket is retried by the client with the same, current token', async () => {
      const request = await warmClient();
      servers.api.inject({ type: 'reset' });
      const outcome = await settle(request({ url: `${servers.api.url}/echo/reset` }));
      if (variant.retries) {
        expect(outcome).toBe(200);
        expect(servers.api.requests.map((r) => r.path)).toEqual(['/echo/reset', '/echo/reset']);
      } else {
        expect(outcome).toBeInstanceOf(Error);
      }
      expect(servers.auth.stats.total).toBe(0);
      expectCleanAttempts(servers.api.requests);
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
