/**
 * A token at once when the cache holds one. Providers made by `createTokenProvider` answer
 * through this symbol without a promise when their store is in memory, so a request with a
 * cached token waits on no microtask inside core; any other `TokenProvider` (one a user
 * wrote) goes through `getToken`, as the interface promises.
 */
import type { AccessToken, MaybePromise } from './token-store.ts';

export type { MaybePromise };

export const TOKEN_NOW = Symbol('m2m-auth token now');

/** What a provider of ours has besides the `TokenProvider` interface. */
export interface ImmediateTokens {
  [TOKEN_NOW]?(signal: AbortSignal | undefined): MaybePromise<AccessToken>;
}

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * `onValue(value)` at once when `value` is not a promise (a cached token, a begun exchange),
 * else once it settles: the one step every caller of `begin` takes.
 */
export function whenReady<T, U>(
  value: MaybePromise<T>,
  onValue: (value: T) => MaybePromise<U>,
  onError?: (error: unknown) => MaybePromise<U>,
): MaybePromise<U> {
  return isPromise(value) ? value.then(onValue, onError) : onValue(value);
}

/** The provider's token: at once from our cache, else `getToken`'s promise. */
export function tokenNow(
  provider: ImmediateTokens & {
    getToken(options?: { signal?: AbortSignal }): Promise<AccessToken>;
  },
  signal: AbortSignal | undefined,
): MaybePromise<AccessToken> {
  const now = provider[TOKEN_NOW];
  if (now) return now.call(provider, signal);
  return provider.getToken(signal ? { signal } : {});
}
