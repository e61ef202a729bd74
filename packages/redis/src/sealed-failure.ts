/**
 * A shared failure as Redis holds it: sealed like a token (entry-cipher.ts, label `f`), so
 * with an `encryptionKey` nobody without it can make the fleet fail, and carrying its own
 * lifetime. A reader takes an entry for the shorter of that lifetime and its `PTTL`, counted
 * from when this process first saw that very value: a sealed failure copied back into Redis
 * without a TTL expires all the same. Anything else is a miss, reported once per value.
 */
import type { SharedFailure } from '@m2m-auth/core';
import type { EntryCipher, MissReason } from './entry-cipher.ts';

const LABEL = 'f';
const MAX_SEEN = 10_000;

export interface FailureCodec {
  encode(redisKey: string, failure: SharedFailure, ttlMs: number): Promise<string>;
  /** The failure while it lasts, a miss reason the first time an unusable value is seen, or nothing. */
  read(
    key: string,
    redisKey: string,
    reply: { value: string; remainingMs: number } | undefined,
  ): Promise<{ failure: SharedFailure } | { miss: MissReason } | undefined>;
}

export function createFailureCodec(cipher: EntryCipher): FailureCodec {
  const seen = new Map<string, { value: string; until: number }>();
  // A value seen before: usable until its time is up, and a miss is not reported twice.
  return {
    encode: (redisKey, failure, ttlMs) =>
      cipher.seal(redisKey, LABEL, JSON.stringify({ failure, ttlMs })),
    async read(key, redisKey, reply) {
      if (!reply) {
        seen.delete(key);
        return undefined;
      }
      const now = Date.now();
      const known = seen.get(key);
      if (known?.value === reply.value) {
        if (now >= known.until) return undefined;
        const again = decodeFailure(await cipher.open(redisKey, reply.value));
        return 'failure' in again ? { failure: again.failure } : undefined;
      }
      const opened = await cipher.open(redisKey, reply.value);
      const decoded = decodeFailure(opened);
      const lifetime = 'failure' in decoded ? decoded.ttlMs : 0;
      const remaining = reply.remainingMs >= 0 ? Math.min(lifetime, reply.remainingMs) : lifetime;
      if (seen.size >= MAX_SEEN) seen.clear();
      seen.set(key, { value: reply.value, until: now + remaining });
      return 'failure' in decoded ? { failure: decoded.failure } : decoded;
    },
  };
}

function decodeFailure(
  opened: Awaited<ReturnType<EntryCipher['open']>>,
): { failure: SharedFailure; ttlMs: number } | { miss: MissReason } {
  if ('miss' in opened) return opened;
  if (opened.label !== LABEL) return { miss: 'malformed' };
  try {
    const { failure, ttlMs } = JSON.parse(opened.json) as { failure?: unknown; ttlMs?: unknown };
    if (typeof failure !== 'object' || failure === null) return { miss: 'malformed' };
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      return { miss: 'malformed' };
    }
    return { failure: failure as SharedFailure, ttlMs };
  } catch {
    return { miss: 'malformed' };
  }
}
