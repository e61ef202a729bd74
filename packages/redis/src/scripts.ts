/**
 * The Lua scripts that make reads, writes, invalidation and locks one Redis step each. Run
 * with EVAL: they are tiny and run at refresh points, misses, 401s and around token
 * requests, never on the cached path, so EVALSHA's bookkeeping would buy nothing. The keys
 * a script touches share a hash tag (store-keys.ts), so each runs on one Cluster slot.
 */

/** An entry and its remaining time in Redis (`PTTL`, relative: no writer's clock in it). */
export const READ_ENTRY = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}`;

/**
 * Writes a token (KEYS[1], for ARGV[2] ms), ends a shared failure (KEYS[2]) and, when
 * ARGV[3] names the lock's owner, frees the lock (KEYS[3]): the holder's last step, in one.
 */
export const WRITE_TOKEN = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
if ARGV[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return 1`;

/** Writes a shared failure (KEYS[1], for ARGV[2] ms) and frees the lock (KEYS[2]) if ARGV[3] owns it. */
export const WRITE_FAILURE = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1`;

/** Deletes a token entry only if it still holds the token whose hash is ARGV[1]. */
export const DELETE_IF_TOKEN = `
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, #ARGV[1] + 1) == ARGV[1] .. '.' then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** Releases a lock only if ARGV[1] still owns it. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Extends a lock to ARGV[2] ms only if ARGV[1] still owns it. */
export const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
