/**
 * The authorization server's JWTs: ES256 with a key pair made at start, verified for real by
 * the resource server (signature, issuer, expiry) plus a revocation list. Both dating and
 * expiry read the server's clock (`now`), so a skewed server is consistent with itself.
 * Tokens issued for a DPoP proof carry `cnf.jkt`, binding them to the proof's key. An opaque
 * token stands for a JWT kept here, which `verify` and `revoke` look up (introspection, in effect).
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export interface IssueRequest {
  subject: string;
  audience: string;
  scope: string | undefined;
  lifetimeSeconds: number;
  /** RFC 7638 thumbprint of the DPoP key the token is bound to (RFC 9449 §6.1: `cnf.jkt`). */
  jkt?: string;
  /**
   * Hand out an opaque token starting with this prefix instead of the JWT (Salesforce's
   * `00D…!…`): the client cannot read an `exp` from it, the resource server still checks it.
   */
  opaquePrefix?: string;
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
  /** Revokes the token with this `jti`, or the opaque token given. */
  revoke(jtiOrOpaque: string): void;
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
  const opaque = new Map<string, { jwt: string; jti: string }>();

  return {
    jwks: { keys: [jwk] },
    async issue({ subject, audience, scope, lifetimeSeconds, jkt, opaquePrefix }) {
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
      if (opaquePrefix === undefined) return { token, jti };
      // No dots: AuthControl.revoke tells a JWT from a jti by them.
      const handle = `${opaquePrefix}${randomBytes(32).toString('base64url')}`;
      opaque.set(handle, { jwt: token, jti });
      return { token: handle, jti };
    },
    async verify(token) {
      try {
        const jwt = opaque.get(token)?.jwt ?? token;
        const { payload } = await jwtVerify<AccessTokenClaims>(jwt, publicKey, {
          issuer,
          currentDate: new Date(now()),
        });
        return revoked.has(payload.jti) ? undefined : payload;
      } catch {
        return undefined;
      }
    },
    revoke(jtiOrOpaque) {
      const jti = opaque.get(jtiOrOpaque)?.jti ?? jtiOrOpaque;
      revoked.add(jti);
      live.delete(jti);
    },
    revokeAll() {
      for (const jti of live) revoked.add(jti);
      live.clear();
    },
  };
}
