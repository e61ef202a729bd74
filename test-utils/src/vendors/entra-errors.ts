/**
 * Microsoft Entra ID's error answers: an RFC 6749 `error`, an `error_description` that starts
 * with the AADSTS code and ends with trace and correlation ids and a timestamp, the code again
 * in `error_codes`, and the same ids as members of their own.
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response
 * https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 */
import type { OAuthFailure } from '../profiles.ts';

/** A failure whose description is `AADSTS<code>: <text>`, as Entra words it. */
export const aadsts = (
  status: number,
  error: string,
  code: number,
  text: string,
): OAuthFailure => ({ status, error, description: `AADSTS${code}: ${text}` });

// Codes for the failures the shared token endpoint words itself (form, grant type, method).
const GENERIC_CODES: Record<string, [number, string]> = {
  unsupported_grant_type: [70003, 'The app requested an unsupported grant type.'],
  invalid_request: [9002313, 'Invalid request. Request is malformed or invalid.'],
};

/** `2024-03-01 07:41:07Z`, Entra's timestamp. */
const timestamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

export function entraErrorBody(failure: OAuthFailure, now: number): Record<string, unknown> {
  let match = /^AADSTS(\d+): /.exec(failure.description);
  let description = failure.description;
  if (!match) {
    const [code, text] = GENERIC_CODES[failure.error] ?? [90000, failure.description];
    description = `AADSTS${code}: ${text}`;
    match = /^AADSTS(\d+): /.exec(description);
  }
  const code = Number(match?.[1]);
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  const at = timestamp(now);
  return {
    error: failure.error,
    error_description: `${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${at}`,
    error_codes: [code],
    timestamp: at,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}
