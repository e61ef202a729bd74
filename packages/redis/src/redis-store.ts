/**
 * `redisStore(client, options)`: a `TokenStore` that makes a fleet of processes behave like
 * one client. Redis holds the token every process uses and the lock that lets one process
 * fetch it; each process keeps a local copy it serves without a round trip until the token's
 * refresh point, after which Redis is read again. Redis failing or slow never fails a
 * request: commands are cut off after `commandTimeoutMs`, Redis is left alone for
 * `pauseAfterFailureMs`, and meanwhile the local copy and an in-process lock serve, exactly
 * as the memory store would.
 */
import {
  ConfigError,
  type Logger,
  memoryStore,
  type SharedFailure,
  type StoredToken,
  type TokenStore,
} from '@m2m-auth/core';
import { FAILED, guardedRedis } from './guarded-redis.ts';
import { type RedisClientLike, redisCommand } from './redis-command.ts';
import { takeRedisLock } from './redis-lock.ts';
import { DELETE_IF_TOKEN } from './scripts.ts';
import { checkKeys, createEntryCodec, type EncryptionKeyInput } from './sealed-entry.ts';
import { type RedisStoreEvent, storeEventSink } from './store-events.ts';

export interface RedisStoreOptions {
  /** Prefix of every key we write: `<prefix>token:<hash>`, `<prefix>lock:<hash>`. @default 'm2m-auth:' */
  prefix?: string;
  /**
   * Encrypts tokens at rest with AES-256-GCM: 32 bytes, raw or base64
   * (`openssl rand -base64 32`), or `{ id, key }` to name it. Every process needs the same key.
   */
  encryptionKey?: EncryptionKeyInput;
  /** Older keys still read (never written) while a rotation rolls out. @default [] */
  decryptionKeys?: readonly EncryptionKeyInput[];
  /** Longest a Redis command may take before this process uses its local path. @default 500 */
  commandTimeoutMs?: number;
  /** After a failed command, how long Redis is left alone before it is tried again. @default 1000 */
  pauseAfterFailureMs?: number;
  /** Tokens kept in this process (local copies, and the fallback cache). @default 10000 */
  maxLocalEntries?: number;
  /** Store events; see `RedisStoreEvent`. Never carries a token. */
  onEvent?: (event: RedisStoreEvent) => void;
  /** A console-compatible logger for the same events. */
  logger?: Logger;
}

export type RedisStore = TokenStore;

/**
 * After Redis showed nothing newer than our copy, how long that copy is served without
 * asking again: without it, every call past the refresh point would read Redis until the
 * refresh lands (or for hours, while a refresh keeps failing).
 */
const RECHECK_MS = 500;

function positive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result <= 0) {
    throw new ConfigError(`${name} must be a positive number, got ${String(value)}`);
  }
  return result;
}

export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): RedisStore {
  const prefix = options.prefix ?? 'm2m-auth:';
  const pauseMs = positive('pauseAfterFailureMs', options.pauseAfterFailureMs, 1000);
  checkKeys(options.encryptionKey, options.decryptionKeys ?? []);
  const command = redisCommand(client, positive('commandTimeoutMs', options.commandTimeoutMs, 500));
  const codec = createEntryCodec(options.encryptionKey, options.decryptionKeys);
  const local = memoryStore({
    maxEntries: positive('maxLocalEntries', options.maxLocalEntries, 10_000),
  });
  const emit = storeEventSink(options.onEvent, options.logger);
  const redis = guardedRedis(command, pauseMs, emit);
  const tokenKey = (key: string) => `${prefix}token:${key}`;
  const lockKey = (key: string) => `${prefix}lock:${key}`;
  const failureKey = (key: string) => `${prefix}fail:${key}`;
  /** Keys whose copy matched Redis: not read again before the time given. */
  const recheckAt = new Map<string, number>();
  /** Keys this process holds the Redis lock for: their reads and writes always go to Redis. */
  const lockedHere = new Set<string>();

  const backOff = (key: string) => {
    if (recheckAt.size >= 10_000) recheckAt.clear();
    recheckAt.set(key, Date.now() + RECHECK_MS);
  };

  async function readThrough(key: string, held: StoredToken | undefined) {
    const reply = await redis.run(['GET', tokenKey(key)], lockedHere.has(key));
    if (reply === FAILED) return held;
    const decoded =
      typeof reply === 'string' ? await codec.decode(tokenKey(key), reply) : undefined;
    if (decoded && 'entry' in decoded) {
      if (decoded.entry.token.accessToken !== held?.token.accessToken) {
        local.set(key, decoded.entry, Math.max(1, decoded.entry.staleAt - Date.now()));
        return decoded.entry;
      }
    } else if (decoded) {
      emit({ type: 'redis_entry_skipped', key, reason: decoded.miss });
    }
    // Nothing newer in Redis (evicted, restarted, sealed with another key, or the refresh has
    // not landed yet): our copy stays in service while valid, and core refreshes it in the
    // background, which writes Redis again. No caller waits because Redis lost an entry.
    if (held) backOff(key);
    return held;
  }

  return {
    // The cached path: answered from the local copy, synchronously, until its refresh point.
    get(key) {
      const held = local.get(key);
      if (held && !lockedHere.has(key)) {
        const now = Date.now();
        if (now < held.refreshAt || now < (recheckAt.get(key) ?? 0) || redis.paused) return held;
      }
      return readThrough(key, held);
    },
    async set(key, value, ttlMs) {
      local.set(key, value, ttlMs);
      recheckAt.delete(key);
      // A lock holder writes even while Redis is paused: its waiters are reading for it.
      const force = lockedHere.has(key);
      if (redis.paused && !force) return;
      const sealed = await codec.encode(tokenKey(key), value);
      const ttl = String(Math.max(1, Math.ceil(ttlMs)));
      if ((await redis.run(['SET', tokenKey(key), sealed, 'PX', ttl], force)) === 'OK') {
        redis.fireAndForget(['DEL', failureKey(key)]); // a success ends a shared failure
      }
    },
    async deleteIf(key, accessToken) {
      const here = local.deleteIf(key, accessToken);
      recheckAt.delete(key);
      const hash = await codec.tokenHash(accessToken);
      const reply = await redis.run(['EVAL', DELETE_IF_TOKEN, '1', tokenKey(key), hash]);
      return here || reply === 1;
    },
    // A failed token request, shared with the fleet's waiters (core revives and checks it).
    async setFailure(key, failure, ttlMs) {
      const ttl = String(Math.max(1, Math.ceil(ttlMs)));
      await redis.run(['SET', failureKey(key), JSON.stringify(failure), 'PX', ttl], true);
    },
    async getFailure(key) {
      const reply = await redis.run(['GET', failureKey(key)]);
      if (typeof reply !== 'string') return undefined;
      try {
        return JSON.parse(reply) as SharedFailure;
      } catch {
        return undefined;
      }
    },
    async lock(key, ttlMs) {
      const taken = await takeRedisLock(redis, lockKey(key), ttlMs, () => lockedHere.delete(key));
      if (taken === FAILED) return local.lock(key, ttlMs);
      if (taken) lockedHere.add(key);
      return taken;
    },
  };
}
