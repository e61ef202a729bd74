/**
 * Helpers for the client-assertion tests: build RFC 7523 assertions (good, or wrong in one
 * way) and post them to a token endpoint.
 */
import { type CryptoKey, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { JWT_BEARER } from '../src/index.ts';

/** Good claims for `clientId` at `aud`, dated by `nowMs` (the client's clock); then overrides. */
export function claimsFor(
  clientId: string,
  aud: string,
  overrides: Record<string, unknown> = {},
  nowMs = Date.now(),
): JWTPayload {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: clientId,
    sub: clientId,
    aud,
    iat,
    exp: iat + 60,
    jti: crypto.randomUUID(),
    ...overrides,
  };
}

export function sign(
  claims: JWTPayload,
  key: CryptoKey | Uint8Array,
  header: { alg: string; kid?: string },
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

export const unsigned = (claims: JWTPayload): string => new UnsecuredJWT(claims).encode();

export const secretKey = (secret: string): Uint8Array => new TextEncoder().encode(secret);

export async function postAssertion(
  url: string,
  assertion: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      ...extra,
    }).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}
