/**
 * `mapTokenResponse`: the user's normaliser for a token endpoint that does not answer as RFC
 * 6749 says (a token under `data.token`, a lifetime in minutes, XML). It runs on every
 * answer before core's own checks, which then read what it returned as they would a
 * server's body. Its failures are typed: on a 2xx a `TokenResponseError` (not retried, like
 * any malformed 2xx); on any other status the answer is read as it came, so a 503 page the
 * hook did not expect is still a retried `TokenHttpError`. The hook's own error is not kept
 * as `cause` (it may quote the answer, token included): its name and a redacted message are.
 */
import { ErrorCode, TokenResponseError } from './errors.ts';

export interface TokenResponseInfo {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text: for an answer that is neither JSON nor form-encoded. */
  readonly text: string;
}

/**
 * Gets the body as core parsed it (JSON or form-encoded; `undefined` for anything else) and
 * returns the members core reads (`access_token`, `token_type`, `expires_in`, `scope`,
 * `refresh_in`, or `error`, `error_description`, `error_uri`) plus any others, which become
 * `token.extras`. `undefined`: use the body as it is.
 */
export type TokenResponseMapper = (
  body: Readonly<Record<string, unknown>> | undefined,
  response: TokenResponseInfo,
) => Record<string, unknown> | undefined;

const MAX_MESSAGE_CHARS = 300;

/**
 * A message that may quote the answer, with every long token-like run of it masked: the
 * redactor does not know an access token the hook failed to hand back.
 */
function masked(message: string, text: string, redact: (text: string) => string): string {
  const quoted = redact(message.slice(0, MAX_MESSAGE_CHARS)).replace(/[\w.~+/=!-]{16,}/g, (run) =>
    text.includes(run) ? '[redacted]' : run,
  );
  return quoted.length > 0 ? `: ${quoted}` : '';
}

function failure(status: number, message: string) {
  return new TokenResponseError(ErrorCode.INVALID_RESPONSE, message, { status });
}

/** The body core goes on to read: the hook's, or the server's when there is no hook. */
export function mappedBody(
  map: TokenResponseMapper | undefined,
  body: Record<string, unknown> | undefined,
  response: TokenResponseInfo,
  redact: (text: string) => string,
): Record<string, unknown> | undefined {
  if (!map) return body;
  const ok = response.status >= 200 && response.status <= 299;
  let mapped: unknown;
  try {
    mapped = map(body, response);
  } catch (error) {
    if (!ok) return body;
    const name = error instanceof Error ? redact(error.name).slice(0, 60) : typeof error;
    const message = error instanceof Error ? masked(error.message, response.text, redact) : '';
    throw failure(response.status, `mapTokenResponse threw ${name}${message}`);
  }
  if (mapped === undefined) return body;
  const thenable = typeof (mapped as { then?: unknown } | null)?.then === 'function';
  if (typeof mapped === 'object' && mapped !== null && !Array.isArray(mapped) && !thenable) {
    return mapped as Record<string, unknown>;
  }
  if (!ok) return body;
  const what = thenable ? 'a promise (it must return synchronously)' : describe(mapped);
  throw failure(response.status, `mapTokenResponse returned ${what}, not an object`);
}

const describe = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
