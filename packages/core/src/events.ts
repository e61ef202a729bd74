/**
 * What the provider reports. Events carry the cache key (a hash), the scope and typed
 * errors whose text is already redacted: never a token or a secret.
 * Types only, apart from the sink (`event-sink.ts`): the diagnostics channel needs the
 * types and the sink needs the channel, so neither imports the other in a cycle.
 */
import type { M2MAuthError } from './errors.ts';
import type { LifetimeSource } from './token-response.ts';

interface Base {
  /** The cache key: a hash, safe to log, that tells tokens apart. */
  key: string;
  scope: string | undefined;
}

export type TokenEvent =
  | (Base & {
      type: 'token_fetched';
      expiresAt: number;
      lifetimeMs: number;
      lifetimeSource: LifetimeSource;
      /** True when fetched ahead of expiry while the old token was still served. */
      refreshedAhead: boolean;
    })
  | (Base & {
      type: 'token_request_retried';
      attempt: number;
      delayMs: number;
      error: M2MAuthError;
    })
  | (Base & { type: 'token_request_failed'; error: M2MAuthError })
  | (Base & { type: 'refresh_failed'; error: M2MAuthError; servingUntil: number })
  | (Base & { type: 'token_invalidated' })
  | (Base & {
      /**
       * The API refused the token a replay's refresh had just fetched: no refresh for this
       * scope for `retryInMs` (its 401s go back as they are), then it tries again.
       */
      type: 'token_refused';
      retryInMs: number;
    })
  | (Base & { type: 'client_auth_fallback'; from: string; to: string })
  | (Base & {
      type: 'clock_skew';
      /** Server time minus ours, in ms, from the token endpoint's `Date`; 0 when back in step. */
      offsetMs: number;
    })
  | (Base & {
      type: 'secret_reread';
      /** True when the function or file gave a new value (the request is retried). */
      changed: boolean;
      /**
       * What was read again after the server refused it: `clientSecret` or
       * `clientAssertion.assertion`.
       */
      credential: string;
    });

export type TokenEventType = TokenEvent['type'];

/** A console-compatible logger; every method is optional. */
export interface Logger {
  debug?(message: string, details?: object): void;
  info?(message: string, details?: object): void;
  warn?(message: string, details?: object): void;
  error?(message: string, details?: object): void;
}

export type EventSink = (event: TokenEvent) => void;
