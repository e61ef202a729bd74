import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredToken, TokenStoreLock } from '@m2m-auth/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RedisStoreEvent, redisStore } from '../src/index.ts';
import { entry } from './helpers/entries.ts';
import { CLIENT_KINDS, type ClientKind, redisBinary, useRedisServer } from './helpers/redis.ts';

const redis = useRedisServer();
const closers: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** GETs Redis served since the last `CONFIG RESETSTAT`. */
async function redisReads(): Promise<number> {
  const stats = (await redis.admin.info('commandstats')) as string;
  return Number(/cmdstat_get:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

async function connect(kind: ClientKind) {
  const connection = await kind.connect(redis.server.url);
  closers.push(connection.close);
  return connection.client;
}

for (const kind of CLIENT_KINDS) {
  describe.skipIf(!redisBinary)(`redisStore on ${kind.name}`, () => {
    it('shares a token between processes, with a Redis TTL that follows the token', async () => {
      const [a, b] = [redisStore(await connect(kind)), redisStore(await connect(kind))];
      await a.set('k', entry('TOKEN-A'), 45_000);
      expect((await b.get('k'))?.token).toEqual({
        accessToken: 'TOKEN-A',
        tokenType: 'Bearer',
        expiresAt: expect.any(Number),
      });
      const ttl = await redis.admin.pttl('m2m-auth:token:{k}');
      expect(ttl).toBeGreaterThan(40_000);
      expect(ttl).toBeLessThanOrEqual(45_000);
    });

    it('deletes a token only while it is still the one stored (compare-and-delete)', async () => {
      const [a, b] = [redisStore(await connect(kind)), redisStore(await connect(kind))];
      await a.set('k', entry('NEW'), 45_000);
      expect(await b.deleteIf('k', 'OLD')).toBe(false);
      expect((await b.get('k'))?.token.accessToken).toBe('NEW');
      expect(await b.deleteIf('k', 'NEW')).toBe(true);
      expect(await redis.admin.exists('m2m-auth:token:{k}')).toBe(0);
      expect(await b.get('k')).toBeUndefined();
    });

    it('serves its local copy without Redis until the refresh point, then reads Redis', async () => {
      const store = redisStore(await connect(kind));
      await store.set('k', entry('LOCAL', { fresh: true }), 45_000);
      await redis.admin.config('RESETSTAT');
      // Synchronous, from the local copy: the cached path never waits on Redis.
      for (let i = 0; i < 100; i++) {
        expect((store.get('k') as StoredToken).token.accessToken).toBe('LOCAL');
      }
      expect(await redisReads()).toBe(0);
      await store.set('k', entry('DUE'), 45_000); // past its refresh point
      await redis.admin.set('m2m-auth:token:{k}', 'written by another process, unreadable');
      await redis.admin.config('RESETSTAT');
      expect((await store.get('k'))?.token.accessToken).toBe('DUE');
      expect(await redisReads()).toBe(1);
    });

    it('keeps serving a valid copy when Redis lost the entry, reading Redis at most twice a second', async () => {
      const store = redisStore(await connect(kind));
      await store.set('k', entry('KEPT'), 45_000);
      await redis.admin.flushall(); // evicted, or Redis restarted empty
      await redis.admin.config('RESETSTAT');
      for (let i = 0; i < 200; i++) expect((await store.get('k'))?.token.accessToken).toBe('KEPT');
      expect(await redisReads()).toBe(1);
      await sleep(550);
      await store.get('k');
      expect(await redisReads()).toBe(2);
    });

    it('gives the lock to one holder, names it, and frees it only for its owner', async () => {
      const [a, b] = [redisStore(await connect(kind)), redisStore(await connect(kind))];
      const held = await a.lock?.('k', 5000);
      expect(held).toBeDefined();
      expect(await b.lock?.('k', 5000)).toBeUndefined();
      expect(await redis.admin.get('m2m-auth:lock:{k}')).toMatch(
        new RegExp(`^pid:${process.pid}:`),
      );
      await held?.release();
      expect(await redis.admin.exists('m2m-auth:lock:{k}')).toBe(0);
      const next = await b.lock?.('k', 5000);
      expect(next).toBeDefined();
      await next?.release();
    });

    it("renews a live holder's lock, and lets a dead holder's lock expire", async () => {
      const [a, b] = [redisStore(await connect(kind)), redisStore(await connect(kind))];
      const held = await a.lock?.('k', 300);
      await sleep(1000);
      expect(await b.lock?.('k', 300)).toBeUndefined();
      await held?.release();
      await redis.admin.set('m2m-auth:lock:{dead}', 'pid:1:crashed', 'PX', 100);
      expect(await b.lock?.('dead', 5000)).toBeUndefined();
      await sleep(150);
      expect(await b.lock?.('dead', 5000)).toBeDefined();
    });

    it('never renews or releases a lock that has passed to another owner', async () => {
      const store = redisStore(await connect(kind));
      const held = await store.lock?.('k', 300);
      await redis.admin.set('m2m-auth:lock:{k}', 'pid:2:next-owner', 'PX', 200); // ours expired
      await sleep(250); // a renewal (every 100 ms) must not extend the new owner's lock
      expect(await redis.admin.exists('m2m-auth:lock:{k}')).toBe(0);
      await redis.admin.set('m2m-auth:lock:{k}', 'pid:2:next-owner', 'PX', 5000);
      await held?.release();
      expect(await redis.admin.get('m2m-auth:lock:{k}')).toBe('pid:2:next-owner');
    });

    it('keeps every key under its prefix', async () => {
      const store = redisStore(await connect(kind), { prefix: 'svc-a:' });
      await store.set('k', entry('T'), 45_000);
      await (await store.lock?.('k', 5000))?.release();
      expect(await redis.admin.keys('*')).toEqual(['svc-a:token:{k}']);
    });

    it('falls back to its local path when Redis stops, and comes back when it returns', async () => {
      const events: RedisStoreEvent[] = [];
      const store = redisStore(await connect(kind), {
        commandTimeoutMs: 100,
        pauseAfterFailureMs: 50,
        onEvent: (event) => events.push(event),
      });
      await store.set('k', entry('KEPT'), 45_000);
      await redis.server.stop();
      expect((await store.get('k'))?.token.accessToken).toBe('KEPT');
      expect(events.map((e) => e.type)).toEqual(['redis_unavailable']);
      expect(events[0]).toMatchObject({ error: { code: 'M2M_STORE_ERROR' } });
      // In-process single-flight still holds while Redis is away.
      const local = await store.lock?.('k', 5000);
      expect(local).toBeDefined();
      expect(await store.lock?.('k', 5000)).toBeUndefined();
      await local?.release();
      expect(await store.deleteIf('k', 'KEPT')).toBe(true);

      await redis.server.start();
      await sleep(60);
      for (let i = 0; i < 100 && events.at(-1)?.type !== 'redis_recovered'; i++) {
        await store.set('k', entry('BACK'), 45_000);
        await sleep(50);
      }
      expect(events.map((e) => e.type)).toEqual(['redis_unavailable', 'redis_recovered']);
      expect(await redis.admin.exists('m2m-auth:token:{k}')).toBe(1);
    });

    it('never writes late: a token set during an outage does not land when Redis returns', async () => {
      const client = await connect(kind);
      const store = redisStore(client, { commandTimeoutMs: 100, pauseAfterFailureMs: 1 });
      await redis.server.stop();
      const status = client as { status?: string; isReady?: boolean };
      await vi.waitFor(() =>
        expect(status.status ?? status.isReady).toBeOneOf(['reconnecting', false]),
      );
      await store.set('k', entry('WRITTEN-DURING-OUTAGE'), 45_000);
      await redis.server.start();
      await (store.deleteIf('probe', 'x') as Promise<boolean>); // a command that lands: reconnected
      await vi.waitFor(async () => {
        expect(await store.deleteIf('probe', 'x')).toBe(false);
        expect(status.status ?? status.isReady).toBeOneOf(['ready', true]);
      });
      expect(await redis.admin.exists('m2m-auth:token:{k}')).toBe(0);
    });

    it('leaves no lock behind that nobody renews when a lock command times out', async () => {
      const store = redisStore(await connect(kind), { commandTimeoutMs: 100 });
      redis.server.freeze();
      let local: TokenStoreLock | undefined;
      try {
        local = await store.lock?.('k', 5000); // timed out: the in-process lock instead
      } finally {
        redis.server.thaw();
      }
      expect(local).toBeDefined();
      // The SET NX, run late when the server thawed, is undone by the release sent after it.
      await vi.waitFor(async () => expect(await redis.admin.exists('m2m-auth:lock:{k}')).toBe(0), {
        timeout: 2000,
      });
    });

    it('answers from its local path when Redis hangs, after commandTimeoutMs', async () => {
      const events: RedisStoreEvent[] = [];
      const store = redisStore(await connect(kind), {
        commandTimeoutMs: 100,
        onEvent: (event) => events.push(event),
      });
      await store.set('k', entry('KEPT'), 45_000);
      redis.server.freeze();
      try {
        expect((await store.get('k'))?.token.accessToken).toBe('KEPT');
      } finally {
        redis.server.thaw();
      }
      expect(events).toHaveLength(1);
      expect((events[0] as { error: Error }).error.message).toBe(
        'Redis EVAL took longer than 100 ms',
      );
    });
  });
}

describe('redisStore', () => {
  it('refuses what is not a Redis client, and bad options, at construction', () => {
    expect(() => redisStore(undefined as never)).toThrow(/ioredis or node-redis/);
    expect(() => redisStore({} as never)).toThrow(/ioredis or node-redis/);
    const client = { call: async () => null };
    expect(() => redisStore(client, { commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/);
    expect(() => redisStore(client, { pauseAfterFailureMs: Number.NaN })).toThrow(
      /pauseAfterFailureMs/,
    );
  });
});
