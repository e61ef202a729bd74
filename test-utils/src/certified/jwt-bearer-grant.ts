/**
 * RFC 7523 §2.1 at the certified server, after oidc-provider authenticated the client:
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`, the assertion
 * signed by the trusted test issuer (`trusted-issuer.ts`) and verified with jose (§3: `iss`,
 * `sub`, `aud` = the token endpoint or the issuer, `exp`, a `jti` used once). The token is
 * for `resource` (or `audience`), with `sub` and `iss` of the assertion as extra claims.
 */
import {
  type GrantContext,
  invalidGrant,
  issueAccessToken,
  param,
  verifyJwt,
} from './grant-issue.ts';
import type { GrantHandler } from './oidc-provider-types.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const JWT_BEARER_PARAMS = ['assertion', 'scope', 'resource', 'audience'];

export function jwtBearerHandler(g: GrantContext): GrantHandler {
  /** Seen `jti`s until their assertion's `exp` (seconds). */
  const seen = new Map<string, number>();
  return async (ctx) => {
    // First, as oidc-provider's grants do: a nonce challenge spends nothing of the request.
    const proof = await g.dpop.validate(ctx);
    const assertion = param(ctx, 'assertion');
    if (assertion === undefined)
      throw new g.errors.InvalidRequest('missing required parameter assertion');
    const claims = await verifyJwt(g, 'the assertion', assertion, g.trustedKeys, {
      issuer: g.trusted.issuer,
      audience: [g.tokenUrl, g.issuer],
      requiredClaims: ['sub', 'exp', 'jti'],
      maxTokenAge: '1h',
    });
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, exp] of seen) if (exp < now) seen.delete(jti);
    const jti = String(claims.jti);
    if (seen.has(jti)) throw invalidGrant(g, 'the assertion was used before (jti)');
    seen.set(jti, claims.exp ?? now);
    await issueAccessToken(g, ctx, {
      proof,
      claims: { assertion_iss: claims.iss, assertion_sub: claims.sub },
    });
  };
}
