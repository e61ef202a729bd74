/**
 * `createTokenProvider` options, their defaults, and the checks that make a bad option fail
 * at construction with a `ConfigError` rather than on the first request.
 */
import { type ClientAssertionOptions, checkClientAssertion } from './client-assertion.ts';
import type { ClientAuth } from './client-auth.ts';
import { isCredentialInput } from './credential-source.ts';
import type { DpopOptions } from './dpop.ts';
import { ConfigError } from './errors.ts';
import type { Logger, TokenEvent } from './events.ts';
import type { ExpiryOptions } from './expiry.ts';
import { checkGrant, type GrantOptions, grantCarriesCredential } from './grant-options.ts';
import type { FetchLike } from './http-exchange.ts';
import { checkTokenUrl } from './origins.ts';
import { defaultRetry, type RetryOptions, type RetryPolicy } from './retry.ts';
import type { SecretInput } from './secret-source.ts';
import { usableLifetime } from './token-response.ts';
import type { TokenResponseMapper } from './token-response-mapper.ts';
import type { TokenStore } from './token-store.ts';

export interface TokenProviderOptions {
  /** The token endpoint, e.g. `https://auth.vendor.example/oauth/v2/token`. Or give `issuer`. */
  tokenUrl?: string;
  /**
   * The authorization server's issuer identifier. Without `tokenUrl`, its metadata (RFC 8414
   * `/.well-known/oauth-authorization-server`, then OpenID `/.well-known/openid-configuration`)
   * is read once, before the first token request: the token endpoint, and the client
   * authentication to use when `clientAuth` is not set. With `tokenUrl`, it is only the
   * `aud` of client assertions when `clientAssertion.audience` is `'issuer'`.
   */
  issuer?: string;
  /**
   * The client id. Required, except with `clientAuth: 'none'` and a grant whose own
   * credential stands alone (a jwt-bearer assertion that names its issuer, a token exchange).
   */
  clientId?: string;
  /**
   * The client secret; or a function (sync or async) returning it, called before the first
   * token request and again on `invalid_client`, so a rotated secret is picked up without a
   * restart; or a source such as `fromFile(path)` (`@m2m-auth/core/files`), also read again
   * when the file changes. Not needed for `private_key_jwt` and the `tls_client_auth` methods.
   */
  clientSecret?: SecretInput;
  /**
   * How the client authenticates. `client_secret_basic` (RFC 6749 §2.3.1),
   * `client_secret_basic_raw`, `client_secret_post`, `private_key_jwt` and
   * `client_secret_jwt` (RFC 7523 assertions; see `clientAssertion`), `tls_client_auth` and
   * `self_signed_tls_client_auth` (RFC 8705: the certificate is on your `fetch`, only
   * `client_id` goes in the body), `none` (no client authentication, for a `grant` whose
   * assertion or token is the credential: Google service accounts; `client_id` only with
   * `clientIdInBody`), or `auto` (tries Basic, raw Basic when it differs, then
   * post, on `invalid_client`, and remembers what worked).
   * @default from the discovered metadata with `issuer`; else `private_key_jwt` when
   * `clientAssertion.privateKey` is set, else 'client_secret_basic'
   */
  clientAuth?: ClientAuth;
  /**
   * Key, algorithm and audience of `private_key_jwt` / `client_secret_jwt` assertions, or an
   * assertion issued elsewhere (`assertion`: workload identity).
   */
  clientAssertion?: ClientAssertionOptions;
  /**
   * The grant: `{ type: 'client_credentials' }` (the default), `{ type: 'jwt-bearer', ... }`
   * (RFC 7523 §2.1: an assertion signed here or read from a source), or
   * `{ type: 'token-exchange', subjectToken, subjectTokenType, ... }` (RFC 8693). Every grant
   * uses the same cache, single-flight, refresh-ahead, store and adapters.
   * @example
   * grant: { type: 'jwt-bearer', issuer: sa.client_email, privateKey: sa.private_key, alg: 'RS256', kid: sa.private_key_id, scopeIn: 'claim' }
   */
  grant?: GrantOptions;
  /**
   * DPoP (RFC 9449): sender-constrained tokens. `true` generates an ES256 key pair for this
   * provider; `{ keyPair, alg }` uses yours (a fleet sharing a Redis store needs one key).
   * Token requests carry a proof, and adapters send `Authorization: DPoP <token>` with a
   * fresh proof per request, answering servers' nonce challenges. @default false
   */
  dpop?: boolean | DpopOptions;
  /**
   * A server clock further than this from ours (the token endpoint's `Date` header) is taken
   * into account and reported as a `clock_skew` event. @default 5000
   */
  clockToleranceMs?: number;
  /**
   * With Basic, also send `client_id` in the body (AWS Cognito-based servers); with `none`,
   * send it at all. @default false
   */
  clientIdInBody?: boolean;
  /** `scope`: a space-separated string or a list. Part of the cache key, order-insensitive. */
  scope?: string | readonly string[];
  /** `audience` parameter (Auth0 and others). */
  audience?: string;
  /** RFC 8707 `resource` indicator(s); one parameter per value. */
  resource?: string | readonly string[];
  /** Extra form parameters. `grant_type`, `client_id` and `client_secret` are refused. */
  params?: Record<string, string | readonly string[]>;
  /** Where tokens are kept; give one `redisStore()` to a fleet. @default memoryStore() */
  store?: TokenStore;
  /** The fetch used for token requests (proxies, mTLS). @default globalThis.fetch at call time */
  fetch?: FetchLike;
  /** Per-attempt timeout in ms. @default 10000 */
  timeoutMs?: number;
  /** Retries of network errors, 408, 429 and 5xx. */
  retry?: RetryOptions;
  /** Safety margin before expiry, capped at lifetime / 4. @default 60000 */
  expirySkewMs?: number;
  /** Share of the usable lifetime after which one background refresh starts. @default 0.75 */
  refreshAheadRatio?: number;
  /** Refresh up to this share earlier, at random, so a fleet spreads out. @default 0.05 */
  refreshJitterRatio?: number;
  /**
   * Lifetime when neither `expires_in` nor a JWT `exp` says, in ms, from 1000 to ten years:
   * for Salesforce, the org's session timeout. @default 300000 (5 min)
   */
  defaultLifetimeMs?: number;
  /**
   * Normalises a token endpoint's answer that is not RFC 6749's shape, before core reads it:
   * gets the parsed body (`undefined` if neither JSON nor form-encoded) and the response's
   * `status`, `headers` and `text`; returns the standard members (`access_token`, `expires_in`,
   * ...; or `error`) plus any others (they become `token.extras`), or `undefined` to keep the
   * body as it is. Runs on every answer; synchronous.
   * @example
   * mapTokenResponse: (body) => body && { access_token: body.data.jwt, expires_in: body.data.ttl_minutes * 60 }
   */
  mapTokenResponse?: TokenResponseMapper;
  /** How long a failed token request is shared with later callers, in ms. @default 1000 */
  failureCacheMs?: number;
  /** Longest a server's `Retry-After` keeps a failure remembered, in ms. @default 300000 */
  maxFailureCacheMs?: number;
  /** Largest token response read, in bytes. @default 65536 */
  maxResponseBytes?: number;
  /**
   * Lock TTL for stores with a lock (Redis). A live holder renews it (the Redis store does),
   * so this only bounds how long a crashed holder blocks the others. @default 5000
   */
  lockTtlMs?: number;
  /**
   * How long a caller waits for another holder's token before fetching itself: as long as
   * a token request with all its retries may take, so a slow endpoint gets one request, not N.
   * @default retry.maxAttempts * (timeoutMs + retry.maxDelayMs), 45000 with the defaults
   */
  lockWaitMs?: number;
  /** Allow a plain `http:` token URL that is not loopback. @default false */
  allowInsecureHttp?: boolean;
  /** Every event; see `TokenEvent`. Never carries a token or a secret. */
  onEvent?: (event: TokenEvent) => void;
  /** A console-compatible logger for the same events. */
  logger?: Logger;
}

export interface ResolvedOptions extends ExpiryOptions {
  tokenUrl: string | undefined;
  issuer: string | undefined;
  /** '' when none is given (allowed only with `clientAuth: 'none'` and a grant that needs none). */
  clientId: string;
  /** `undefined`: chosen from the discovered metadata. */
  clientAuth: ClientAuth | undefined;
  clientAssertion: ClientAssertionOptions;
  clockToleranceMs: number;
  allowInsecureHttp: boolean;
  clientIdInBody: boolean;
  retry: RetryPolicy;
  timeoutMs: number;
  defaultLifetimeMs: number;
  failureCacheMs: number;
  maxFailureCacheMs: number;
  maxResponseBytes: number;
  lockTtlMs: number;
  lockWaitMs: number;
}

const CLIENT_AUTH = [
  'client_secret_basic',
  'client_secret_basic_raw',
  'client_secret_post',
  'private_key_jwt',
  'client_secret_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
  'none',
  'auto',
];
/** Methods that authenticate without a client secret. */
export const SECRETLESS = [
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
  'none',
];
export const RESERVED_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'audience',
  'resource',
  'assertion',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
];

function positive(
  name: string,
  value: number | undefined,
  fallback: number,
  max = Number.POSITIVE_INFINITY,
): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0 || result > max) {
    throw new ConfigError(`${name} must be a finite number from 0 to ${max}, got ${String(value)}`);
  }
  return result;
}

function nonEmpty(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${name} must be a non-empty string`);
  }
  return value;
}

/** Where the token endpoint is: given, or to be discovered from the issuer. */
function endpoints(options: TokenProviderOptions) {
  const insecure = options.allowInsecureHttp ?? false;
  if (options.tokenUrl === undefined && options.issuer === undefined) {
    throw new ConfigError('tokenUrl (or issuer, to discover it) is required');
  }
  const tokenUrl =
    options.tokenUrl === undefined
      ? undefined
      : checkTokenUrl(nonEmpty('tokenUrl', options.tokenUrl), insecure);
  let issuer: string | undefined;
  if (options.issuer !== undefined) {
    checkTokenUrl(nonEmpty('issuer', options.issuer), insecure, 'issuer');
    if (/[?#]/.test(options.issuer)) throw new ConfigError('issuer has no query or fragment');
    issuer = options.issuer; // compared as given with the metadata's (RFC 8414 §3.3)
  }
  return { tokenUrl, issuer };
}

function clientAuthOf(options: TokenProviderOptions): ClientAuth | undefined {
  const clientAuth = options.clientAuth;
  if (clientAuth !== undefined && !CLIENT_AUTH.includes(clientAuth)) {
    throw new ConfigError(`clientAuth must be one of ${CLIENT_AUTH.join(', ')}`);
  }
  if (clientAuth !== undefined) return clientAuth;
  if (options.tokenUrl === undefined) return undefined; // discovery decides
  return hasClientKey(options) ? 'private_key_jwt' : 'client_secret_basic';
}

/** A key, a signing callback or an assertion from outside, for `private_key_jwt`. */
function hasClientKey(options: TokenProviderOptions): boolean {
  const assertion = options.clientAssertion;
  return (
    assertion?.privateKey !== undefined ||
    assertion?.sign !== undefined ||
    assertion?.assertion !== undefined
  );
}

export function resolveOptions(options: TokenProviderOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new ConfigError('options are required');
  const clientAuth = clientAuthOf(options);
  const secretless =
    (clientAuth !== undefined && SECRETLESS.includes(clientAuth)) ||
    (clientAuth === undefined && hasClientKey(options));
  if (options.clientSecret === undefined && !secretless) {
    const hint = grantCarriesCredential(options.grant) ? " (or clientAuth 'none')" : '';
    throw new ConfigError(
      `clientSecret is required with clientAuth '${clientAuth ?? 'discovered'}'${hint}`,
    );
  }
  checkGrant(options.grant, { clientId: options.clientId, issuer: options.issuer });
  if (clientAuth === 'none' && !grantCarriesCredential(options.grant)) {
    throw new ConfigError(
      "clientAuth 'none' needs a grant with its own credential (jwt-bearer, token-exchange)",
    );
  }
  if (typeof options.clientSecret === 'string') nonEmpty('clientSecret', options.clientSecret);
  else if (options.clientSecret !== undefined && !isCredentialInput(options.clientSecret)) {
    throw new ConfigError(
      'clientSecret must be a string or a function (or a source) returning one',
    );
  }
  checkClientAssertion(options.clientAssertion);
  if (clientAuth === 'private_key_jwt' && !hasClientKey(options)) {
    throw new ConfigError(
      "clientAuth 'private_key_jwt' needs clientAssertion.privateKey, sign or assertion",
    );
  }
  if (options.clientAssertion?.audience === 'issuer' && options.issuer === undefined) {
    throw new ConfigError("clientAssertion.audience 'issuer' needs the issuer option");
  }
  if (options.mapTokenResponse !== undefined && typeof options.mapTokenResponse !== 'function') {
    throw new ConfigError('mapTokenResponse must be a function');
  }
  // What core would refuse from a server: 0 would make every call a token request.
  const fallback = options.defaultLifetimeMs;
  if (fallback !== undefined && usableLifetime(fallback) === undefined) {
    throw new ConfigError(
      `defaultLifetimeMs is in milliseconds, from 1000 to ten years; got ${String(fallback)}`,
    );
  }
  for (const name of Object.keys(options.params ?? {})) {
    if (RESERVED_PARAMS.includes(name)) {
      throw new ConfigError(
        `params.${name} is set by m2m-auth; use ${name === 'client_id' ? 'clientIdInBody' : 'the option of that name'}`,
      );
    }
  }
  const retryOptions = options.retry ?? {};
  const retry: RetryPolicy = {
    maxAttempts: Math.max(
      1,
      Math.floor(positive('retry.maxAttempts', retryOptions.maxAttempts, defaultRetry.maxAttempts)),
    ),
    baseDelayMs: positive('retry.baseDelayMs', retryOptions.baseDelayMs, defaultRetry.baseDelayMs),
    maxDelayMs: positive('retry.maxDelayMs', retryOptions.maxDelayMs, defaultRetry.maxDelayMs),
  };
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 10_000);
  const ratio = (name: string, value: number | undefined, fallback: number) =>
    positive(name, value, fallback, 1);
  return {
    ...endpoints(options),
    clientId:
      clientAuth === 'none' && options.clientId === undefined
        ? ''
        : nonEmpty('clientId', options.clientId),
    clientAuth,
    clientAssertion: options.clientAssertion ?? {},
    clockToleranceMs: positive('clockToleranceMs', options.clockToleranceMs, 5000),
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    clientIdInBody: options.clientIdInBody ?? false,
    retry,
    timeoutMs,
    expirySkewMs: positive('expirySkewMs', options.expirySkewMs, 60_000),
    refreshAheadRatio: ratio('refreshAheadRatio', options.refreshAheadRatio, 0.75),
    refreshJitterRatio: ratio('refreshJitterRatio', options.refreshJitterRatio, 0.05),
    defaultLifetimeMs: positive('defaultLifetimeMs', options.defaultLifetimeMs, 300_000),
    failureCacheMs: positive('failureCacheMs', options.failureCacheMs, 1000),
    maxFailureCacheMs: positive('maxFailureCacheMs', options.maxFailureCacheMs, 300_000),
    maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes, 65_536),
    lockTtlMs: positive('lockTtlMs', options.lockTtlMs, 5000),
    lockWaitMs: positive(
      'lockWaitMs',
      options.lockWaitMs,
      retry.maxAttempts * (timeoutMs + retry.maxDelayMs),
    ),
  };
}
