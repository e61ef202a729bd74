/**
 * The machinery every scope of one provider shares: the store, single-flight, the two-tier
 * expiry decision, background refresh, invalidation, and the events they report.
 */
import { abortable } from './abort.ts';
import type { ClientAuthMethod } from './client-auth.ts';
import { publishServed, traceTokenRequest } from './diagnostics.ts';
import type { M2MAuthError } from './errors.ts';
import type { EventSink } from './events.ts';
import { freshness, tokenTimes } from './expiry.ts';
import { failureMemoryMs } from './failure-memory.ts';
import type { ResolvedOptions } from './options.ts';
import type { Redactor } from './redactor.ts';
import { shareFailure } from './shared-failure.ts';
import { singleFlight } from './single-flight.ts';
import { failureGate, lockOrWait, usable } from './store-lock.ts';
import type { TokenEndpoint } from './token-endpoint.ts';
import { fetchToken } from './token-request.ts';
import type {
  AccessToken,
  MaybePromise,
  StoredToken,
  TokenStore,
  TokenStoreLock,
} from './token-store.ts';

/** One scope's token request with its cache key: what goes in the form, where it is cached, who it is for in events. */
export interface KeyedRequest {
  key: string;
  scope: string | undefined;
  endpoint: TokenEndpoint;
  /** The secret version the key was computed for. */
  version?: number;
  /** The request for the current secret, when a rotation during a flight changed the key. */
  rekey?: () => KeyedRequest | Promise<KeyedRequest>;
}

/** Where a fetched token belongs: under the key of the secret that fetched it. */
async function keyFor(request: KeyedRequest): Promise<KeyedRequest> {
  const { version, rekey, endpoint } = request;
  return rekey && version !== endpoint.credentials.secret.version ? rekey() : request;
}

export interface TokenCache {
  /** The token: at once when the store answers at once and holds a usable one. */
  get(request: KeyedRequest, signal: AbortSignal | undefined): MaybePromise<AccessToken>;
  invalidate(request: KeyedRequest, accessToken: string): Promise<boolean>;
}

export function createTokenCache(
  config: ResolvedOptions,
  store: TokenStore,
  redactor: Redactor,
  emit: EventSink,
): TokenCache {
  const flights = singleFlight<StoredToken>(config);
  const gate = failureGate(config);
  const autoMemory: { method?: ClientAuthMethod | undefined } = {};

  const tokenUrl = config.tokenUrl ?? (config.issuer as string);
  const traced = (
    request: KeyedRequest,
    replacing: StoredToken | undefined,
    run: () => Promise<StoredToken>,
  ) =>
    traceTokenRequest(
      {
        key: request.key,
        scope: request.scope,
        tokenUrl,
        refreshAhead: replacing !== undefined,
        ...(replacing ? { replacingExpiresInMs: replacing.token.expiresAt - Date.now() } : {}),
      },
      run,
    );

  async function fetchAndStore(
    request: KeyedRequest,
    replacing: string | undefined,
  ): Promise<StoredToken> {
    const base = { key: request.key, scope: request.scope };
    let lock: TokenStoreLock | undefined;
    try {
      const outcome = await lockOrWait(store, request.key, replacing, config, gate);
      if ('entry' in outcome) return outcome.entry;
      lock = outcome.lock;
      if (lock) {
        const written = await store.get(request.key);
        if (usable(written, replacing)) return written;
      }
      const startedAt = Date.now();
      const parsed = await fetchToken({
        endpoint: request.endpoint,
        clientAuth: config.clientAuth,
        retry: config.retry,
        autoMemory,
        onRetry: (attempt, delayMs, error) =>
          emit({ type: 'token_request_retried', ...base, attempt, delayMs, error }),
        onFallback: (from, to) => emit({ type: 'client_auth_fallback', ...base, from, to }),
        onClockSkew: (offsetMs) => emit({ type: 'clock_skew', ...base, offsetMs }),
        onSecretReread: (changed, credential) =>
          emit({ type: 'secret_reread', ...base, changed, credential }),
      });
      redactor.add(parsed.accessToken);
      const target = await keyFor(request);
      const times = tokenTimes(startedAt, parsed.lifetimeMs, config, undefined, parsed.refreshInMs);
      const token: AccessToken = Object.freeze({
        accessToken: parsed.accessToken,
        tokenType: parsed.tokenType,
        expiresAt: times.expiresAt,
        ...(parsed.scope === undefined ? {} : { scope: parsed.scope }),
        ...(parsed.extras === undefined ? {} : { extras: parsed.extras }),
      });
      const entry: StoredToken = {
        token,
        obtainedAt: startedAt,
        refreshAt: times.refreshAt,
        staleAt: times.staleAt,
      };
      await store.set(target.key, entry, Math.max(1, times.staleAt - Date.now()));
      emit({
        type: 'token_fetched',
        key: target.key,
        scope: request.scope,
        expiresAt: times.expiresAt,
        lifetimeMs: parsed.lifetimeMs,
        lifetimeSource: parsed.lifetimeSource,
        refreshedAhead: replacing !== undefined,
      });
      return entry;
    } catch (error) {
      const shared = lock && shareFailure(error);
      if (shared) await store.setFailure?.(request.key, shared, failureMemoryMs(error, config));
      // A failed refresh-ahead is reported once, as `refresh_failed`, by `refreshAhead`.
      if (replacing === undefined)
        emit({ type: 'token_request_failed', ...base, error: error as M2MAuthError });
      throw error;
    } finally {
      await lock?.release();
    }
  }

  function refreshAhead(request: KeyedRequest, current: StoredToken): void {
    // A remembered failure: `run` rejects at once, with no request and no event.
    // Reported inside the flight's own work, which runs once per refresh: the callers that
    // join it while it runs get its outcome, not an event each.
    const refresh = () =>
      traced(request, current, () => fetchAndStore(request, current.token.accessToken)).catch(
        (error: unknown) => {
          emit({
            type: 'refresh_failed',
            key: request.key,
            scope: request.scope,
            error: error as M2MAuthError,
            servingUntil: current.staleAt,
          });
          throw error;
        },
      );
    flights.run(request.key, refresh).catch(() => undefined);
  }

  async function obtain(
    request: KeyedRequest,
    signal: AbortSignal | undefined,
  ): Promise<AccessToken> {
    const fresh = await abortable(
      flights.run(request.key, () =>
        traced(request, undefined, () => fetchAndStore(request, undefined)),
      ),
      signal,
    );
    return fresh.token;
  }

  function serve(
    request: KeyedRequest,
    entry: StoredToken | undefined,
    signal: AbortSignal | undefined,
    now: number,
  ): MaybePromise<AccessToken> {
    if (entry) {
      const state = freshness(entry, now);
      if (state !== 'stale') {
        publishServed(request.key, request.scope, entry, now, state === 'refresh-ahead');
      }
      if (state === 'fresh') return entry.token;
      if (state === 'refresh-ahead') {
        refreshAhead(request, entry);
        return entry.token;
      }
    }
    return obtain(request, signal);
  }

  return {
    // Not `async`, and no promise for a cached token: this is the hot path of every request
    // (bench/RESULTS.md). A store that throws throws here; the provider makes it a rejection.
    get(request, signal) {
      // One clock read for the store and the freshness check (it costs more than the lookup).
      const now = Date.now();
      const entry = store.get(request.key, now);
      return entry instanceof Promise
        ? entry.then((value) => serve(request, value, signal, Date.now()))
        : serve(request, entry, signal, now);
    },
    async invalidate(request, accessToken) {
      const deleted = await store.deleteIf(request.key, accessToken);
      if (deleted) emit({ type: 'token_invalidated', key: request.key, scope: request.scope });
      return deleted;
    },
  };
}
