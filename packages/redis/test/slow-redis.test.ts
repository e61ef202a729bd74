/**
 * Redis turning slow while this process holds the lock: the holder's callers wait for the
 * token request plus at most one `commandTimeoutMs` (the write that also frees the lock),
 * and the write, landing late, still leaves the token and no lock behind.
 */
import { createTokenProvider } from '@m2m-auth/core';
import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisStore } from '../src/index.ts';
import { CLIENT_KINDS, redisBinary, useRedisServer } from './helpers/redis.ts';

const TIMEOUT_MS = 1000;
const redis = useRedisServer();
let auth: AuthServer;
const closers: Array<() => unknown> = [];
beforeAll(async () => {
  auth = await startAuthServer();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(() => auth.close());

for (const kind of CLIENT_KINDS.filter((k) => k.name.endsWith('6'))) {
  describe.skipIf(!redisBinary)(`redisStore on ${kind.name} with a slow Redis`, () => {
    it('makes the lock holder wait at most one commandTimeoutMs after its token request', async () => {
      const connection = await kind.connect(redis.server.url);
      closers.push(connection.close);
      let answeredAt = 0;
      const tokens = createTokenProvider({
        tokenUrl: auth.tokenUrl('generic'),
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        store: redisStore(connection.client, { commandTimeoutMs: TIMEOUT_MS }),
        // Redis stops answering the moment the token endpoint has answered: the lock is held.
        fetch: async (url, init) => {
          const response = await fetch(url, init);
          await redis.admin.call('CLIENT', 'PAUSE', String(3 * TIMEOUT_MS), 'ALL');
          answeredAt = performance.now();
          return response;
        },
      });
      await tokens.getToken();
      const waited = performance.now() - answeredAt;
      // Before: the write timed out, then the release did (>= 2 x commandTimeoutMs).
      expect(waited).toBeLessThan(1.8 * TIMEOUT_MS);
      // The write, run when Redis answers again, carried the release.
      await vi.waitFor(
        async () => {
          expect(await redis.admin.keys('m2m-auth:*')).toEqual([
            expect.stringMatching(/^m2m-auth:token:/),
          ]);
        },
        { timeout: 5 * TIMEOUT_MS, interval: 100 },
      );
    });
  });
}
