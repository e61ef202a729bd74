/**
 * The fleet's lock on one cache key: `SET <lock key> <owner> NX PX <ttl>`, renewed every
 * ttl/3 while held, released by compare-and-delete. A live holder keeps its lock however
 * slow the token endpoint is; a dead one's lock expires after `ttl` and a waiter takes over.
 */
import type { TokenStoreLock } from '@m2m-auth/core';
import { FAILED, type GuardedRedis } from './guarded-redis.ts';
import { RELEASE_LOCK, RENEW_LOCK } from './scripts.ts';

/** Names the holder in the lock's value, so an operator can see who holds it. */
function lockOwner(): string {
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `pid:${pid}:${globalThis.crypto.randomUUID()}`;
}

/** The lock, `undefined` when another owner holds it, or FAILED when Redis did not answer. */
export async function takeRedisLock(
  redis: GuardedRedis,
  lockKey: string,
  ttlMs: number,
  onRelease: () => void,
): Promise<TokenStoreLock | undefined | typeof FAILED> {
  const owner = lockOwner();
  const ttl = String(Math.max(1, Math.ceil(ttlMs)));
  const release = ['EVAL', RELEASE_LOCK, '1', lockKey, owner];
  if (redis.paused) return FAILED;
  const reply = await redis.run(['SET', lockKey, owner, 'NX', 'PX', ttl]);
  if (reply === FAILED) {
    // A SET that timed out on a hung server may still run when it answers; this release
    // runs after it on the same connection, so no lock is left that nobody renews.
    redis.fireAndForget(release);
    return FAILED;
  }
  if (reply !== 'OK') return undefined;
  // Renewal failures neither pause the store nor matter much: the lock then expires.
  const renewal = setInterval(
    () => redis.fireAndForget(['EVAL', RENEW_LOCK, '1', lockKey, owner, ttl]),
    Math.max(10, ttlMs / 3),
  );
  (renewal as { unref?: () => void }).unref?.(); // never keeps a process alive
  return {
    async release() {
      clearInterval(renewal);
      onRelease();
      await redis.run(release, true);
    },
  };
}
