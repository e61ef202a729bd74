/**
 * `createTokenProvider`: the public face of core. A provider is one scope's view of a shared
 * token cache; `forScope` gives another scope's view of the same cache, store and client.
 */

import { cacheKey } from './cache-key.ts';
import { assertionSigners } from './client-assertion.ts';
import { secretForms } from './client-auth.ts';
import { createDpopProver, type DpopProver } from './dpop.ts';
import { createEventSink } from './event-sink.ts';
import { createGrant } from './grant-options.ts';
import { memoryStore } from './memory-store.ts';
import { resolveOptions, type TokenProviderOptions } from './options.ts';
import { createRedactor } from './redactor.ts';
import { rejectionBackoff } from './rejection-backoff.ts';
import { secretSource } from './secret-source.ts';
import { createTokenCache, type KeyedRequest } from './token-cache.ts';
import type { FetchLike, TokenEndpoint } from './token-endpoint.ts';
import { type MaybePromise, TOKEN_NOW } from './token-now.ts';
import { createTokenServer } from './token-server.ts';
import type { AccessToken } from './token-store.ts';

export interface GetTokenOptions {
  /** Stops this caller's wait; the shared token request others wait on goes on. */
  signal?: AbortSignal;
}

export interface InvalidateOptions {
  /** The token a replay's refresh fetched was refused at once: back off, drop nothing. */
  refusedAfterRefresh?: boolean;
}

export interface TokenProvider {
  /** A valid token: cached, or fetched once for all concurrent callers. */
  getToken(options?: GetTokenOptions): Promise<AccessToken>;
  /**
   * Drops `accessToken` only if it is still the cached one (compare-and-delete). With
   * `refusedAfterRefresh` (an adapter's replay was refused with the token its refresh just
   * fetched) nothing is dropped: this scope stops refreshing for a growing window instead,
   * reported once as a `token_refused` event.
   */
  invalidate(accessToken: string, options?: InvalidateOptions): Promise<boolean>;
  /** A provider for another scope, sharing this one's cache, store and client. */
  forScope(scope: string | readonly string[]): TokenProvider;
  /** The space-separated scope this provider asks for, sorted; `undefined` for none. */
  readonly scope: string | undefined;
  /** With the `dpop` option: makes the proofs adapters send (through the request policy). */
  readonly dpop?: DpopProver | undefined;
}

const MAX_SCOPED_PROVIDERS = 1000;

function toList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : [...value];
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const config = resolveOptions(options);
  const redactor = createRedactor([]);
  const secrets = secretSource(options.clientSecret, (secret) =>
    redactor.addSecrets(secretForms(config.clientId, secret)),
  );
  const emit = createEventSink(options.onEvent, options.logger);
  const cache = createTokenCache(config, options.store ?? memoryStore(), redactor, emit);
  const fetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const server = createTokenServer(config, {
    fetch,
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    redactor,
    what: 'Metadata request',
  });
  const assertions = assertionSigners(
    config,
    secrets,
    options.clientSecret !== undefined,
    redactor.addSent,
  );
  const dpop = options.dpop ? createDpopProver(options.dpop, Date.now) : undefined;
  const grant = createGrant(options.grant, config.clientId, redactor.addSent);
  // The grant's part is appended only when set: client credentials keys stay what they were.
  const credentialKey = [...Object.values(assertions).map((s) => s.fingerprint), grant.fingerprint]
    .filter(Boolean)
    .join(' ');
  const resources = toList(options.resource);
  const extra = Object.entries(options.params ?? {}).flatMap(([name, value]) =>
    toList(typeof value === 'string' ? [value] : value).map((v) => [name, v] as const),
  );
  const scoped = new Map<string, TokenProvider>();

  function provider(scopes: string[]): TokenProvider {
    const scope = scopes.length > 0 ? [...new Set(scopes)].sort().join(' ') : undefined;
    const sent = scope ? scopes.join(' ') : undefined;
    const params: Array<readonly [string, string]> = [['grant_type', grant.grantType]];
    if (sent && grant.scopeInForm) params.push(['scope', sent]);
    if (options.audience !== undefined) params.push(['audience', options.audience]);
    for (const resource of resources) params.push(['resource', resource]);
    params.push(...extra);
    const endpoint: TokenEndpoint = {
      server,
      dpop,
      credentials: {
        clientId: config.clientId,
        secret: secrets,
        clientIdInBody: config.clientIdInBody,
        assertions,
        assertionAudience: config.clientAssertion.audience,
      },
      grant,
      scope: sent,
      params,
      fetch,
      timeoutMs: config.timeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      defaultLifetimeMs: config.defaultLifetimeMs,
      mapTokenResponse: options.mapTokenResponse,
      redactor,
    };
    // The key depends on the secret, so it is computed once per secret version (Web Crypto
    // is async); while the version holds, the hot path skips the await.
    let request: (KeyedRequest & { version: number }) | undefined;
    let pending: Promise<KeyedRequest> | undefined;
    const build = async () => {
      await secrets.load();
      const version = secrets.version;
      const key = await cacheKey({
        tokenUrl: config.tokenUrl ?? `issuer:${config.issuer}`,
        clientId: config.clientId,
        clientSecret: secrets.current() ?? '',
        clientAuth: config.clientAuth ?? 'discovered',
        clientIdInBody: config.clientIdInBody,
        scopes,
        audience: options.audience,
        resources,
        params: extra,
        // A DPoP-bound token is only usable with its key.
        credentialKey: dpop ? `${credentialKey} dpop:${await dpop.thumbprint()}` : credentialKey,
      });
      request = { key, scope, endpoint, version, rekey: () => keyedRequest() };
      return request;
    };
    // Per scope: an API that refuses every fresh token does not cost a request per call.
    const backoff = rejectionBackoff();
    const keyedRequest = (): KeyedRequest | Promise<KeyedRequest> => {
      if (request && request.version === secrets.version) return request;
      pending ??= build().finally(() => {
        pending = undefined;
      });
      return pending;
    };

    const tokenNow = (signal: AbortSignal | undefined): MaybePromise<AccessToken> => {
      const keyed = keyedRequest();
      return keyed instanceof Promise
        ? keyed.then((r) => cache.get(r, signal))
        : cache.get(keyed, signal);
    };

    const view: TokenProvider = {
      scope,
      dpop,
      getToken(getOptions) {
        try {
          return Promise.resolve(tokenNow(getOptions?.signal));
        } catch (error) {
          return Promise.reject(error);
        }
      },
      async invalidate(accessToken, invalidateOptions) {
        const keyed = await keyedRequest();
        if (invalidateOptions?.refusedAfterRefresh) {
          const windowMs = backoff.refused(accessToken);
          if (windowMs !== undefined) {
            emit({ type: 'token_refused', key: keyed.key, scope, retryInMs: windowMs });
          }
          return false;
        }
        if (!backoff.mayInvalidate(accessToken)) return false;
        return cache.invalidate(keyed, accessToken);
      },
      forScope(next) {
        const list = toList(next);
        const id = [...new Set(list)].sort().join(' ');
        let found = scoped.get(id);
        if (!found) {
          if (scoped.size >= MAX_SCOPED_PROVIDERS)
            scoped.delete(scoped.keys().next().value as string);
          found = provider(list);
          scoped.set(id, found);
        }
        return found;
      },
    };
    // Not enumerable: a wrapper spread from this provider (`{ ...tokens, getToken }`) is a
    // provider of its own, and goes through its `getToken`.
    Object.defineProperty(view, TOKEN_NOW, { value: tokenNow });
    return view;
  }

  return provider(toList(options.scope));
}
