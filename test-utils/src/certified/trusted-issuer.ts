/**
 * The test issuer the certified server trusts besides itself: its JWTs are the assertions of
 * the jwt-bearer grant (RFC 7523 §2.1) and the `jwt` subject and actor tokens of a token
 * exchange (RFC 8693). Its key pair is random per server; only the public half is trusted.
 */
import { createLocalJWKSet, type JWTPayload, type JWTVerifyGetKey, SignJWT } from 'jose';
import { type ClientKeys, generateClientKeys } from '../client-keys.ts';

export interface TrustedIssuer {
  /** The `iss` its JWTs carry. */
  issuer: string;
  /** ES256; `keys.privateKey` signs, the server knows `keys.jwks`. */
  keys: ClientKeys;
  /**
   * A JWT of this issuer: `claims` (`sub`, `aud`, `jti`, ...) plus `iss`, `iat`, `exp`
   * (`expiresInSeconds`, default 300, negative for an expired one) and the key's `kid`.
   */
  sign(claims: JWTPayload, expiresInSeconds?: number): Promise<string>;
}

export const TRUSTED_ISSUER = 'https://trusted-issuer.certified.test';

export async function createTrustedIssuer(): Promise<TrustedIssuer> {
  const keys = await generateClientKeys('ES256', 'trusted-issuer-es256');
  return {
    issuer: TRUSTED_ISSUER,
    keys,
    sign: (claims, expiresInSeconds = 300) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'JWT' })
        .setIssuer(TRUSTED_ISSUER)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresInSeconds)
        .sign(keys.privateKey);
    },
  };
}

/** What the server verifies the issuer's JWTs with: its public keys only. */
export const trustedKeys = (trusted: TrustedIssuer): JWTVerifyGetKey =>
  createLocalJWKSet(trusted.keys.jwks);
