/**
 * Turns a token endpoint's answer into a token or a typed error. The endpoint is untrusted
 * input: every field is checked, nothing is assumed about the content type, and no body
 * text reaches an error message except a redacted `error_description`.
 */
import {
  ErrorCode,
  type M2MAuthErrorOptions,
  OAuthError,
  TokenHttpError,
  TokenResponseError,
} from './errors.ts';
import { lifetimeFromJwt } from './jwt-lifetime.ts';
import { type TokenExtras, tokenExtras } from './token-extras.ts';
import { mappedBody, type TokenResponseMapper } from './token-response-mapper.ts';

export type LifetimeSource = 'expires_in' | 'jwt' | 'default';

export interface ParsedToken {
  accessToken: string;
  /** `Bearer`, or `DPoP` when the provider uses DPoP and the server bound the token. */
  tokenType: 'Bearer' | 'DPoP';
  scope: string | undefined;
  lifetimeMs: number;
  lifetimeSource: LifetimeSource;
  /** The members core does not read, bounded (token-extras.ts). */
  extras?: TokenExtras | undefined;
  /** The server's advisory refresh point after the request started (Entra's `refresh_in`). */
  refreshInMs?: number | undefined;
}

export interface ResponseContext {
  status: number;
  contentType: string | null;
  retryAfterMs: number | undefined;
  redact: (text: string) => string;
  /** The answer's headers, for `mapTokenResponse`. */
  headers?: Headers | undefined;
  mapTokenResponse?: TokenResponseMapper | undefined;
  /** A token exchange: `token_type: N_A` (RFC 8693 §2.2.1, not an access token) is taken. */
  notApplicable?: boolean | undefined;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const MIN_LIFETIME_MS = 1000;
const MAX_FIELD_CHARS = 500;
const VSCHARS = /^[\x20-\x7e]+$/;

/** JSON or `application/x-www-form-urlencoded` (GitHub-style) into a plain record. */
export function parseBody(
  text: string,
  contentType: string | null,
): Record<string, unknown> | undefined {
  const type = (contentType ?? '').toLowerCase();
  const trimmed = text.trim();
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(trimmed));
  }
  if (type.includes('json') || trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }
  if (/^[\w.-]+=/.test(trimmed) && !trimmed.includes('<')) {
    return Object.fromEntries(new URLSearchParams(trimmed));
  }
  return undefined;
}

function shortString(value: unknown, redact: (text: string) => string): string | undefined {
  return typeof value === 'string' ? redact(value).slice(0, MAX_FIELD_CHARS) : undefined;
}

/** An RFC 6749 §5.2 error, when the body is one (on any status, 200 included). */
function oauthError(body: Record<string, unknown> | undefined, ctx: ResponseContext) {
  const error = shortString(body?.['error'], ctx.redact);
  if (!body || !error) return undefined;
  return new OAuthError(
    {
      error,
      error_description: shortString(body['error_description'], ctx.redact),
      error_uri: shortString(body['error_uri'], ctx.redact),
    },
    { status: ctx.status, retryAfterMs: ctx.retryAfterMs },
  );
}

/** `expires_in` as a number or a plain decimal string; anything else is "not given". */
export function parseExpiresIn(value: unknown): number | undefined {
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  return usableLifetime(seconds * 1000);
}

/**
 * A lifetime we can plan with: at least a second (a token that expires as it arrives is
 * a broken answer, not a short-lived token) and at most ten years (a typo, or a JWT `exp`
 * that would make `expiresAt` infinite). Anything else is "not given".
 */
export function usableLifetime(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isFinite(ms) && ms >= MIN_LIFETIME_MS && ms <= TEN_YEARS_MS
    ? ms
    : undefined;
}

/**
 * The answer's own access_token is redacted from everything we quote of the answer (an
 * error field, a token_type): the provider's redactor only knows the tokens it has issued.
 */
function withOwnTokenRedacted(token: unknown, ctx: ResponseContext): ResponseContext {
  if (typeof token !== 'string' || token.length < 8) return ctx;
  return { ...ctx, redact: (text) => ctx.redact(text).split(token).join('[redacted]') };
}

function invalid(
  message: string,
  ctx: ResponseContext,
  code: ErrorCode = ErrorCode.INVALID_RESPONSE,
) {
  const options: M2MAuthErrorOptions = { status: ctx.status };
  return new TokenResponseError(code, message, options);
}

/**
 * Reads a complete answer (through `mapTokenResponse` first, when given). Throws `OAuthError`,
 * `TokenHttpError` or `TokenResponseError`.
 * Lifetime: `expires_in`, else the JWT's own lifetime, else `defaultLifetimeMs`; `refresh_in`
 * (seconds, a number or a decimal string, like `expires_in`) is the server's advisory point.
 */
export function readTokenResponse(
  text: string,
  answer: ResponseContext,
  defaultLifetimeMs: number,
  now: number,
  dpop = false,
): ParsedToken {
  const headers =
    answer.headers ?? new Headers(answer.contentType ? { 'content-type': answer.contentType } : {});
  const body = mappedBody(
    answer.mapTokenResponse,
    parseBody(text, answer.contentType),
    { status: answer.status, headers, text },
    answer.redact,
  );
  const ctx = withOwnTokenRedacted(body?.['access_token'], answer);
  const refused = oauthError(body, ctx);
  if (refused) throw refused;
  if (ctx.status < 200 || ctx.status > 299) {
    throw new TokenHttpError(ctx.status, { retryAfterMs: ctx.retryAfterMs });
  }
  if (!body) {
    const type =
      ctx.redact(ctx.contentType?.split(';')[0]?.trim() ?? '').slice(0, 60) || 'no content type';
    throw invalid(
      `Token response is neither JSON nor form-encoded (${type}, ${text.length} chars)`,
      ctx,
    );
  }
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw invalid('Token response has no access_token string', ctx);
  }
  // RFC 6749 Appendix A.12: access-token = 1*VSCHAR. Anything else cannot go in a header,
  // and an HTTP client's "invalid header value" error would quote the token.
  if (!VSCHARS.test(accessToken)) {
    throw invalid('Token response has an access_token with characters outside VSCHAR', ctx);
  }
  const tokenType = body['token_type'];
  const type = typeof tokenType === 'string' ? tokenType.toLowerCase() : undefined;
  // A DPoP-bound token only when we sent a proof (RFC 9449 §5); a server that ignored the
  // proof may still answer Bearer, and that token is then sent as Bearer. An exchanged token
  // that is not an access token (N_A) is sent as Bearer too: that is what its users do.
  const notApplicable = answer.notApplicable === true && type === 'n_a';
  if (
    tokenType !== undefined &&
    type !== 'bearer' &&
    !(dpop && type === 'dpop') &&
    !notApplicable
  ) {
    const shown =
      typeof tokenType === 'string' ? ctx.redact(tokenType).slice(0, 40) : typeof tokenType;
    throw invalid(
      `Unsupported token_type "${shown}": only ${dpop ? 'Bearer and DPoP' : 'Bearer'} tokens can be sent`,
      ctx,
      ErrorCode.UNSUPPORTED_TOKEN_TYPE,
    );
  }
  const scope = typeof body['scope'] === 'string' ? body['scope'] : undefined;
  const fromExpiresIn = parseExpiresIn(body['expires_in']);
  const fromJwt =
    fromExpiresIn === undefined ? usableLifetime(lifetimeFromJwt(accessToken, now)) : undefined;
  const [lifetimeMs, lifetimeSource]: [number, LifetimeSource] =
    fromExpiresIn !== undefined
      ? [fromExpiresIn, 'expires_in']
      : fromJwt !== undefined
        ? [fromJwt, 'jwt']
        : [defaultLifetimeMs, 'default'];
  return {
    accessToken,
    tokenType: type === 'dpop' ? 'DPoP' : 'Bearer',
    scope,
    lifetimeMs,
    lifetimeSource,
    extras: tokenExtras(body),
    refreshInMs: parseExpiresIn(body['refresh_in']),
  };
}
