/**
 * The fleet's lock on one cache key: `SET <lock key> <owner> NX PX <ttl>`, renewed every
 * ttl/3 while held, released by compare-and-delete. A live holder keeps its lock however
 * slow the token endpoint is; a dead one's lock expires after `ttl` and a waiter takes over.
 *
 * The holder's callers wait on Redis for at most one command after their token request: the
 * write that ends the holding carries the release (`finish`), and once a holder's command
 * failed, its later ones are sent without being waited for.
 */
import type { TokenStoreLock } from '@m2m-auth/core';
import { FAILED, type GuardedRedis } from './guarded-redis.ts';
import { RELEASE_LOCK, RENEW_LOCK } from './scripts.ts';

export interface RedisLock extends TokenStoreLock {
  readonly owner: string;
  /** A holder's read: FAILED at once when Redis already failed this holding. */
  read(args: string[]): Promise<unknown>;
  /** The holder's last command, which frees the lock itself (a script given `owner`). */
  finish(args: string[]): Promise<unknown>;
}

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
): Promise<RedisLock | undefined | typeof FAILED> {
  const owner = lockOwner();
  const ttl = String(Math.max(1, Math.ceil(ttlMs)));
  const releaseArgs = ['EVAL', RELEASE_LOCK, '1', lockKey, owner];
  if (redis.paused) return FAILED;
  const reply = await redis.run(['SET', lockKey, owner, 'NX', 'PX', ttl]);
  if (reply === FAILED) {
    // A SET that timed out on a hung server may still run when it answers; this release
    // runs after it on the same connection, so no lock is left that nobody renews.
    redis.fireAndForget(releaseArgs);
    return FAILED;
  }
  if (reply !== 'OK') return undefined;
  // Renewal failures neither pause the store nor matter much: the lock then expires.
  const renewal = setInterval(
    () => redis.fireAndForget(['EVAL', RENEW_LOCK, '1', lockKey, owner, ttl]),
    Math.max(10, ttlMs / 3),
  );
  (renewal as { unref?: () => void }).unref?.(); // never keeps a process alive
  let failed = false;
  let done = false;
  const end = () => {
    done = true;
    clearInterval(renewal);
    onRelease();
  };
  // Forced: a holder talks to Redis even while it is paused (its waiters read it there).
  const send = async (args: string[]) => {
    if (failed) {
      redis.fireAndForget(args);
      return FAILED;
    }
    const answer = await redis.run(args, true);
    if (answer === FAILED) failed = true;
    return answer;
  };
  return {
    owner,
    read: (args) => (failed ? Promise.resolve(FAILED) : send(args)),
    async finish(args) {
      if (done) return redis.run(args);
      end();
      return send(args);
    },
    async release() {
      if (done) return;
      end();
      await send(releaseArgs);
    },
  };
}
