/**
 * A failed token request in a form a store can hand to other providers and processes (the
 * Redis store writes it next to the token), so that a failure is shared like a success: the
 * waiters get the holder's outcome instead of each taking the lock and failing in turn.
 * Only the typed error's own fields travel, and they are already redacted.
 */
import {
  ErrorCode,
  isErrorCode,
  isM2MAuthError,
  M2MAuthError,
  OAuthError,
  TokenHttpError,
  TokenNetworkError,
  TokenResponseError,
  TokenTimeoutError,
} from './errors.ts';

export interface SharedFailure {
  code: ErrorCode;
  message: string;
  status?: number;
  retryAfterMs?: number;
  error?: string;
  error_description?: string;
  error_uri?: string;
}

export function shareFailure(error: unknown): SharedFailure | undefined {
  if (!isM2MAuthError(error)) return undefined;
  const fields = error as Partial<OAuthError>;
  const shared: SharedFailure = { code: error.code, message: error.message };
  if (error.status !== undefined) shared.status = error.status;
  if (error.retryAfterMs !== undefined) shared.retryAfterMs = error.retryAfterMs;
  if (fields.error !== undefined) shared.error = fields.error;
  if (fields.error_description !== undefined) shared.error_description = fields.error_description;
  if (fields.error_uri !== undefined) shared.error_uri = fields.error_uri;
  return shared;
}

const optional = (value: unknown, type: 'string' | 'number') =>
  value === undefined || typeof value === type;

/** The typed error again, or `undefined` for anything malformed (a store is untrusted input). */
export function reviveFailure(value: unknown): M2MAuthError | undefined {
  const f = value as SharedFailure | null;
  if (
    typeof f !== 'object' ||
    f === null ||
    !isErrorCode(f.code) ||
    typeof f.message !== 'string' ||
    f.message.length > 2000 ||
    ![f.status, f.retryAfterMs].every((n) => optional(n, 'number')) ||
    ![f.error, f.error_description, f.error_uri].every((s) => optional(s, 'string'))
  ) {
    return undefined;
  }
  const options = { status: f.status, retryAfterMs: f.retryAfterMs };
  switch (f.code) {
    case ErrorCode.OAUTH:
      return new OAuthError({ error: f.error ?? 'unknown_error', ...f }, options);
    case ErrorCode.HTTP:
      return new TokenHttpError(f.status ?? 0, options);
    case ErrorCode.NETWORK:
      return new TokenNetworkError(f.message, options);
    case ErrorCode.TIMEOUT:
      return Object.assign(new TokenTimeoutError(0), { message: f.message });
    case ErrorCode.INVALID_RESPONSE:
    case ErrorCode.RESPONSE_TOO_LARGE:
    case ErrorCode.UNSUPPORTED_TOKEN_TYPE:
      return new TokenResponseError(f.code, f.message, options);
    default:
      return new M2MAuthError(f.code, f.message, options);
  }
}
