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
  type StoreError,
  type TokenStore,
  type TokenStoreLock,
} from '@m2m-auth/core';
import { type RedisClientLike, redisCommand } from './redis-command.ts';
import { DELETE_IF_TOKEN, RELEASE_LOCK, RENEW_LOCK } from './scripts.ts';
import { checkKeyInput, createEntryCodec, type EncryptionKeyInput } from './sealed-entry.ts';

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

export type RedisStoreEvent =
  /** A command failed or timed out: this process serves from its local path for now. */
  | { type: 'redis_unavailable'; error: StoreError }
  /** The first command that worked after `redis_unavailable`. */
  | { type: 'redis_recovered' }
  /** An entry this process cannot use (another key, tampered, not ours): a cache miss. */
  | {
      type: 'redis_entry_skipped';
      key: string;
      reason: 'unknown-key' | 'unreadable' | 'malformed';
    };

export type RedisStore = TokenStore;

const FAILED = Symbol('failed');

function positive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result <= 0) {
    throw new ConfigError(`${name} must be a positive number, got ${String(value)}`);
  }
  return result;
}

/** Names the holder in the lock's value, so an operator can see who holds it. */
function lockOwner(): string {
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `pid:${pid}:${globalThis.crypto.randomUUID()}`;
}

const LEVEL = { redis_unavailable: 'warn', redis_recovered: 'info', redis_entry_skipped: 'warn' };

export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): RedisStore {
  const prefix = options.prefix ?? 'm2m-auth:';
  const pauseMs = positive('pauseAfterFailureMs', options.pauseAfterFailureMs, 1000);
  if (options.encryptionKey !== undefined) checkKeyInput(options.encryptionKey, 'encryptionKey');
  for (const key of options.decryptionKeys ?? []) checkKeyInput(key, 'decryptionKeys[]');
  const command = redisCommand(client, positive('commandTimeoutMs', options.commandTimeoutMs, 500));
  const codec = createEntryCodec(options.encryptionKey, options.decryptionKeys);
  const local = memoryStore({
    maxEntries: positive('maxLocalEntries', options.maxLocalEntries, 10_000),
  });
  const tokenKey = (key: string) => `${prefix}token:${key}`;
  const lockKey = (key: string) => `${prefix}lock:${key}`;

  const emit = (event: RedisStoreEvent) => {
    try {
      options.onEvent?.(event);
      const { type, ...details } = event;
      const error = 'error' in event ? { error: event.error.toJSON() } : {};
      options.logger?.[LEVEL[type] as keyof Logger]?.(`m2m-auth: ${type}`, {
        ...details,
        ...error,
      });
    } catch {
      // A listener's bug must not break the request that reported it.
    }
  };

  let pausedUntil = 0;
  let unavailable = false;
  const reachable = () => Date.now() >= pausedUntil;

  /** One command, or FAILED: a failure pauses Redis use and is reported once per outage. */
  async function redis(args: string[]): Promise<unknown> {
    try {
      const reply = await command(args);
      if (unavailable) {
        unavailable = false;
        emit({ type: 'redis_recovered' });
      }
      return reply;
    } catch (error) {
      pausedUntil = Date.now() + pauseMs;
      if (!unavailable) {
        unavailable = true;
        emit({ type: 'redis_unavailable', error: error as StoreError });
      }
      return FAILED;
    }
  }

  async function readThrough(key: string, held: StoredToken | undefined) {
    const reply = await redis(['GET', tokenKey(key)]);
    if (reply === FAILED) return held;
    const decoded =
      typeof reply === 'string' ? await codec.decode(tokenKey(key), reply) : undefined;
    if (decoded && 'entry' in decoded) {
      local.set(key, decoded.entry, Math.max(1, decoded.entry.staleAt - Date.now()));
      return decoded.entry;
    }
    if (decoded) emit({ type: 'redis_entry_skipped', key, reason: decoded.miss });
    // Redis is the truth when it answers: what it no longer holds was invalidated or expired.
    if (held) local.deleteIf(key, held.token.accessToken);
    return undefined;
  }

  async function redisLock(key: string, ttlMs: number): Promise<TokenStoreLock | undefined> {
    const owner = lockOwner();
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    const reply = await redis(['SET', lockKey(key), owner, 'NX', 'PX', ttl]);
    if (reply === FAILED) return local.lock(key, ttlMs);
    if (reply !== 'OK') return undefined;
    // A holder that lives keeps its lock however slow the token endpoint; a dead one's
    // lock expires after `lockTtlMs` and a waiter takes over.
    const renewal = setInterval(
      () => void redis(['EVAL', RENEW_LOCK, '1', lockKey(key), owner, ttl]),
      Math.max(10, ttlMs / 3),
    );
    (renewal as { unref?: () => void }).unref?.(); // never keeps a process alive
    return {
      async release() {
        clearInterval(renewal);
        await redis(['EVAL', RELEASE_LOCK, '1', lockKey(key), owner]);
      },
    };
  }

  return {
    // The cached path: answered from the local copy, synchronously, until its refresh point.
    get(key) {
      const held = local.get(key);
      if ((held && Date.now() < held.refreshAt) || !reachable()) return held;
      return readThrough(key, held);
    },
    async set(key, value, ttlMs) {
      local.set(key, value, ttlMs);
      if (!reachable()) return;
      const sealed = await codec.encode(tokenKey(key), value);
      await redis(['SET', tokenKey(key), sealed, 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
    },
    async deleteIf(key, accessToken) {
      const here = local.deleteIf(key, accessToken);
      if (!reachable()) return here;
      const hash = await codec.tokenHash(accessToken);
      const reply = await redis(['EVAL', DELETE_IF_TOKEN, '1', tokenKey(key), hash]);
      return here || reply === 1;
    },
    lock(key, ttlMs) {
      return reachable() ? redisLock(key, ttlMs) : local.lock(key, ttlMs);
    },
  };
}
