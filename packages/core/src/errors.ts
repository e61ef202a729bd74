/**
 * Typed errors with stable codes. Every message is composed by us from redacted parts: no
 * error, `cause`, `toJSON()` or `inspect` output ever holds a client secret, a Basic header
 * value or an access token (see `redactor.ts`). Raw responses are never attached. Text a
 * server chose has its control characters escaped, and an `error_uri` is kept only when it
 * is an `https:` or `http:` URL (`server-text.ts`).
 */
import { escapeControls, safeErrorUri } from './server-text.ts';

export const ErrorCode = {
  /** The token endpoint answered with an RFC 6749 §5.2 error body. */
  OAUTH: 'M2M_OAUTH_ERROR',
  /** The token endpoint answered with a non-2xx status and no OAuth error body. */
  HTTP: 'M2M_HTTP_ERROR',
  /** The token endpoint could not be reached (DNS, refused, reset, TLS). */
  NETWORK: 'M2M_NETWORK_ERROR',
  /** One attempt took longer than `timeoutMs`. */
  TIMEOUT: 'M2M_TIMEOUT',
  /** A 2xx body that is not a usable token response (HTML, no `access_token`, not JSON). */
  INVALID_RESPONSE: 'M2M_INVALID_RESPONSE',
  /** The response body was larger than `maxResponseBytes`. */
  RESPONSE_TOO_LARGE: 'M2M_RESPONSE_TOO_LARGE',
  /** `token_type` is neither absent nor `Bearer` (in any case). */
  UNSUPPORTED_TOKEN_TYPE: 'M2M_UNSUPPORTED_TOKEN_TYPE',
  /** Options that cannot work: thrown at construction, never after a network call. */
  CONFIG: 'M2M_CONFIG',
  /** A shared token store (Redis) failed or was too slow; reported in events, never thrown. */
  STORE: 'M2M_STORE_ERROR',
  /** The issuer's metadata (RFC 8414 / OpenID discovery) is missing, unusable or not its own. */
  DISCOVERY: 'M2M_DISCOVERY_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface M2MAuthErrorOptions {
  status?: number | undefined;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

export class M2MAuthError extends Error {
  override name = 'M2MAuthError';
  readonly code: ErrorCode;
  /** HTTP status of the token endpoint's answer, when there was one. */
  readonly status: number | undefined;
  /** How long the server asked us to wait (`Retry-After`), in ms, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: M2MAuthErrorOptions = {}) {
    // Messages quote servers (and, revived from a shared store, whoever wrote there).
    super(
      escapeControls(message),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, status: this.status };
  }
}

/** An RFC 6749 §5.2 error body (`invalid_client`, `invalid_scope`, ...), also on a 200. */
export class OAuthError extends M2MAuthError {
  override name = 'OAuthError';
  readonly error: string;
  readonly error_description: string | undefined;
  readonly error_uri: string | undefined;

  constructor(
    fields: {
      error: string;
      error_description?: string | undefined;
      error_uri?: string | undefined;
    },
    options: M2MAuthErrorOptions,
  ) {
    const detail = fields.error_description ? `: ${fields.error_description}` : '';
    super(
      ErrorCode.OAUTH,
      `Token endpoint refused the request (${options.status ?? '?'} ${fields.error})${detail}`,
      options,
    );
    this.error = escapeControls(fields.error);
    this.error_description =
      fields.error_description === undefined ? undefined : escapeControls(fields.error_description);
    this.error_uri = safeErrorUri(fields.error_uri);
  }

  override toJSON(): Record<string, unknown> {
    const { error, error_description, error_uri } = this;
    return { ...super.toJSON(), error, error_description, error_uri };
  }
}

/** A non-2xx answer without an OAuth error body (a 502 page, a bare 401). */
export class TokenHttpError extends M2MAuthError {
  override name = 'TokenHttpError';
  constructor(status: number, options: M2MAuthErrorOptions = {}, message?: string) {
    super(ErrorCode.HTTP, message ?? `Token endpoint answered HTTP ${status}`, {
      ...options,
      status,
    });
  }
}

/** The token endpoint could not be reached. `cause` is a redacted copy of the fetch error. */
export class TokenNetworkError extends M2MAuthError {
  override name = 'TokenNetworkError';
  constructor(message: string, options: M2MAuthErrorOptions = {}) {
    super(ErrorCode.NETWORK, message, options);
  }
}

export class TokenTimeoutError extends M2MAuthError {
  override name = 'TokenTimeoutError';
  constructor(timeoutMs: number, what = 'Token request') {
    super(ErrorCode.TIMEOUT, `${what} timed out after ${timeoutMs} ms`);
  }
}

/** A body we cannot use: its `code` says which of the malformed-response kinds it is. */
export class TokenResponseError extends M2MAuthError {
  override name = 'TokenResponseError';
}

/** Options that cannot work, thrown synchronously where they are given. */
export class ConfigError extends M2MAuthError {
  override name = 'ConfigError';
  constructor(message: string) {
    super(ErrorCode.CONFIG, message);
  }
}

/** A store command failed or timed out. The message names the command, never its arguments. */
export class StoreError extends M2MAuthError {
  override name = 'StoreError';
  constructor(message: string, options: M2MAuthErrorOptions = {}) {
    super(ErrorCode.STORE, message, options);
  }
}

/** The issuer's metadata could not be used; `status` is set when the server answered non-2xx. */
export class DiscoveryError extends M2MAuthError {
  override name = 'DiscoveryError';
  constructor(message: string, options: M2MAuthErrorOptions = {}) {
    super(ErrorCode.DISCOVERY, message, options);
  }
}

const codes = new Set<unknown>(Object.values(ErrorCode));

/** True for one of our codes: how errors from elsewhere (another realm, a store) are told apart. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return codes.has(value);
}

/** True for any m2m-auth error, also one from another copy of the package or another realm. */
export function isM2MAuthError(value: unknown): value is M2MAuthError {
  return (
    value instanceof M2MAuthError ||
    (value instanceof Error && isErrorCode((value as { code?: unknown }).code))
  );
}

export function isOAuthError(value: unknown): value is OAuthError {
  return isM2MAuthError(value) && value.code === ErrorCode.OAUTH;
}
