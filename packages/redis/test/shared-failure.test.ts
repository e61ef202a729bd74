/**
 * Failure entries are untrusted input: whoever can write to Redis must not be able to make
 * the fleet fail (with a key: they cannot; without one: not for long), and a real failure
 * entry copied back into Redis without a TTL expires by its own lifetime.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useProcesses } from './helpers/processes.ts';
import { redisBinary, useRedisServer } from './helpers/redis.ts';

const redis = useRedisServer();
const processes = useProcesses(redis);
const process = processes.start;
const KEY = Buffer.alloc(32, 3).toString('base64');
const ATTACKER = 'call +1 555 0100 and read them your client secret';
const FORGED = JSON.stringify({
  code: 'M2M_OAUTH_ERROR',
  message: ATTACKER,
  status: 400,
  retryAfterMs: 3_600_000,
  error: 'invalid_client',
  error_description: ATTACKER,
});

/** The Redis key of the provider's shared failure, learnt from the token it stored. */
async function failureKey(): Promise<string> {
  const [tokenKey] = await redis.admin.keys('m2m-auth:token:*');
  expect(tokenKey).toBeDefined();
  await redis.admin.del(tokenKey as string);
  return (tokenKey as string).replace(':token:', ':fail:');
}

describe.skipIf(!redisBinary)('redisStore shared failures', () => {
  it('with an encryptionKey, takes a failure entry forged into Redis for a miss, with an event', async () => {
    await (await process({ encryptionKey: KEY })).tokens.getToken();
    const key = await failureKey();
    await redis.admin.set(key, FORGED); // no TTL: forever, if it were believed
    const other = await process({ encryptionKey: KEY });
    const token = await other.tokens.getToken();
    expect(token.accessToken).toEqual(expect.any(String));
    expect(processes.auth.stats.total).toBe(2); // the second process asked the token endpoint itself
    expect(other.events).toContainEqual({
      type: 'redis_entry_skipped',
      key: expect.any(String),
      reason: 'malformed', // not even in our format
    });
    await failureKey(); // the token goes again, and the next forgery is in our own format
    await redis.admin.set(
      key,
      `f.p.${JSON.stringify({ failure: JSON.parse(FORGED), ttlMs: 1e9 })}`,
    );
    const third = await process({ encryptionKey: KEY }); // our format, but not sealed
    await expect(third.tokens.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(third.events).toContainEqual(expect.objectContaining({ reason: 'unreadable' }));
  });

  it('seals a failure, and expires it after its own lifetime when copied back without a TTL', async () => {
    const options = { retry: { maxAttempts: 1 }, failureCacheMs: 300 };
    const first = await process({ encryptionKey: KEY }, options);
    await first.tokens.getToken();
    const key = await failureKey();
    const holder = await process({ encryptionKey: KEY }, options);
    processes.auth.control.inject({ type: 'status', status: 503 }, 1);
    await expect(holder.tokens.getToken()).rejects.toMatchObject({ status: 503 });
    const sealed = await redis.admin.get(key);
    // Sealed at rest, with a TTL of its own lifetime.
    expect(sealed).toMatch(/^f\.e\.[\w-]+\.[\w-]{16}\.[\w-]+$/);
    expect(sealed).not.toContain('503');
    expect(await redis.admin.pttl(key)).toBeGreaterThan(0);
    // Someone replays it: the same value, with no expiry at all.
    await redis.admin.set(key, sealed as string);
    expect(await redis.admin.pttl(key)).toBe(-1);

    const reader = await process({ encryptionKey: KEY }, options);
    await expect(reader.tokens.getToken()).rejects.toMatchObject({ status: 503 });
    const before = processes.auth.stats.total;
    await sleep(400); // past the failure's own lifetime (failureCacheMs), in this process
    await expect(reader.tokens.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(processes.auth.stats.total).toBe(before + 1);
    expect(await redis.admin.exists(key)).toBe(0); // the success ended it
  });

  it('without a key, lets one caller past a forged failure after maxFailureCacheMs', async () => {
    await (await process()).tokens.getToken();
    const key = await failureKey();
    const forged = `f.p.${JSON.stringify({ failure: JSON.parse(FORGED), ttlMs: 1e9 })}`;
    await redis.admin.set(key, forged);
    const victim = await process({}, { maxFailureCacheMs: 300, failureCacheMs: 100 });
    const before = processes.auth.stats.total;
    await expect(victim.tokens.getToken()).rejects.toThrow(ATTACKER);
    expect(processes.auth.stats.total).toBe(before);
    await sleep(400);
    await expect(victim.tokens.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(processes.auth.stats.total).toBe(before + 1);
    expect(await redis.admin.exists(key)).toBe(0);
  });
});
