/**
 * A fleet of 8 real Node processes (half on ioredis, half on node-redis), each firing 100
 * concurrent requests through the fetch adapter, sharing one token through a real
 * redis-server. The authorization server counts what the fleet costs it.
 */

import type { ResourceServer } from '@m2m-auth/test-utils';
import { type AuthServer, startAuthServer, startResourceServer } from '@m2m-auth/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BurstResult, type Fleet, startFleet } from './helpers/fleet.ts';
import { redisBinary, useRedisServer } from './helpers/redis.ts';

const SIZE = 8;
const REQUESTS = 100;
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

const redis = useRedisServer();
let auth: AuthServer;
let api: ResourceServer;
let fleet: Fleet | undefined;

beforeAll(async () => {
  auth = await startAuthServer();
  api = await startResourceServer({ authServer: auth });
});
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  auth.stats.reset();
  auth.control.clearFaults();
  api.reset();
});
afterAll(async () => {
  await Promise.all([auth.close(), api.close()]);
});

async function start(lockTtlMs = 5000) {
  fleet = await startFleet({
    size: SIZE,
    redisUrl: redis.server.url,
    tokenUrl: auth.tokenUrl('generic'),
    apiUrl: api.url,
    encryptionKey: ENCRYPTION_KEY,
    lockTtlMs,
  });
  return fleet;
}

function expectAllSucceeded(results: BurstResult[], processes = SIZE, requests = REQUESTS) {
  expect(results).toHaveLength(processes);
  expect(results.flatMap((r) => r.failed)).toEqual([]);
  expect(results.reduce((sum, r) => sum + r.ok, 0)).toBe(processes * requests);
}

const jtis = (results: BurstResult[]) => new Set(results.flatMap((r) => r.jtis));

// Real processes: each test starts 8 of them, so give them more than vitest's default 5 s.
describe.skipIf(!redisBinary)('a fleet on one Redis store', { timeout: 30_000 }, () => {
  it('makes exactly one token request for 8 cold processes x 100 concurrent calls, and one after revoke-all', async () => {
    const fleet = await start();
    const cold = await fleet.burst(REQUESTS, 'cold');
    expectAllSucceeded(cold);
    expect(auth.stats.total).toBe(1);
    expect(jtis(cold).size).toBe(1);

    const stored = (await redis.admin.keys('m2m-auth:token:*'))[0] as string;
    const raw = (await redis.admin.get(stored)) as string;
    // Sealed: the encrypted form, no JWT (header.payload.) and no JSON at rest. (Not merely
    // "no eyJ": random ciphertext holds those three characters in about 1 run in 250.)
    expect(raw).toMatch(/^[\w-]+\.e\./);
    expect(raw).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    expect(raw).not.toContain('{"');

    auth.control.revokeAll();
    const after = await fleet.burst(REQUESTS, 'after-revoke');
    expectAllSucceeded(after);
    expect(auth.stats.total).toBe(2);
    expect(jtis(after).size).toBe(1);
    expect(api.counters.unauthorized).toBe(SIZE * REQUESTS);
  });

  it("shares the lock holder's failure: a failing token endpoint sees one holder's attempts, not one per process", async () => {
    const fleet = await start();
    auth.control.inject({ type: 'status', status: 503 }, 1000);
    const results = await fleet.burst(REQUESTS, 'endpoint-down');
    const failures = results.flatMap((r) => r.failed);
    expect(failures).toHaveLength(SIZE * REQUESTS);
    for (const failure of new Set(failures)) expect(failure).toMatch(/OAuthError: .*503/);
    expect(auth.stats.total).toBe(3); // the holder's three attempts (core retries 5xx)
  });

  it('recovers when the lock holder is killed mid-fetch: one waiter takes over after the lock TTL', async () => {
    const fleet = await start(1000);
    expectAllSucceeded(await fleet.burst(1, 'warm'), SIZE, 1);
    auth.control.revokeAll();
    auth.control.inject({ type: 'delay', ms: 3000 }); // the holder's token request hangs
    const holder = Promise.race(fleet.workers.map((w) => w.nextLock().then(() => w)));
    const burst = fleet.burst(REQUESTS, 'holder-killed');
    (await holder).process.kill('SIGKILL');
    const results = await burst;
    expectAllSucceeded(results, SIZE - 1);
    expect(jtis(results).size).toBe(1);
    // The warm-up and the one takeover, plus the dead holder's own request if it got it out
    // before the kill (recorded when its 3 s delay ends: wait until it is answered). Never
    // one per surviving process.
    await auth.idle();
    expect([2, 3]).toContain(auth.stats.total);
  });

  it('serves every request while Redis is down, and converges back to one token when it returns', async () => {
    const fleet = await start();
    expectAllSucceeded(await fleet.burst(REQUESTS, 'before'));
    auth.control.revokeAll();
    auth.control.inject({ type: 'delay', ms: 300 });
    const holder = Promise.race(fleet.workers.map((w) => w.nextLock().then(() => w)));
    const burst = fleet.burst(REQUESTS, 'redis-stops');
    await holder;
    await redis.server.stop(); // mid-fetch: the holder cannot write, the waiters cannot read
    expectAllSucceeded(await burst);
    auth.control.revokeAll();
    expectAllSucceeded(await fleet.burst(REQUESTS, 'redis-down'));
    for (const worker of fleet.workers) expect(worker.events).toContain('redis_unavailable');

    await redis.server.start();
    await fleet.redisReachable(); // every worker's store is past its pause and uses Redis
    auth.stats.reset();
    auth.control.revokeAll();
    const back = await fleet.burst(REQUESTS, 'redis-back');
    expectAllSucceeded(back);
    expect(auth.stats.total).toBe(1);
    expect(jtis(back).size).toBe(1);
    for (const worker of fleet.workers) expect(worker.events.at(-1)).toBe('redis_recovered');
  });
});
