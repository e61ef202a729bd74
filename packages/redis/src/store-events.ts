/** What the Redis store reports, to `onEvent` and the logger. Never a token or a key. */
import type { Logger, StoreError } from '@m2m-auth/core';
import { eventSink } from '@m2m-auth/core/adapter';

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

const LEVEL = {
  redis_unavailable: 'warn',
  redis_recovered: 'info',
  redis_entry_skipped: 'warn',
} as const;

export type StoreEventSink = (event: RedisStoreEvent) => void;

/** One sink for `onEvent` and the logger (core's); a throwing listener never breaks a request. */
export function storeEventSink(
  onEvent: ((event: RedisStoreEvent) => void) | undefined,
  logger: Logger | undefined,
): StoreEventSink {
  return eventSink(LEVEL, onEvent, logger);
}
