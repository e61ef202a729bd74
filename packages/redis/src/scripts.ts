/**
 * The Lua scripts that make invalidation and locks compare-and-act in one Redis step. Run
 * with EVAL: they are tiny and only run on a 401 or around a token request, never on the
 * cached path, so EVALSHA's bookkeeping would buy nothing.
 */

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
