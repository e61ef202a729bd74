/**
 * The DPoP side of the request policy (RFC 9449): an authorization for a DPoP-bound token
 * carries a proof made for its one request, a server's nonce challenge is told apart from a
 * bad token, and any other answer's `DPoP-Nonce` is kept for the next proof.
 */
import type { DpopProver } from './dpop.ts';
import type { Authorization, DpopTarget, ReplayDecision } from './request-policy.ts';
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
    target,
  };
}

/**
 * A 401 that asks for a nonce our proof did not carry (RFC 9449 §9): not a bad token, so the
 * same token goes again with a new proof. Judged against the nonce this proof carried, not
 * against what we remember: under concurrency another request may have learnt it first.
 */
export function isNonceChallenge(sent: Authorization, decision: ReplayDecision): boolean {
  const { dpopNonce } = decision;
  return (
    sent.dpop !== undefined &&
    /\buse_dpop_nonce\b/.test(decision.wwwAuthenticate ?? '') &&
    Boolean(dpopNonce) &&
    dpopNonce !== sent.dpopNonce
  );
}

/** Reads a DPoP request's answer; a non-401's nonce is news for the next proof. */
export function readDpopAnswer(
  sent: Authorization | undefined,
  status: number,
  header: (name: 'dpop-nonce' | 'www-authenticate') => string | null | undefined,
): Pick<ReplayDecision, 'wwwAuthenticate' | 'dpopNonce'> | undefined {
  if (!sent?.dpop) return undefined;
  const dpopNonce = header('dpop-nonce');
  if (status !== 401 && sent.target) sent.provider.dpop?.rememberNonce(sent.target.url, dpopNonce);
  return { wwwAuthenticate: header('www-authenticate'), dpopNonce };
}
