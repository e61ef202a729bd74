/**
 * How the certified API judges an access token, by the authorization server's own rules and
 * nothing the client says: a JWT access token (RFC 9068) is verified with jose against the
 * server's published keys (`jwks_uri`): signature, `typ: at+jwt`, `iss`, `aud` = this API's
 * resource, `exp`; an opaque token is sent to the server's introspection endpoint (RFC 7662)
 * as the API's own client, so a revoked token is inactive at once.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { basicAuthorization, type SecretClient } from './certified-clients.ts';

export interface CheckedClaims {
  client_id?: string;
  sub?: string;
  aud?: string | string[];
  scope?: string;
  exp?: number;
  /** Set on DPoP-bound tokens (RFC 9449 §6): the thumbprint of the key proofs must use. */
  cnf?: { jkt: string };
}

export type TokenVerdict = { ok: true; claims: CheckedClaims } | { ok: false; description: string };

export interface ServerMetadata {
  issuer: string;
  jwks_uri: string;
  introspection_endpoint: string;
}

export type TokenCheck = (token: string) => Promise<TokenVerdict>;

const audiences = (aud: unknown) => (Array.isArray(aud) ? aud : [aud]);

export function jwtAccessTokenCheck(metadata: ServerMetadata, resource: string): TokenCheck {
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri));
  return async (token) => {
    try {
      const { payload } = await jwtVerify<CheckedClaims>(token, keys, {
        issuer: metadata.issuer,
        audience: resource,
        typ: 'at+jwt',
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'client_id'],
      });
      return { ok: true, claims: payload };
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        return { ok: false, description: 'the token expired' };
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
        return { ok: false, description: 'the token is not for this API (aud)' };
      }
      return { ok: false, description: 'the token is not a valid JWT access token' };
    }
  };
}

export function introspectionCheck(
  metadata: ServerMetadata,
  resource: string,
  client: SecretClient,
): TokenCheck {
  return async (token) => {
    const response = await fetch(metadata.introspection_endpoint, {
      method: 'POST',
      headers: { authorization: basicAuthorization(client), accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    const claims = (await response.json()) as CheckedClaims & { active?: boolean; error?: string };
    // oidc-provider refuses to introspect a JWT access token: it is some other resource's.
    if (claims.error === 'unsupported_token_type') {
      return { ok: false, description: 'the token is not one this API introspects' };
    }
    if (response.status !== 200) throw new Error(`introspection answered ${response.status}`);
    if (claims.active !== true) {
      return { ok: false, description: 'the token is not active (expired, revoked or unknown)' };
    }
    if (!audiences(claims.aud).includes(resource)) {
      return { ok: false, description: 'the token is not for this API (aud)' };
    }
    return { ok: true, claims };
  };
}
