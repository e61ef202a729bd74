/**
 * The authorization server's JWTs: ES256 with a key pair made at start, verified for real by
 * the resource server (signature, issuer, expiry) plus a revocation list. Both dating and
 * expiry read the server's clock (`now`), so a skewed server is consistent with itself.
 * Tokens issued for a DPoP proof carry `cnf.jkt`, binding them to the proof's key.
 */
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export interface IssueRequest {
  subject: string;
  audience: string;
  scope: string | undefined;
  lifetimeSeconds: number;
  /** RFC 7638 thumbprint of the DPoP key the token is bound to (RFC 9449 §6.1: `cnf.jkt`). */
  jkt?: string;
}

export interface AccessTokenClaims extends JWTPayload {
  jti: string;
  sub: string;
  scope?: string;
  client_id: string;
  /** Set on DPoP-bound tokens: the thumbprint of the key every proof must be signed with. */
  cnf?: { jkt: string };
}

export interface TokenSigner {
  issue(request: IssueRequest): Promise<{ token: string; jti: string }>;
  /** Verified claims, or `undefined` for a bad signature, issuer, expiry, or a revoked token. */
  verify(token: string): Promise<AccessTokenClaims | undefined>;
  revoke(jti: string): void;
  revokeAll(): void;
  readonly jwks: { keys: JWK[] };
}

export async function createTokenSigner(
  issuer: string,
  now: () => number = Date.now,
): Promise<TokenSigner> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  const live = new Set<string>();
  const revoked = new Set<string>();

  return {
    jwks: { keys: [jwk] },
    async issue({ subject, audience, scope, lifetimeSeconds, jkt }) {
      const jti = crypto.randomUUID();
      // JWT times are whole seconds: round `exp` up so a token lives at least the
      // `expires_in` it is announced with (rounding down would cut up to a second off).
      const nowMs = now();
      const iat = Math.floor(nowMs / 1000);
      const exp = Math.ceil(nowMs / 1000 + lifetimeSeconds);
      const token = await new SignJWT({
        ...(scope ? { scope } : {}),
        client_id: subject,
        ...(jkt ? { cnf: { jkt } } : {}),
      })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(privateKey);
      live.add(jti);
      return { token, jti };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify<AccessTokenClaims>(token, publicKey, {
          issuer,
          currentDate: new Date(now()),
        });
        return revoked.has(payload.jti) ? undefined : payload;
      } catch {
        return undefined;
      }
    },
    revoke(jti) {
      revoked.add(jti);
      live.delete(jti);
    },
    revokeAll() {
      for (const jti of live) revoked.add(jti);
      live.clear();
    },
  };
}
