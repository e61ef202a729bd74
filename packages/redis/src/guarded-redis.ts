/**
 * Redis behind a breaker: a failed or timed-out command pauses Redis use for
 * `pauseMs` (commands then fail at once, without waiting on a server known to be away),
 * and the outage is reported once, with its recovery.
 */
import type { StoreError } from '@m2m-auth/core';
import type { RedisCommand } from './redis-command.ts';
import type { StoreEventSink } from './store-events.ts';

export const FAILED = Symbol('failed');

export interface GuardedRedis {
  /** The reply, or FAILED. `force` sends even while paused (a lock holder's own writes). */
  run(args: string[], force?: boolean): Promise<unknown>;
  /** Sends without touching the breaker, ignoring the outcome: renewals and clean-ups. */
  fireAndForget(args: string[]): void;
  readonly paused: boolean;
}

export function guardedRedis(
  command: RedisCommand,
  pauseMs: number,
  emit: StoreEventSink,
): GuardedRedis {
  let pausedUntil = 0;
  let unavailable = false;

  return {
    get paused() {
      return Date.now() < pausedUntil;
    },
    async run(args, force = false) {
      if (!force && Date.now() < pausedUntil) return FAILED;
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
    },
    fireAndForget(args) {
      command(args).catch(() => undefined);
    },
  };
}
