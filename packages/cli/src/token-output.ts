/** What `m2m-auth token` prints: the bare token, the response as JSON, or the decoded JWT. */
import type { AccessToken } from '@m2m-auth/core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

export type TokenFormat = 'token' | 'json' | 'decode';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** RFC 6749 §5.1 field names, so the output reads like the token response itself. */
function responseJson(token: AccessToken, now: number) {
  return {
    access_token: token.accessToken,
    token_type: token.tokenType,
    // Whole seconds left, rounded down: a script sleeping this long never holds an expired token.
    expires_in: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
    expires_at: new Date(token.expiresAt).toISOString(),
    ...(token.scope === undefined ? {} : { scope: token.scope }),
  };
}

/** Header and claims, decoded without verifying: the token is the API's to check, not ours. */
function decoded(accessToken: string) {
  try {
    return { header: decodeProtectedHeader(accessToken), claims: decodeJwt(accessToken) };
  } catch {
    // jose's message is generic; ours says what to do. The token itself is never quoted.
    throw new CliError(
      'the access token is not a JWT (the server issues opaque tokens), so there is nothing to decode; --json shows its expiry',
      ExitCode.NOT_A_JWT,
    );
  }
}

export function formatToken(token: AccessToken, format: TokenFormat, now = Date.now()): string {
  switch (format) {
    case 'json':
      return json(responseJson(token, now));
    case 'decode':
      return json(decoded(token.accessToken));
    default:
      return `${token.accessToken}\n`;
  }
}
