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
  type StoredToken,
  type TokenStore,
} from '@m2m-auth/core';
import { checkKeys, createEntryCipher, type EncryptionKeyInput } from './entry-cipher.ts';
import { FAILED, guardedRedis } from './guarded-redis.ts';
import { inReaderTime } from './reader-time.ts';
import { type RedisClientLike, redisCommand } from './redis-command.ts';
import { type RedisLock, takeRedisLock } from './redis-lock.ts';
import { DELETE_IF_TOKEN, READ_ENTRY, WRITE_FAILURE, WRITE_TOKEN } from './scripts.ts';
import { createEntryCodec } from './sealed-entry.ts';
import { createFailureCodec } from './sealed-failure.ts';
import { type RedisStoreEvent, storeEventSink } from './store-events.ts';
import { storeKeys } from './store-keys.ts';

export interface RedisStoreOptions {
  /** Prefix of every key we write: `<prefix>token:{<hash>}`, `<prefix>lock:{<hash>}`, `<prefix>fail:{<hash>}`. @default 'm2m-auth:' */
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

/** A `READ_ENTRY` reply: the value and its `PTTL`, or `undefined` (none, or Redis failed). */
function entryReply(reply: unknown): { value: string; remainingMs: number } | undefined {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return undefined;
  return { value: reply[0], remainingMs: Number(reply[1]) };
}

const ttlArg = (ttlMs: number) => String(Math.max(1, Math.ceil(ttlMs)));

export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): RedisStore {
  const keys = storeKeys(options.prefix ?? 'm2m-auth:');
  const pauseMs = positive('pauseAfterFailureMs', options.pauseAfterFailureMs, 1000);
  checkKeys(options.encryptionKey, options.decryptionKeys ?? []);
  const command = redisCommand(client, positive('commandTimeoutMs', options.commandTimeoutMs, 500));
  const codec = createEntryCodec(options.encryptionKey, options.decryptionKeys);
  const failures = createFailureCodec(
    createEntryCipher(options.encryptionKey, options.decryptionKeys),
  );
  const local = memoryStore({
    maxEntries: positive('maxLocalEntries', options.maxLocalEntries, 10_000),
  });
  const emit = storeEventSink(options.onEvent, options.logger);
  const redis = guardedRedis(command, pauseMs, emit);
  /** Keys whose copy matched Redis: not read again before the time given. */
  const recheckAt = new Map<string, number>();
  /** The Redis locks this process holds: their reads and writes always go to Redis. */
  const held = new Map<string, RedisLock>();

  const backOff = (key: string) => {
    if (recheckAt.size >= 10_000) recheckAt.clear();
    recheckAt.set(key, Date.now() + RECHECK_MS);
  };

  async function readThrough(key: string, mine: StoredToken | undefined) {
    const args = ['EVAL', READ_ENTRY, '1', keys.token(key)];
    const readAt = Date.now(); // before sending: the entry lives at least readAt + PTTL
    const lock = held.get(key);
    const reply = await (lock ? lock.read(args) : redis.run(args));
    if (reply === FAILED) return mine;
    const read = entryReply(reply);
    const decoded = read ? await codec.decode(keys.token(key), read.value) : undefined;
    if (decoded && 'entry' in decoded && read) {
      const entry = inReaderTime(decoded.entry, read.remainingMs, readAt);
      if (!entry) {
        emit({ type: 'redis_entry_skipped', key, reason: 'malformed' });
      } else if (entry.token.accessToken !== mine?.token.accessToken) {
        local.set(key, entry, Math.max(1, entry.staleAt - Date.now()));
        return entry;
      }
    } else if (decoded && 'miss' in decoded) {
      emit({ type: 'redis_entry_skipped', key, reason: decoded.miss });
    }
    // Nothing newer in Redis (evicted, restarted, sealed with another key, or the refresh has
    // not landed yet): our copy stays in service while valid, and core refreshes it in the
    // background, which writes Redis again. No caller waits because Redis lost an entry.
    if (mine) backOff(key);
    return mine;
  }

  return {
    // The cached path: answered from the local copy, synchronously, until its refresh point.
    get(key, now = Date.now()) {
      const mine = local.get(key);
      if (mine && !held.has(key)) {
        if (now < mine.refreshAt || now < (recheckAt.get(key) ?? 0) || redis.paused) return mine;
      }
      return readThrough(key, mine);
    },
    async set(key, value, ttlMs) {
      local.set(key, value, ttlMs);
      recheckAt.delete(key);
      // A lock holder writes even while Redis is paused: its waiters are reading for it.
      const lock = held.get(key);
      if (redis.paused && !lock) return;
      const sealed = await codec.encode(keys.token(key), value);
      // One step: the token, the end of a shared failure, and the holder's lock.
      const args = ['EVAL', WRITE_TOKEN, '3', keys.token(key), keys.fail(key), keys.lock(key)];
      args.push(sealed, ttlArg(ttlMs), lock?.owner ?? '');
      await (lock ? lock.finish(args) : redis.run(args));
    },
    async deleteIf(key, accessToken) {
      const here = local.deleteIf(key, accessToken);
      recheckAt.delete(key);
      const hash = await codec.tokenHash(accessToken);
      const reply = await redis.run(['EVAL', DELETE_IF_TOKEN, '1', keys.token(key), hash]);
      return here || reply === 1;
    },
    // A failed token request, shared with the fleet's waiters (core revives and checks it).
    async setFailure(key, failure, ttlMs) {
      const lock = held.get(key);
      if (redis.paused && !lock) return;
      const sealed = await failures.encode(keys.fail(key), failure, ttlMs);
      const args = ['EVAL', WRITE_FAILURE, '2', keys.fail(key), keys.lock(key)];
      args.push(sealed, ttlArg(ttlMs), lock?.owner ?? '');
      await (lock ? lock.finish(args) : redis.run(args));
    },
    async getFailure(key) {
      const reply = await redis.run(['EVAL', READ_ENTRY, '1', keys.fail(key)]);
      if (reply === FAILED) return undefined;
      const read = await failures.read(key, keys.fail(key), entryReply(reply));
      if (read && 'miss' in read) emit({ type: 'redis_entry_skipped', key, reason: read.miss });
      return read && 'failure' in read ? read.failure : undefined;
    },
    async lock(key, ttlMs) {
      const taken = await takeRedisLock(redis, keys.lock(key), ttlMs, () => held.delete(key));
      if (taken === FAILED) return local.lock(key, ttlMs);
      if (taken) held.set(key, taken);
      return taken;
    },
  };
}
