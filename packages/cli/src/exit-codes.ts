/**
 * One exit code per kind of failure, so scripts can tell "fix your credentials" from "try
 * again later" without parsing text.
 */
import { ErrorCode, isM2MAuthError } from '@m2m-auth/core';

export const ExitCode = {
  OK: 0,
  /** Something we did not expect; a bug report is welcome. */
  UNEXPECTED: 1,
  /** Bad command-line usage: unknown flag, missing value, a secret passed as an argument. */
  USAGE: 2,
  /** Options that cannot work (`ConfigError`): a non-https token URL, a bad parameter. */
  CONFIG: 3,
  /** The token endpoint refused (RFC 6749 error: invalid_client, invalid_scope, ...). */
  OAUTH: 4,
  /** The token endpoint answered an HTTP error without an OAuth error body. */
  TOKEN_HTTP: 5,
  /** The token endpoint or the request URL could not be reached, or timed out. */
  NETWORK: 6,
  /** The token endpoint answered something that is not a usable token response. */
  INVALID_RESPONSE: 7,
  /** `demo`: a row of the demo did not behave as it must. */
  DEMO_FAILED: 8,
  /** `token --decode`: the access token is opaque, so there is nothing to decode. */
  NOT_A_JWT: 9,
  /** `demo`: the packages it runs (test-utils, the adapters, their clients) are not installed. */
  DEMO_UNAVAILABLE: 10,
  /** `request --fail`: the server answered HTTP >= 400. 22 is what `curl --fail` exits with. */
  HTTP_FAILED: 22,
  /** `request -o FILE`: the file could not be written. 23 is curl's write error. */
  WRITE_FAILED: 23,
  /** `request -d @FILE` (or `@-`): the file or stdin could not be read. 26 is curl's read error. */
  READ_FAILED: 26,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an error thrown while getting a token. */
export function exitCodeFor(error: unknown): ExitCode {
  if (!isM2MAuthError(error)) return ExitCode.UNEXPECTED;
  switch (error.code) {
    case ErrorCode.CONFIG:
      return ExitCode.CONFIG;
    case ErrorCode.OAUTH:
      return ExitCode.OAUTH;
    case ErrorCode.HTTP:
      return ExitCode.TOKEN_HTTP;
    case ErrorCode.NETWORK:
    case ErrorCode.TIMEOUT:
      return ExitCode.NETWORK;
    default:
      return ExitCode.INVALID_RESPONSE;
  }
}
