/**
 * The resource server's DPoP rules (RFC 9449 §7): a token bound by `cnf.jkt` is accepted only
 * under the `DPoP` scheme with a proof for this very request (`htm`, `htu`, `ath`, the bound
 * key, the API's own nonce); an unbound token only under `Bearer`, as before. Refusals are
 * `401` with a `DPoP` challenge, and a `DPoP-Nonce` header when the nonce is what failed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  announceNonce,
  DPOP_ALGS,
  type DpopProofRecord,
  type DpopVerifier,
} from './dpop-verifier.ts';
import { sendJson } from './http.ts';
import type { AccessTokenClaims } from './token-signer.ts';

export type DpopChallengeError = 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';

/** `DPoP error="<error>", error_description="<text>", algs="ES256 RS256 PS256 EdDSA Ed25519"` */
export const dpopChallenge = (error: DpopChallengeError, description: string): string =>
  `DPoP error="${error}", error_description="${description}", algs="${DPOP_ALGS.join(' ')}"`;

function refuse(
  res: ServerResponse,
  error: DpopChallengeError,
  description: string,
  nonce?: string,
) {
  sendJson(
    res,
    401,
    { error, error_description: description },
    {
      'www-authenticate': dpopChallenge(error, description),
      ...(nonce ? { 'dpop-nonce': nonce } : {}),
    },
  );
}

export interface DpopAccess {
  /** False when the request was refused (the answer is sent). */
  ok: boolean;
  /** The proof as seen, for the request record (when one came or the token is bound). */
  record: DpopProofRecord | undefined;
}

/** Judges the token's binding and the request's proof; answers the refusals itself. */
export async function checkDpopAccess(
  dpop: DpopVerifier,
  req: IncomingMessage,
  res: ServerResponse,
  request: {
    scheme: 'Bearer' | 'DPoP';
    token: string;
    claims: Pick<AccessTokenClaims, 'cnf'>;
    htu: string;
  },
): Promise<DpopAccess> {
  const { scheme, token, claims, htu } = request;
  const jkt = claims.cnf?.jkt;
  const seen = dpop.decode(req);
  const record = seen.present || jkt || scheme === 'DPoP' ? seen : undefined;
  if (scheme === 'Bearer') {
    if (!jkt) return { ok: true, record };
    refuse(res, 'invalid_token', 'a DPoP-bound token must be sent with the DPoP scheme');
    return { ok: false, record };
  }
  if (!jkt) {
    refuse(res, 'invalid_token', 'the token is not DPoP-bound: send it with the Bearer scheme');
    return { ok: false, record };
  }
  const proof = await dpop.check(req, { htm: req.method ?? 'GET', htu, accessToken: token, jkt });
  if (!proof.ok) {
    const nonce = proof.error === 'use_dpop_nonce' ? dpop.nonces.current : undefined;
    refuse(res, proof.error, proof.description, nonce);
    return { ok: false, record: proof.record };
  }
  for (const [name, value] of Object.entries(announceNonce(dpop, proof.record)))
    res.setHeader(name, value);
  return { ok: true, record: proof.record };
}
