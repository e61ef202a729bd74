/**
 * The DPoP side of the request exchange (RFC 9449): an authorization for a DPoP-bound token
 * carries a proof made for its one attempt, and a server's nonce challenge is told apart
 * from a bad token.
 */
import type { Authorization, DpopTarget } from './authorization.ts';
import type { DpopProver } from './dpop.ts';
import type { TokenProvider } from './token-provider.ts';

/** `DPoP <token>` with a proof for `target`, and the nonce that proof carried. */
export async function boundAuthorization(
  from: TokenProvider,
  accessToken: string,
  target: DpopTarget,
): Promise<Authorization> {
  const { proof, nonce } = await (from.dpop as DpopProver).proof(
    target.method,
    target.url,
    accessToken,
  );
  return {
    header: `DPoP ${accessToken}`,
    accessToken,
    provider: from,
    dpop: proof,
    ...(nonce === undefined ? {} : { dpopNonce: nonce }),
  };
}

/**
 * A 401 that asks for a nonce our proof did not carry (RFC 9449 §9): not a bad token, so the
 * same token goes again with a new proof. Judged against the nonce this proof carried, not
 * against what we remember: under concurrency another request may have learnt it first.
 */
export function isNonceChallenge(
  sent: Authorization,
  wwwAuthenticate: string | null | undefined,
  dpopNonce: string | null | undefined,
): boolean {
  return (
    sent.dpop !== undefined &&
    /\buse_dpop_nonce\b/.test(wwwAuthenticate ?? '') &&
    Boolean(dpopNonce) &&
    dpopNonce !== sent.dpopNonce
  );
}
